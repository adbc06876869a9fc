"""Watched words over the API: moderators read them, admins add and remove them."""
from flask_smorest import Blueprint

from app.members.auth import current_api_member, token_required, write_limit
from app.members.models import Role
from app.moderation.words import services as words
from app.moderation.words.schemas import (WatchedWordCreateSchema, WatchedWordListSchema, WatchedWordQuerySchema,
                                         WatchedWordRemoveSchema, WatchedWordSchema)

blp = Blueprint("moderation_words_api", __name__, url_prefix="/api/v1",
                description="Watched words and the crisis word list (moderators read, admins change)")


@blp.route("/moderation/watched-words", methods=["GET"])
@token_required(role=Role.moderator)
@blp.arguments(WatchedWordQuerySchema, location="query")
@blp.response(200, WatchedWordListSchema)
def list_words(args):
    """Watched words, oldest first; `action` narrows to block, review or crisis words"""
    return words.watched_words_page(current_api_member(), args["action"], args["limit"], args["cursor"])


@blp.route("/moderation/watched-words", methods=["POST"])
@token_required(role=Role.admin)
@write_limit()
@blp.arguments(WatchedWordCreateSchema)
@blp.response(201, WatchedWordSchema)
def add_word(data):
    """Watch a word, phrase or regular expression (admins; 422 for a bad expression, 409 if already watched)"""
    return words.add_watched_word(current_api_member(), data["pattern"], data["action"], data["is_regex"],
                                  data["reason"])


@blp.route("/moderation/watched-words/<int:word_id>", methods=["DELETE"])
@token_required(role=Role.admin)
@write_limit()
@blp.arguments(WatchedWordRemoveSchema)
@blp.response(204)
def remove_word(data, word_id):
    """Stop watching a word (admins); an optional body {reason} goes in the audit log"""
    words.remove_watched_word(current_api_member(), word_id, data["reason"])
