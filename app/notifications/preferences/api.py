"""The caller's notification preferences over the API."""
from flask_smorest import Blueprint

from app.members.auth import current_api_member, token_required, write_limit
from app.notifications.preferences import services
from app.notifications.preferences.schemas import PreferencesSchema, PreferencesUpdateSchema

blp = Blueprint("preferences_api", __name__, url_prefix="/api/v1", description="How the caller hears from Thaw")


@blp.route("/me/preferences", methods=["GET"])
@token_required
@blp.response(200, PreferencesSchema)
def get_preferences():
    """Per kind of notification: off, app (in Thaw only), email (at once), daily or weekly (digest)"""
    return services.preferences_of(current_api_member())


@blp.route("/me/preferences", methods=["PUT"])
@token_required
@write_limit()
@blp.arguments(PreferencesUpdateSchema)
@blp.response(200, PreferencesSchema)
def put_preferences(data):
    """Change how the caller hears about the kinds given (the others keep their setting); 422 names an
    unknown kind or delivery"""
    return services.set_preferences(current_api_member(), data["notifications"], data["auto_follow"])
