"""The notifications page, and the unread count every page's header shows."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.core.errors import InvalidInput
from app.core.input import as_id
from app.core.pages import viewer
from app.notifications import services
from app.notifications.following.views import bp as following
from app.notifications.preferences.views import bp as preferences
from app.notifications.reactions.views import bp as reactions

bp = Blueprint("notifications", __name__)
for child in (following, reactions, preferences):
    bp.register_blueprint(child)


@bp.app_context_processor
def header_counts():
    return {"unread_notifications": unread_notifications}


def unread_notifications() -> int | None:
    """The signed-in member's unread count, fetched once per request and only when a page asks; None for visitors."""
    if not current_user.is_authenticated:
        return None
    # Kept on the request itself, as the API's caller is: an app context (and its g) can outlive one request.
    if "thaw.unread_notifications" not in request.environ:
        request.environ["thaw.unread_notifications"] = services.unread_count(viewer())
    return request.environ["thaw.unread_notifications"]


@bp.route("/notifications")
@login_required
def index():
    cursor = request.args.get("cursor") or None
    page = services.list_notifications(viewer(), cursor)
    # The newest shown, so "Mark all as read" leaves alone any that arrive while the page is open.
    newest = page.items[0].id if page.items and not cursor else None
    return render_template("notifications/index.html", page=page, cursor=cursor, newest=newest)


@bp.route("/notifications/<int:note_id>")
@login_required
def open_notification(note_id: int):
    """Opening a notification marks it read and shows what it is about."""
    note = services.open_notification(viewer(), note_id)
    if note.link_thread_id is None:
        return redirect(url_for("notifications.index"))
    return redirect(url_for("forum.thread", thread_id=note.link_thread_id,
                            _anchor=f"post-{note.post_id}" if note.post_id else None))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_read():
    typed = request.form.get("up_to", "").strip()
    up_to = as_id(typed) if typed else None
    if typed and up_to is None:
        raise InvalidInput({"up_to": ["This is not a notification. Reload the page and try again."]})
    marked = services.mark_all_read(viewer(), up_to)
    flash("All your notifications are marked as read." if marked else "You had no unread notifications.", "success")
    return redirect(url_for("notifications.index"))
