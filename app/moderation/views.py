"""The moderators' queue page (/mod) and the form members report a post with."""
from functools import wraps

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.core.errors import DomainError, NotFound
from app.core.forms import Form
from app.forum.models import Post
from app.forum.views import viewer
from app.members.auth import write_limit
from app.moderation import services
from app.moderation.models import FLAG_REASON_LABELS, QueueStatus, Resolution
from app.moderation.rules import require_moderator
from app.moderation.schemas import BulkApproveSchema, FlagCreateSchema, ResolveSchema

bp = Blueprint("moderation", __name__)

ITEMS_PER_PAGE = 25

DONE = {
    Resolution.approve: "The post is approved and published.",
    Resolution.reject: "The post is removed.",
    Resolution.hide: "The post is hidden from members.",
    Resolution.restore: "The post is restored.",
    Resolution.dismiss: "The item is dismissed; the post is unchanged.",
}


def moderator_page(view):
    """Pages for moderators and admins: sign-in first, then 403 for anyone else."""
    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        require_moderator(viewer())
        return view(*args, **kwargs)
    return wrapper


def _status_arg() -> str:
    return QueueStatus.resolved.value if request.args.get("status") == "resolved" else QueueStatus.open.value


def _queue_page(status: str = QueueStatus.open.value, http_status: int = 200, failed_item: int | None = None,
                form: Form | None = None, bulk_form: Form | None = None):
    """The queue; after a refused decision, shown again with the message and what the moderator typed."""
    cursor = request.args.get("cursor") or None
    page = services.list_queue(viewer(), status, ITEMS_PER_PAGE, cursor)
    return render_template(
        "moderation/queue.html", page=page, status=status, cursor=cursor,
        urgent=[i for i in page.items if i.urgent], normal=[i for i in page.items if not i.urgent],
        failed_item=failed_item, form=form, bulk_form=bulk_form or Form(BulkApproveSchema()),
        reason_labels=FLAG_REASON_LABELS), http_status


@bp.route("/mod")
@moderator_page
def queue():
    return _queue_page(_status_arg())


def _refused(error: DomainError) -> bool:
    """Refusals shown on the queue page; a missing item is the error page's job."""
    return not isinstance(error, NotFound)


@bp.route("/mod/items/<int:item_id>/resolve", methods=["POST"])
@moderator_page
def resolve(item_id: int):
    form = Form(ResolveSchema())
    if form.validate():
        try:
            services.resolve_item(viewer(), item_id, form.data["action"], form.data["reason"])
        except DomainError as error:
            if not _refused(error):
                raise
            form.fail(error)
        else:
            action = form.data["action"]
            told = "" if action == Resolution.dismiss else " The author is told why."
            flash(DONE[action] + told, "success")
            return redirect(url_for("moderation.queue"))
    return _queue_page(http_status=form.status, failed_item=item_id, form=form)


@bp.route("/mod/bulk-approve", methods=["POST"])
@moderator_page
def bulk_approve():
    form = Form(BulkApproveSchema())
    if form.validate():
        try:
            result = services.bulk_approve(viewer(), form.data["item_ids"], form.data["reason"])
        except DomainError as error:
            if not _refused(error):
                raise
            form.fail(error)
        else:
            if result.approved:
                count = len(result.approved)
                flash(f"{count} {'post is' if count == 1 else 'posts are'} approved and published.", "success")
            for refusal in result.refused:
                flash(f"Item {refusal.id} was not approved: {refusal.reason}", "error")
            return redirect(url_for("moderation.queue"))
    return _queue_page(http_status=form.status, bulk_form=form)


# --- reporting a post ----------------------------------------------------------------

def _post_url(post: Post) -> str:
    """Where the post is read: past the depth cap, its parent's conversation page."""
    if post.depth > current_app.config["THREAD_MAX_DEPTH"]:
        return url_for("forum.conversation", thread_id=post.thread_id, post_id=post.parent_id,
                       _anchor=f"post-{post.id}")
    return url_for("forum.thread", thread_id=post.thread_id, _anchor=f"post-{post.id}")


@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
@write_limit()
def flag(post_id: int):
    post = services.flaggable_post(viewer(), post_id)
    form = Form(FlagCreateSchema(only=("reason", "note")))
    if form.validate():
        try:
            services.flag_post(viewer(), post.id, form.data["reason"], form.data["note"])
        except DomainError as error:
            form.fail(error)
        else:
            flash("Thank you. The moderators will look at this post; the author is not told who reported it.",
                  "success")
            return redirect(_post_url(post))
    return render_template("moderation/flag.html", post=post, form=form, reason_labels=FLAG_REASON_LABELS,
                           back=_post_url(post)), form.status
