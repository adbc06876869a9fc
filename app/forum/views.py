"""Forum pages: tags, threads, the tree of posts, and the forms that change them."""
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import login_required

from app.core.errors import Conflict, DomainError, NotFound
from app.core.forms import Form
from app.core.pages import sort_arg, tag_groups, viewer
from app.forum import services
from app.forum.hooks import forum_hooks
from app.forum.links import post_url
from app.forum.screening import post_screen
from app.forum.models import Post, PostStatus, Thread
from app.forum.schemas import PostEditSchema, ReplySchema, ThreadCreateSchema, ThreadUpdateSchema
from app.members.models import MemberStatus
from app.members.services import member_by_handle
from app.vocabulary.models import TagKind
from app.vocabulary.services import list_tags

bp = Blueprint("forum", __name__)

# A thread page shows this many posts before "Show more replies".
POSTS_PER_PAGE = 200
EXPERIENCE_POLLS_ON_TAG_PAGE = 5
GONE = (PostStatus.deleted, PostStatus.removed)


# --- helpers shared by the pages ----------------------------------------------------

def _own_post(post_id: int) -> Post:
    """A post its author edits or deletes here; moderators act on others' posts with a reason."""
    post = services.get_post(post_id, viewer())
    services.require_author(post, viewer(), moderators_told=(
        "Moderators edit or remove other members' posts with a reason: use Edit as moderator or "
        "Remove as moderator on the post."))
    return post


def _post_in(thread: Thread, post_id: int) -> Post:
    post = services.get_post(post_id, viewer())
    if post.thread_id != thread.id:
        raise NotFound("There is no such post in this thread.")
    return post


def _opening(thread: Thread) -> Post:
    # The opening post comes first in display order, already marked readable.
    return services.thread_posts(thread, viewer(), limit=1).items[0]


def _thread_form(schema, initial: dict | None = None) -> Form:
    """A title/tags form; tags come from a text box of names and from checkboxes."""
    form = Form(schema, initial)
    if form.submitted:
        form.values["tags"] = request.form.get("tags", "")
        form.values["tag"] = request.form.getlist("tag")
    return form


def _tag_refs(form: Form) -> list[str]:
    typed = [name.strip() for name in form.value("tags").split(",") if name.strip()]
    return typed + form.value("tag", [])


def _landing(written: Post | Thread, thread_id: int, url: str) -> str:
    """Where the author goes after writing; with crisis words, the thread page with the support box.

    The box is remembered in the author's own session, so it is shown to them once and to nobody else.
    """
    if not getattr(written, "support", None):
        return url
    session["crisis_support"] = {"thread_id": thread_id, "post_url": url}
    return url_for("forum.thread", thread_id=thread_id, _anchor="crisis-support")


def _support_for(thread: Thread) -> dict | None:
    if "crisis_support" not in session:  # popping a missing key would still rewrite every reader's cookie
        return None
    shown = session.pop("crisis_support")
    if not shown or shown.get("thread_id") != thread.id:
        return None
    return {"text": post_screen().support_text(), "post_url": shown.get("post_url")}


def _replied(post: Post):
    if post.status == PostStatus.pending_review:
        flash("Thank you. Your reply will appear to others once a moderator has looked at it.", "info")
    else:
        flash("Your reply is posted.", "success")
    return redirect(_landing(post, post.thread_id, post_url(post)))


# --- browsing ----------------------------------------------------------------------

@bp.route("/tags")
def tags():
    return render_template("forum/tags.html", groups=tag_groups(list_tags()),
                           counts=services.thread_counts_by_tag())


