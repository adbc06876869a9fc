"""The moderation pages: one parent blueprint that registers each room's pages."""
from flask import Blueprint, url_for

from app.moderation.actions.views import bp as actions
from app.moderation.audit.views import bp as audit
from app.moderation.conversations.views import bp as conversations
from app.moderation.queue.views import bp as queue
from app.moderation.words.views import bp as words

bp = Blueprint("moderation", __name__)
for child in (queue, actions, words, audit, conversations):
    bp.register_blueprint(child)


@bp.app_template_global()
def moderation_home() -> str:
    """Where the header's Moderation link goes: the review queue."""
    return url_for("moderation.queue.queue")
