from flask_smorest import Blueprint

from app.account import services
from app.account.schemas import DeleteAccountSchema, ExportSchema
from app.members.auth import current_api_member, token_required, write_limit

blp = Blueprint("account_api", __name__, url_prefix="/api/v1", description="The caller's data and account")


@blp.route("/me/export", methods=["GET"])
@token_required
@blp.response(200, ExportSchema)
def export():
    """Everything stored about the caller, as one JSON document"""
    return services.export(current_api_member())


@blp.route("/me", methods=["DELETE"])
@token_required
@write_limit()
@blp.arguments(DeleteAccountSchema)
@blp.response(204)
def delete_me(data):
    """Delete the caller's account (403 on a wrong password); with erase_posts, every post's words too"""
    services.delete_account(current_api_member(), data["password"], data["erase_posts"])
