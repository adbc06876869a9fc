"""Moderators' private conversations with a member, over the API."""
from flask_smorest import Blueprint

from app.members.auth import current_api_member, token_required, write_limit
from app.members.models import Role
from app.moderation.conversations import services
from app.moderation.conversations.schemas import (ConversationListSchema, ConversationSchema, MessageCreateSchema,
                                                  MessageSchema, StartConversationSchema)

blp = Blueprint("moderation_conversations_api", __name__, url_prefix="/api/v1",
                description="Moderators check in privately with a member")


@blp.route("/moderation/conversations", methods=["POST"])
@token_required(role=Role.moderator)
@write_limit()
@blp.arguments(StartConversationSchema)
@blp.response(201, ConversationSchema)
def start(data):
    """Start a private conversation with a member (moderators; audited; the member is told)"""
    return services.start(current_api_member(), data["member"], data["body"], data["queue_item_id"])


@blp.route("/me/conversations", methods=["GET"])
@token_required
@blp.response(200, ConversationListSchema)
def mine():
    """The caller's conversations with the moderators, most recent first"""
    return {"items": services.of_member(current_api_member())}


@blp.route("/conversations/<int:conversation_id>", methods=["GET"])
@token_required
@blp.response(200, ConversationSchema)
def read(conversation_id):
    """A conversation (its member and moderators only; 404 for anyone else)"""
    return services.get(current_api_member(), conversation_id)


@blp.route("/conversations/<int:conversation_id>/messages", methods=["POST"])
@token_required
@write_limit()
@blp.arguments(MessageCreateSchema)
@blp.response(201, MessageSchema)
def reply(data, conversation_id):
    """Answer in a conversation (its member, or any moderator: audited)"""
    return services.reply(current_api_member(), conversation_id, data["body"])
