"""The caller's own notifications. Nobody else's are ever reachable."""
from flask_smorest import Blueprint

from app.members.auth import current_api_member, token_required, write_limit
from app.notifications import services
from app.notifications.delivery.api import blp as jobs
from app.notifications.following.api import blp as following
from app.notifications.preferences.api import blp as preferences
from app.notifications.reactions.api import blp as reactions
from app.notifications.schemas import MarkedSchema, MarkReadSchema, NotificationListSchema, NotificationQuerySchema

blp = Blueprint("notifications_api", __name__, url_prefix="/api/v1",
                description="What happened to the caller's posts and account, and why")


@blp.route("/me/notifications", methods=["GET"])
@token_required
@blp.arguments(NotificationQuerySchema, location="query")
@blp.response(200, NotificationListSchema)
def list_notifications(args):
    """The caller's notifications, newest first, with how many are unread"""
    member = current_api_member()
    page = services.list_notifications(member, args["cursor"], args["limit"], unread_only=args["unread"])
    return {"items": page.items, "next_cursor": page.next_cursor, "unread_count": services.unread_count(member)}


@blp.route("/me/notifications/read", methods=["POST"])
@token_required
@write_limit()
@blp.arguments(MarkReadSchema)
@blp.response(200, MarkedSchema)
def mark_read(data):
    """Mark the caller's notifications read (all of them, or those up to an id)"""
    member = current_api_member()
    marked = services.mark_all_read(member, data["up_to"])
    return {"marked": marked, "unread_count": services.unread_count(member)}


blueprints = (blp, following, reactions, preferences, jobs)