@bp.route("/tags/<slug>")
def tag(slug: str):
    tag, has_polls = forum_hooks().tag_with_polls(slug)
    if tag is None:
        raise NotFound("There is no tag with that name. Browse all topics to find the one you want.")
    sort, cursor = sort_arg(), request.args.get("cursor")
    # Pinned threads lead the first page only; later pages continue the rest.
    pinned = None if cursor else services.list_threads(viewer(), [tag], sort, limit=50, pinned=True)
    page = services.list_threads(viewer(), [tag], sort, cursor=cursor, pinned=False)
    # A treatment's experience polls lead its first page.
    polls = (forum_hooks().tag_polls(tag, viewer(), EXPERIENCE_POLLS_ON_TAG_PAGE)
             if has_polls and tag.kind == TagKind.treatment and not cursor else [])
    return render_template("forum/tag.html", tag=tag, pinned=pinned, page=page, sort=sort, cursor=cursor,
                           polls=polls)


@bp.route("/members/<handle>")
def member(handle: str):
    member = member_by_handle(handle)
    if member is None or member.status == MemberStatus.deleted:
        raise NotFound("There is no member with that handle.")
    cursor = request.args.get("cursor")
    page = services.list_threads(viewer(), sort="new", cursor=cursor, author=member)
    return render_template("forum/member.html", member=member, page=page, cursor=cursor)


# --- a thread and its posts ----------------------------------------------------------

@bp.route("/threads/<int:thread_id>")
def thread(thread_id: int):
    thread = services.get_thread(thread_id, viewer())
    cursor = request.args.get("cursor")
    page = services.thread_posts(thread, viewer(), limit=POSTS_PER_PAGE, cursor=cursor,
                                 max_depth=current_app.config["THREAD_MAX_DEPTH"])
    # Polls follow the opening post, so only the first page shows them; has_poll spares the queries otherwise.
    polls = forum_hooks().polls_of_thread(thread, viewer()) if thread.has_poll and not cursor else []
    return render_template("forum/thread.html", thread=thread, page=page, cursor=cursor,
                           parents={p.id: p for p in page.items}, form=Form(ReplySchema()),
                           may_edit=services.may_manage(thread.author_id, viewer()), polls=polls,
                           # A locked thread's author can no longer retitle it or add polls; moderators can.
                           may_change=services.may_manage(thread.author_id, viewer())
                           and (not thread.locked or viewer().is_moderator),
                           support=_support_for(thread))


@bp.route("/threads/<int:thread_id>/posts/<int:post_id>")
def conversation(thread_id: int, post_id: int):
    """Replies deeper than the page's cap continue here, indented afresh."""
    thread = services.get_thread(thread_id, viewer())
    root = _post_in(thread, post_id)
    cursor = request.args.get("cursor")
    page = services.thread_posts(thread, viewer(), limit=POSTS_PER_PAGE, cursor=cursor, root=root,
                                 max_depth=root.depth + current_app.config["THREAD_MAX_DEPTH"])
    return render_template("forum/conversation.html", thread=thread, root=root, page=page, cursor=cursor,
                           parents={p.id: p for p in page.items})


# --- writing -----------------------------------------------------------------------

@bp.route("/threads/new", methods=["GET", "POST"])
@login_required
def new_thread():
    form = _thread_form(ThreadCreateSchema(only=("title", "body", "confirm_personal_details")),
                        {"tag": request.args.getlist("tag")})
    if form.submitted:
        # start_thread checks title, body and tags together and names every problem at once;
        # the schema alone would stop before the tags were looked up.
        try:
            thread = services.start_thread(viewer(), form.value("title"), form.value("body"), _tag_refs(form),
                                           form.value("confirm_personal_details", False))
        except DomainError as error:
            form.fail(error)
        else:
            if thread.status == PostStatus.pending_review:
                flash("Thank you. Your thread will appear to others once a moderator has looked at it.", "info")
            else:
                flash("Your thread is started.", "success")
            return redirect(_landing(thread, thread.id, url_for("forum.thread", thread_id=thread.id)))
    return render_template("forum/new_thread.html", form=form, groups=tag_groups(list_tags())), form.status


