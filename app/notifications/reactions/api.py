"""Reactions over the API: the counts come back, never who reacted."""
from flask_smorest import Blueprint

from app.core.errors import NotFound
from app.members.auth import current_api_member, token_required
from app.notifications.models import ReactionKind
from app.notifications.reactions import services
from app.notifications.reactions.limits import reaction_limit
from app.notifications.reactions.schemas import ReactionSummarySchema

blp = Blueprint("reactions_api", __name__, url_prefix="/api/v1",
                description="Me too, thank you, sending support: counts on posts, who reacted never shown")


def _kind(kind: str) -> ReactionKind:
    try:
        return ReactionKind(kind)
    except ValueError:
        raise NotFound("Reactions are me_too, thanks and support.") from None


@blp.route("/posts/<int:post_id>/reactions/<kind>", methods=["PUT"])
@token_required
@reaction_limit()
@blp.response(200, ReactionSummarySchema)
def react(post_id, kind):
    """Add the caller's reaction (me_too, thanks or support); 403 on one's own post, 409 on a hidden or
    deleted one, 429 beyond REACTION_RATE_LIMIT"""
    return services.react(current_api_member(), post_id, _kind(kind))


@blp.route("/posts/<int:post_id>/reactions/<kind>", methods=["DELETE"])
@token_required
@reaction_limit()
@blp.response(200, ReactionSummarySchema)
def unreact(post_id, kind):
    """Take the caller's reaction back"""
    return services.unreact(current_api_member(), post_id, _kind(kind))
