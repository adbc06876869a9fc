"""Moderator pages: acting on threads, posts and members."""
from datetime import datetime, time, timedelta, timezone

from flask import Blueprint, flash, redirect, render_template, request, url_for

from app.core.db import utcnow
from app.core.errors import DomainError, InvalidInput
from app.core.forms import Form
from app.core.pages import tag_groups, viewer
from app.forum import services as forum
from app.forum.links import post_url
from app.moderation.actions import services as actions
from app.moderation.audit import services as log
from app.moderation.actions.schemas import ModeratorEditSchema, ReasonSchema, RemovePostSchema, SuspendFormSchema
from app.moderation.rules import may_act_on, moderator_required
from app.vocabulary.services import list_tags

bp = Blueprint("actions", __name__)

HISTORY_PAGE_SIZE = 20
THREAD_ACTION_WORDS = {
    "lock": ("Lock the thread", "It stays readable but takes no new replies. Its author is told, with your reason.",
             "The thread is locked."),
    "unlock": ("Unlock the thread", "It takes replies again. Its author is told, with your reason.",
               "The thread is unlocked."),
    "pin": ("Pin the thread", "Pinned threads lead the first page of each of their tags.", "The thread is pinned."),
    "unpin": ("Unpin the thread", "It goes back among the other threads, by latest activity.",
              "The thread is unpinned."),
}
MEMBER_ACTION_DONE = {"warn": "{handle} is warned and told your reason.",
                      "suspend": "{handle} is suspended and told your reason.",
                      "unsuspend": "{handle}'s suspension is lifted and they are told your reason."}


bp.add_app_template_global(may_act_on, "may_act_on")


# --- threads -------------------------------------------------------------------------

@bp.route("/mod/threads/<int:thread_id>/<any(lock, unlock, pin, unpin):action>", methods=["GET", "POST"])
@moderator_required
def thread_action(thread_id: int, action: str):
    """The thread page's tools post here; a refused form comes back on a page of its own."""
    thread = actions.thread_to_moderate(viewer(), thread_id)
    form = Form(ReasonSchema())
    if form.submitted:
        try:
            actions.thread_action(viewer(), thread.id, action, form.value("reason"))
        except DomainError as error:
            form.fail(error)
        else:
            flash(THREAD_ACTION_WORDS[action][2], "success")
            return redirect(url_for("forum.thread", thread_id=thread.id))
    return render_template("moderation/actions/thread_action.html", thread=thread, action=action, form=form,
                           words=THREAD_ACTION_WORDS[action]), form.status


@bp.route("/mod/threads/<int:thread_id>/retag", methods=["GET", "POST"])
@moderator_required
def retag(thread_id: int):
    thread = actions.thread_to_moderate(viewer(), thread_id)
    form = Form(ReasonSchema(), {"tag": [t.slug for t in thread.tags]})
    if form.submitted:
        form.values["tags"] = request.form.get("tags", "")
        form.values["tag"] = request.form.getlist("tag")
        typed = [name.strip() for name in form.value("tags").split(",") if name.strip()]
        try:
            actions.retag(viewer(), thread.id, typed + form.value("tag", []), form.value("reason"))
        except DomainError as error:
            form.fail(error)
        else:
            flash("The thread's tags are changed.", "success")
            return redirect(url_for("forum.thread", thread_id=thread.id))
    return render_template("moderation/actions/retag.html", thread=thread, form=form,
                           groups=tag_groups(list_tags())), form.status


# --- posts ---------------------------------------------------------------------------

@bp.route("/mod/posts/<int:post_id>")
@moderator_required
def show_post(post_id: int):
    """Where the audit log links a post: the post in its thread."""
    return redirect(post_url(forum.get_post(post_id, viewer())))


@bp.route("/mod/posts/<int:post_id>/edit", methods=["GET", "POST"])
@moderator_required
def edit_post(post_id: int):
    post = actions.post_to_edit(viewer(), post_id)
    form = Form(ModeratorEditSchema(), {"body": post.body_source})
    if form.submitted:
        try:
            actions.moderator_edit(viewer(), post.id, form.value("body"), form.value("reason"))
        except DomainError as error:
            form.fail(error)
        else:
            flash("The post is edited and its author is told your reason. Earlier versions are kept.", "success")
            return redirect(post_url(post))
    return render_template("moderation/actions/edit_post.html", post=post, form=form), form.status


@bp.route("/mod/posts/<int:post_id>/remove", methods=["GET", "POST"])
@moderator_required
def remove_post(post_id: int):
    """A confirmation with the post quoted; a post already gone says so instead of offering the form."""
    post = actions.post_to_moderate(viewer(), post_id)
    form = Form(RemovePostSchema())
    if form.submitted:
        try:
            actions.remove_post(viewer(), post.id, form.value("reason"))
        except DomainError as error:
            form.fail(error)
        else:
            flash("The post is removed and its author is told your reason. Replies to it stay in place.", "success")
            return redirect(post_url(post))
    return render_template("moderation/actions/remove_post.html", post=post, form=form,
                           gone=post.status in actions.GONE), form.status


# --- members -------------------------------------------------------------------------

def _member_page(handle: str, forms: dict | None = None, status: int = 200):
    member = actions.find_member(viewer(), handle)
    cursor = request.args.get("cursor") or None
    history = log.list_entries(viewer(), member=member.handle, limit=HISTORY_PAGE_SIZE, cursor=cursor)
    log.name_targets(history.items)
    forms = {name: (forms or {}).get(name) or _blank_form() for name in ("warn", "suspend", "unsuspend")}
    return render_template("moderation/actions/member.html", member=member, history=history, cursor=cursor, forms=forms,
                           may_act=may_act_on(viewer(), member),
                           tomorrow=(utcnow() + timedelta(days=1)).date()), status


@bp.route("/mod/members/<handle>")
@moderator_required
def member(handle: str):
    return _member_page(handle)


def _blank_form() -> Form:
    """A form as first shown, even on the page that answers another form's POST."""
    form = Form(ReasonSchema())
    form.values, form.submitted = {}, False
    return form


def _suspension_end(form: Form) -> datetime | None:
    """The form's date as the start of that day in UTC; its schema has already checked the date."""
    if not form.validate():
        raise InvalidInput(dict(form.errors))
    day = form.data["until"]
    return datetime.combine(day, time(0), tzinfo=timezone.utc) if day else None


@bp.route("/mod/members/<handle>/<any(warn, suspend, unsuspend):action>", methods=["POST"])
@moderator_required
def member_action(handle: str, action: str):
    form = Form(SuspendFormSchema() if action == "suspend" else ReasonSchema())
    try:
        if action == "suspend":
            member = actions.suspend(viewer(), handle, _suspension_end(form), form.value("reason"))
        else:
            member = getattr(actions, action)(viewer(), handle, form.value("reason"))
    except DomainError as error:
        if error.status in (401, 403, 404):
            raise
        form.errors.clear()
        form.fail(error)
        return _member_page(handle, {action: form}, form.status)
    flash(MEMBER_ACTION_DONE[action].format(handle=member.handle), "success")
    return redirect(url_for("moderation.actions.member", handle=member.handle))