@bp.route("/threads/<int:thread_id>/edit", methods=["GET", "POST"])
@login_required
def edit_thread(thread_id: int):
    thread = services.get_thread(thread_id, viewer())
    services.require_manager(thread.author_id, viewer())
    # A moderator changing someone else's thread gives a reason: the author is told, and it is logged.
    moderating = thread.author_id != viewer().id
    if thread.locked and not viewer().is_moderator:
        raise Conflict("This thread is locked: its title and tags can no longer be changed.")
    form = _thread_form(ThreadUpdateSchema(only=("title", "reason")),
                        {"title": thread.title, "tag": [t.slug for t in thread.tags]})
    if form.submitted:
        was = thread.status
        try:
            updated = services.update_thread(viewer(), thread.id, form.value("title"), _tag_refs(form),
                                             form.value("reason") if moderating else None)
        except DomainError as error:
            form.fail(error)
        else:
            if updated.status == PostStatus.pending_review and was != updated.status:
                flash("The thread is updated. Others will see it again once a moderator has looked at it.", "info")
            else:
                flash("The thread is updated.", "success")
            return redirect(_landing(updated, thread.id, url_for("forum.thread", thread_id=thread.id)))
    return render_template("forum/edit_thread.html", thread=thread, form=form, moderating=moderating,
                           groups=tag_groups(list_tags())), form.status


@bp.route("/threads/<int:thread_id>/reply/<int:post_id>", methods=["GET", "POST"])
@login_required
def reply(thread_id: int, post_id: int):
    thread = services.get_thread(thread_id, viewer())
    parent = _post_in(thread, post_id)
    form = Form(ReplySchema())
    if form.validate():
        try:
            post = services.reply(viewer(), thread.id, form.data["body"], parent.id,
                                  form.data["confirm_personal_details"])
        except DomainError as error:
            form.fail(error)
        else:
            return _replied(post)
    return render_template("forum/reply.html", thread=thread, parent=parent, form=form,
                           action=url_for("forum.reply", thread_id=thread.id, post_id=parent.id)), form.status


@bp.route("/threads/<int:thread_id>/reply", methods=["GET", "POST"])
@login_required
def reply_to_thread(thread_id: int):
    """The form at the foot of a thread page: a reply to the opening post.

    GET shows it on a page of its own, where signing in (after a session ran out) comes back to.
    """
    form = Form(ReplySchema())
    if form.validate():
        try:
            post = services.reply(viewer(), thread_id, form.data["body"],
                                  confirm_personal_details=form.data["confirm_personal_details"])
        except DomainError as error:
            form.fail(error)
        else:
            return _replied(post)
    thread = services.get_thread(thread_id, viewer())
    return render_template("forum/reply.html", thread=thread, parent=_opening(thread), form=form,
                           action=url_for("forum.reply_to_thread", thread_id=thread.id)), form.status


@bp.route("/posts/<int:post_id>/edit", methods=["GET", "POST"])
@login_required
def edit_post(post_id: int):
    post = _own_post(post_id)
    if post.status in GONE:
        raise Conflict("A deleted post cannot be edited.")
    form = Form(PostEditSchema(), {"body": post.body_source})
    if form.validate():
        was = post.status
        try:
            edited = services.edit_post(viewer(), post.id, form.data["body"], form.data["confirm_personal_details"])
        except DomainError as error:
            form.fail(error)
        else:
            if edited.status == PostStatus.pending_review and was != edited.status:
                flash("Your changes are saved. Others will see the post again once a moderator has looked at it.",
                      "info")
            else:
                flash("Your changes are saved. Earlier versions are kept.", "success")
            return redirect(_landing(edited, edited.thread_id, post_url(edited)))
    return render_template("forum/edit_post.html", post=post, form=form), form.status


@bp.route("/posts/<int:post_id>/delete", methods=["GET", "POST"])
@login_required
def delete_post(post_id: int):
    post = _own_post(post_id)
    if request.method == "POST":
        services.delete_post(viewer(), post.id)
        flash("The post is deleted. Replies to it stay in place.", "success")
        return redirect(post_url(post))
    return render_template("forum/delete_post.html", post=post)


@bp.route("/posts/<int:post_id>/revisions")
@login_required
def revisions(post_id: int):
    revisions = services.post_revisions(post_id, viewer())
    return render_template("forum/revisions.html", post=services.get_post(post_id, viewer()),
                           revisions=revisions)

