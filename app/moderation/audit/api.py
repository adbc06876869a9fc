"""The audit log over the API. Moderators and admins only."""
from flask_smorest import Blueprint

from app.members.auth import current_api_member, token_required
from app.members.models import Role
from app.moderation.audit import services as log
from app.moderation.audit.schemas import AuditListSchema, AuditQuerySchema

blp = Blueprint("moderation_audit_api", __name__, url_prefix="/api/v1", description="The moderators' audit log")

moderator_token = token_required(role=Role.moderator)


# --- the audit log -------------------------------------------------------------------

@blp.route("/moderation/log", methods=["GET"])
@moderator_token
@blp.arguments(AuditQuerySchema, location="query")
@blp.response(200, AuditListSchema)
def audit_log(args):
    """Every moderator action, newest first; filter by moderator, action and member handle"""
    return log.list_entries(current_api_member(), args["moderator"], args["action"], args["member"],
                            args["limit"], args["cursor"])
