"""The watched-words page (/mod/words): admins change the list, moderators read it, members may not see it."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required

from app.core.errors import DomainError
from app.core.forms import Form
from app.core.pages import viewer
from app.moderation.words import services as words
from app.moderation.models import WatchedAction
from app.moderation.rules import require_admin, require_moderator
from app.moderation.words.schemas import WatchedWordCreateSchema

bp = Blueprint("words", __name__)

GROUPS = [
    (WatchedAction.block, "Blocked words", "A post that contains one is refused, and its author asked to change it."),
    (WatchedAction.review, "Review words", "A post that contains one waits in the queue until a moderator approves it."),
    (WatchedAction.crisis, "Crisis words",
     "A post that contains one stays up; an urgent item goes to the top of the queue, "
     "and its author is shown support information."),
]


@bp.route("/mod/words", methods=["GET", "POST"])
@login_required
def words_page():
    member = require_moderator(viewer())
    form = Form(WatchedWordCreateSchema(), {"action": WatchedAction.review.value})
    if form.submitted:
        require_admin(member)
        if form.validate():
            try:
                word = words.add_watched_word(member, form.data["pattern"], form.data["action"],
                                              form.data["is_regex"], form.data["reason"])
            except DomainError as error:
                form.fail(error)
            else:
                flash(f"“{word.pattern}” is now a {word.action.value} word.", "success")
                return redirect(url_for("moderation.words.words_page"))
    listed = words.list_watched_words(member)
    groups = [(action, title, explanation, [w for w in listed if w.action == action])
              for action, title, explanation in GROUPS]
    return render_template("moderation/words/words.html", groups=groups, form=form, may_change=member.is_admin,
                           action_labels=words.ACTION_LABELS), form.status


@bp.route("/mod/words/<int:word_id>/remove", methods=["POST"])
@login_required
def remove(word_id: int):
    word = words.remove_watched_word(viewer(), word_id)
    flash(f"“{word.pattern}” is no longer watched.", "success")
    return redirect(url_for("moderation.words.words_page"))
