"""Reaction buttons on posts: one form each, a toggle with its words ("Me too"), usable by keyboard."""
from flask import Blueprint, flash, redirect, request, url_for
from flask_login import login_required

from app.core.errors import NotFound
from app.core.pages import viewer
from app.notifications.models import ReactionKind
from app.notifications.reactions import services
from app.notifications.reactions.limits import reaction_limit

bp = Blueprint("reactions", __name__)


@bp.route("/posts/<int:post_id>/reactions/<kind>", methods=["POST"])
@login_required
@reaction_limit()
def toggle(post_id: int, kind: str):
    try:
        reaction = ReactionKind(kind)
    except ValueError:
        raise NotFound("Reactions are me too, thank you and sending support.") from None
    if request.form.get("undo"):
        result = services.unreact(viewer(), post_id, reaction)
        flash(f"You took back \"{services.BUTTONS[reaction]}\".", "success")
    else:
        result = services.react(viewer(), post_id, reaction)
        flash(f"You said \"{services.BUTTONS[reaction]}\". The author is told how many reacted, never who.",
              "success")
    return redirect(url_for("forum.thread", thread_id=result["thread_id"], _anchor=f"post-{post_id}"))


@bp.app_template_global()
def reaction_buttons():
    return [(kind.value, label) for kind, label in services.BUTTONS.items()]


@bp.app_template_global()
def reaction_words(kind: str, count: int) -> str:
    return services.in_words(ReactionKind(kind), count)
