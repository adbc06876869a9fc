"""Flags (any signed-in member) and the review queue (moderators and admins)."""
from flask_smorest import Blueprint

from app.members.auth import current_api_member, token_required, write_limit
from app.members.idempotency import idempotent
from app.members.models import Role
from app.moderation.queue import services
from app.moderation.rules import flag_limit
from app.moderation.queue.schemas import (BulkApprovalSchema, BulkApproveSchema, FlagCreateSchema, FlagSchema,
                                    QueueItemSchema, QueueListSchema, QueueQuerySchema, ResolveSchema)

blp = Blueprint("moderation_api", __name__, url_prefix="/api/v1", description="Flags and the review queue")


@blp.route("/flags", methods=["POST"])
@token_required
@write_limit()
@idempotent
@flag_limit()
@blp.arguments(FlagCreateSchema)
@blp.response(201, FlagSchema)
def flag(data):
    """Report a post to the moderators (409 if the caller already has an open flag on it)"""
    return services.flag_post(current_api_member(), data["post_id"], data["reason"], data["note"])


@blp.route("/moderation/queue", methods=["GET"])
@token_required(role=Role.moderator)
@blp.arguments(QueueQuerySchema, location="query")
@blp.response(200, QueueListSchema)
def queue(args):
    """Queue items: urgent first, then oldest first"""
    return services.list_queue(current_api_member(), args["status"], args["limit"], args["cursor"])


@blp.route("/moderation/queue/<int:item_id>", methods=["GET"])
@token_required(role=Role.moderator)
@blp.response(200, QueueItemSchema)
def item(item_id):
    """One queue item with its post, context, flags and the author's history"""
    return services.get_item(current_api_member(), item_id)


@blp.route("/moderation/queue/<int:item_id>/resolve", methods=["POST"])
@token_required(role=Role.moderator)
@write_limit()
@blp.arguments(ResolveSchema)
@blp.response(200, QueueItemSchema)
def resolve(data, item_id):
    """Decide an item: approve, reject, hide, restore or dismiss, with a reason
    (409 when already resolved or when the action does not fit the post's state)"""
    return services.resolve_item(current_api_member(), item_id, data["action"], data["reason"])


@blp.route("/moderation/queue/bulk-approve", methods=["POST"])
@token_required(role=Role.moderator)
@write_limit()
@blp.arguments(BulkApproveSchema)
@blp.response(200, BulkApprovalSchema)
def bulk_approve(data):
    """Approve several held posts at once with one reason; items that cannot be approved are listed with why"""
    return services.bulk_approve(current_api_member(), data["item_ids"], data["reason"])
