"""Follow, unfollow and mute buttons (plain forms), and the Following page."""
from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import login_required

from app.core.pages import viewer
from app.notifications.following import services

bp = Blueprint("following", __name__)

THREAD_ACTIONS = {
    "follow": (services.follow_thread, "You follow this thread: its new replies will notify you."),
    "unfollow": (services.unfollow_thread, "You no longer follow this thread."),
    "mute": (services.mute_thread, "This thread is muted: nothing in it will notify you."),
    "unmute": (services.unfollow_thread, "This thread is no longer muted."),
}


@bp.route("/threads/<int:thread_id>/<any(follow, unfollow, mute, unmute):action>", methods=["POST"])
@login_required
def thread(thread_id: int, action: str):
    change, message = THREAD_ACTIONS[action]
    change(viewer(), thread_id)
    flash(message, "success")
    return redirect(url_for("forum.thread", thread_id=thread_id))


@bp.route("/tags/<slug>/<any(follow, unfollow):action>", methods=["POST"])
@login_required
def tag(slug: str, action: str):
    if action == "follow":
        tag = services.follow_tag(viewer(), slug)
        flash(f"You follow {tag.name}: new threads in it will notify you.", "success")
    else:
        tag = services.unfollow_tag(viewer(), slug)
        flash(f"You no longer follow {tag.name}.", "success")
    return redirect(url_for("forum.tag", slug=tag.slug))


@bp.route("/following")
@login_required
def index():
    return render_template("notifications/following.html", following=services.following(viewer()))


@bp.app_template_global()
def thread_follow_state(thread) -> str | None:
    """For the thread page's buttons: following, muted, unfollowed or None."""
    state = services.thread_state(viewer(), thread.id)
    return state.value if state else None


@bp.app_template_global()
def follows_tag(tag) -> bool:
    return services.follows_tag(viewer(), tag.id)
