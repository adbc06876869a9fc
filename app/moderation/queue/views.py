"""The moderators' queue page (/mod) and the form members report a post with."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import login_required

from app.core.errors import DomainError, NotFound
from app.core.forms import Form
from app.forum.links import post_url
from app.core.pages import viewer
from app.members.auth import write_limit
from app.moderation.queue import services
from app.moderation.models import FLAG_REASON_LABELS, QueueStatus, Resolution
from app.moderation.rules import flag_limit, moderator_required
from app.moderation.queue.schemas import BulkApproveSchema, FlagCreateSchema, ResolveSchema

bp = Blueprint("queue", __name__)

ITEMS_PER_PAGE = 25

DONE = {
    Resolution.approve: "The post is approved and published.",
    Resolution.reject: "The post is removed.",
    Resolution.hide: "The post is hidden from members.",
    Resolution.restore: "The post is restored.",
    Resolution.dismiss: "The item is dismissed; the post is unchanged.",
}


def _status_arg() -> str:
    return QueueStatus.resolved.value if request.args.get("status") == "resolved" else QueueStatus.open.value


def _queue_page(status: str = QueueStatus.open.value, http_status: int = 200, failed_item: int | None = None,
                form: Form | None = None, bulk_form: Form | None = None):
    """The queue; after a refused decision, shown again with the message and what the moderator typed."""
    cursor = request.args.get("cursor") or None
    page = services.list_queue(viewer(), status, ITEMS_PER_PAGE, cursor)
    return render_template(
        "moderation/queue/queue.html", page=page, status=status, cursor=cursor,
        urgent=[i for i in page.items if i.urgent], normal=[i for i in page.items if not i.urgent],
        failed_item=failed_item, form=form, bulk_form=bulk_form or Form(BulkApproveSchema()),
        reason_labels=FLAG_REASON_LABELS), http_status


@bp.route("/mod")
@moderator_required
def queue():
    return _queue_page(_status_arg())


def _refused(error: DomainError) -> bool:
    """Refusals shown on the queue page; a missing item is the error page's job."""
    return not isinstance(error, NotFound)


@bp.route("/mod/items/<int:item_id>/resolve", methods=["POST"])
@moderator_required
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
            return redirect(url_for("moderation.queue.queue"))
    return _queue_page(http_status=form.status, failed_item=item_id, form=form)


@bp.route("/mod/bulk-approve", methods=["POST"])
@moderator_required
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
            return redirect(url_for("moderation.queue.queue"))
    return _queue_page(http_status=form.status, bulk_form=form)


# --- reporting a post ----------------------------------------------------------------

@bp.route("/posts/<int:post_id>/flag", methods=["GET", "POST"])
@login_required
@write_limit()
@flag_limit()
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
            return redirect(post_url(post))
    return render_template("moderation/queue/flag.html", post=post, form=form, reason_labels=FLAG_REASON_LABELS,
                           back=post_url(post)), form.status
