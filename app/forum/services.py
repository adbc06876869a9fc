"""Forum operations: who may see, start, reply, edit and delete. Each writing one is a unit of work;
the `apply_*` and `set_post_status` building blocks write inside their caller's."""
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from app.core.markdown import render_markdown
from app.core.pagination import Page, decode_cursor, invalid_cursor, page_of
from app.extensions import db
from app.core.schemas import check, rule_errors
from app.core.screening import refusals
from app.core.unit_of_work import unit_of_work
from app.forum.models import Post, PostRevision, PostStatus, Thread, path_segment, thread_tags
from app.forum.hooks import forum_hooks
from app.forum.schemas import BODY_RULE, TAGS_RULE, TITLE_RULE
from app.forum.screening import Verdict, post_screen
from app.members.models import Member, MemberStatus
from app.vocabulary.models import Tag
from app.vocabulary.services import resolve_tags



# --- who sees what ---------------------------------------------------------------

def is_moderator(viewer: Member | None) -> bool:
    return viewer is not None and viewer.is_moderator


def _visible(model, viewer: Member | None, listed: bool = False):
    """Pending content reaches its author and moderators only; removed threads only moderators.

    A thread whose opening post is hidden while moderators review it stays readable (its replies are
    not the flaggers' to take away; the opening post shows as hidden), but leaves thread lists
    (`listed`) until a moderator decides.
    """
    if is_moderator(viewer):
        return sa.true()
    hidden_from_public = [PostStatus.pending_review]
    if model is Thread:
        hidden_from_public += [PostStatus.hidden, PostStatus.removed] if listed else [PostStatus.removed]
    shown = model.status.not_in(hidden_from_public)
    if viewer is None:
        return shown
    return sa.or_(shown, model.author_id == viewer.id)


def _mark_readable(posts: Iterable[Post], viewer: Member | None) -> None:
    """Sets `readable` on each post: whether this viewer may read its words and author."""
    for post in posts:
        if post.status in (PostStatus.removed, PostStatus.deleted):
            post.readable = False
        elif post.status == PostStatus.hidden:
            post.readable = is_moderator(viewer) or (viewer is not None and post.author_id == viewer.id)
        else:
            post.readable = True
    forum_hooks().annotate_posts(posts, viewer)


# The same rules under public names, for the features above the forum that find its posts (search).
visible_to = _visible
mark_readable = _mark_readable


def get_thread(thread_id: int, viewer: Member | None) -> Thread:
    thread = db.session.scalar(
        sa.select(Thread).options(selectinload(Thread.tags))
        .where(Thread.id == thread_id, _visible(Thread, viewer))
    )
    if thread is None:
        raise NotFound("There is no such thread, or it is not visible to you.")
    return thread


def get_post(post_id: int, viewer: Member | None) -> Post:
    post = db.session.scalar(
        sa.select(Post).join(Thread, Post.thread_id == Thread.id)
        .where(Post.id == post_id, _visible(Post, viewer), _visible(Thread, viewer))
    )
    if post is None:
        raise NotFound("There is no such post, or it is not visible to you.")
    _mark_readable([post], viewer)
    return post


# --- reading ---------------------------------------------------------------------

def list_threads(viewer: Member | None, tags: list[Tag] = (), sort: str = "active", limit: int = 20,
                 cursor: str | None = None, pinned: bool | None = None, author: Member | None = None) -> Page:
    """Threads carrying every tag given, newest activity (or newest) first, by keyset."""
    column = Thread.last_activity_at if sort == "active" else Thread.created_at
    query = (sa.select(Thread).options(selectinload(Thread.tags))
             .where(_visible(Thread, viewer, listed=True)).order_by(column.desc(), Thread.id.desc())
             .limit(limit + 1))
    if tags:
        having_all = (sa.select(thread_tags.c.thread_id)
                      .where(thread_tags.c.tag_id.in_([t.id for t in tags]))
                      .group_by(thread_tags.c.thread_id)
                      .having(sa.func.count() == len({t.id for t in tags})))
        query = query.where(Thread.id.in_(having_all))
    if pinned is not None:
        query = query.where(Thread.pinned.is_(pinned))
    if author is not None:
        query = query.where(Thread.author_id == author.id)
    if cursor:
        at, last_id = decode_cursor(cursor, (datetime, int))
        query = query.where(sa.or_(column < at, sa.and_(column == at, Thread.id < last_id)))
    rows = list(db.session.scalars(query))
    return page_of(rows, limit, lambda t: (getattr(t, column.key), t.id))


def thread_posts(thread: Thread, viewer: Member | None, limit: int = 50, cursor: str | None = None,
                 max_depth: int | None = None, root: Post | None = None) -> Page:
    """Posts in display order (depth-first, oldest first among siblings), by keyset on the path.

    With max_depth, deeper posts are left out and each post carries `has_deeper`
    so the page can offer "continue this conversation". With root, only that
    post and its replies.
    """
    query = (sa.select(Post).where(Post.thread_id == thread.id, _visible(Post, viewer))
             .order_by(Post.path).limit(limit + 1))
    if root is not None:
        query = query.where(Post.path.startswith(root.path, autoescape=True))
    if max_depth is not None:
        child = sa.orm.aliased(Post)
        deeper = (sa.exists().where(child.parent_id == Post.id, _visible(child, viewer)))
        query = query.add_columns(sa.and_(Post.depth == max_depth, deeper).label("has_deeper"))
        query = query.where(Post.depth <= max_depth)
    if cursor:
        # The cursor holds the last post's id, not its path: it stays short however deep the thread.
        (last_id,) = decode_cursor(cursor, (int,))
        after = db.session.scalar(sa.select(Post.path).where(Post.id == last_id, Post.thread_id == thread.id))
        if after is None:
            raise invalid_cursor()
        query = query.where(Post.path > after)
    if max_depth is None:
        rows = list(db.session.scalars(query))
    else:
        rows = []
        for post, has_deeper in db.session.execute(query):
            post.has_deeper = bool(has_deeper)
            rows.append(post)
    _mark_readable(rows, viewer)
    return page_of(rows, limit, lambda p: (p.id,))


@dataclass
class ThreadDetail:
    """A thread as GET /threads/{id} shows it: the thread's own fields (read through), the first page of
    its posts, and what features above the forum add (its polls), kept off the stored row."""
    thread: Thread
    first_posts: list[Post] = field(default_factory=list)
    next_cursor: str | None = None
    polls: list = field(default_factory=list)

    def __getattr__(self, name):
        return getattr(self.thread, name)


def thread_detail(thread: Thread, viewer: Member | None, limit: int = 20, cursor: str | None = None) -> ThreadDetail:
    page = thread_posts(thread, viewer, limit=limit, cursor=cursor)
    return ThreadDetail(thread, page.items, page.next_cursor, forum_hooks().polls_of_thread(thread, viewer))


def post_revisions(post_id: int, viewer: Member | None) -> list[PostRevision]:
    post = get_post(post_id, viewer)
    require_manager(post.author_id, viewer)
    return list(db.session.scalars(sa.select(PostRevision).where(PostRevision.post_id == post.id)
                                   .order_by(PostRevision.id)))


def thread_counts_by_tag() -> dict[int, int]:
    """How many visible threads carry each tag, in one query."""
    rows = db.session.execute(
        sa.select(thread_tags.c.tag_id, sa.func.count())
        .join(Thread, Thread.id == thread_tags.c.thread_id)
        .where(Thread.status.not_in([PostStatus.pending_review, PostStatus.hidden, PostStatus.removed]))
        .group_by(thread_tags.c.tag_id)
    )
    return dict(rows.all())


# --- writing ---------------------------------------------------------------------

def require_active(member: Member | None) -> Member:
    if member is None:
        raise NotAllowed("Please sign in first.")
    if not member.can_sign_in:
        raise NotAllowed("Your account is suspended, so you can read but not post.")
    return member


def may_manage(author_id: int | None, member: Member | None) -> bool:
    """Whether a member may edit or delete what author_id wrote: their own things, or as a moderator."""
    return member is not None and (author_id == member.id or member.is_moderator)


def require_manager(author_id: int | None, member: Member | None) -> None:
    if not may_manage(author_id, member):
        raise NotAllowed("Only the author or a moderator can do that.")


def _known_handles(candidates: set[str]) -> dict[str, str]:
    rows = db.session.execute(sa.select(Member.handle_key, Member.handle).where(
        Member.handle_key.in_(candidates), Member.status != MemberStatus.deleted))
    return dict(rows.all())


def _checked_body(body: str) -> str:
    body = (body or "").strip()
    errors = rule_errors(BODY_RULE, body)
    if errors:
        raise InvalidInput({"body": errors})
    return body


def _screened(writer: Member, body: str | None, confirm_personal_details: bool, earlier: Post | None = None,
              moderating: bool = False, title: str | None = None,
              earlier_title: str | None = None) -> tuple[str | None, Verdict]:
    """The body rendered once, and it and the title screened once together; block words (in either),
    personal details in a title, or in a body when the author has not confirmed them, refuse it."""
    html = render_markdown(body, _known_handles) if body is not None else None
    verdict = post_screen().screen(writer, body, html, earlier=earlier, moderating=moderating, title=title,
                                   earlier_title=earlier_title)
    errors = refusals(verdict.found, confirm_personal_details)
    if errors:
        raise InvalidInput(errors)
    return html, verdict


def _checked_tags(refs: list[str]) -> list[Tag]:
    tags = resolve_tags(refs)
    errors = rule_errors(TAGS_RULE, tags)
    if errors:
        raise InvalidInput({"tags": errors})
    return tags


def _collect(errors: dict, check, value):
    try:
        return check(value)
    except InvalidInput as error:
        errors.update(error.errors)
        return None


def _new_post(thread: Thread, author: Member, body: str, html: str, parent: Post | None,
              verdict: Verdict) -> Post:
    """The post, published or held by pre-moderation; then what the screen records about it.

    Sets `support` on the post: the crisis support text when it holds crisis words, else None.
    """
    post = Post(thread=thread, author=author, parent_id=parent.id if parent else None,
                depth=parent.depth + 1 if parent else 0, body_source=body, body_html=html,
                status=verdict.status)
    db.session.add(post)
    db.session.flush()
    post.path = (parent.path if parent else "") + path_segment(post.id)
    db.session.add(PostRevision(post=post, editor=author, body_source=body, body_html=html))
    post.support = post_screen().record(post, verdict)
    if post.status == PostStatus.published:
        forum_hooks().post_published(post)
    return post


@unit_of_work()
def start_thread(author: Member | None, title: str, body: str, tag_refs: list[str],
                 confirm_personal_details: bool = False) -> Thread:
    author = require_active(author)
    errors: dict = {}
    title = (title or "").strip()
    check(errors, "title", TITLE_RULE, title)
    # Every check runs, so the author sees all that needs fixing at once.
    body, tags = _collect(errors, _checked_body, body), _collect(errors, _checked_tags, tag_refs)
    screened = None
    if body:
        # The title is screened with the body, so one verdict holds or publishes the thread.
        valid_title = None if "title" in errors else title
        screened = _collect(errors, lambda text: _screened(author, text, confirm_personal_details,
                                                           title=valid_title), body)
    if errors:
        raise InvalidInput(errors)
    now = utcnow()
    thread = Thread(title=title, author=author, tags=tags, created_at=now, last_activity_at=now)
    db.session.add(thread)
    html, verdict = screened
    opening = _new_post(thread, author, body, html, None, verdict)
    thread.status, thread.support = opening.status, opening.support
    return thread


@unit_of_work()
def reply(author: Member | None, thread_id: int, body: str, parent_id: int | None = None,
          confirm_personal_details: bool = False) -> Post:
    author = require_active(author)
    thread = get_thread(thread_id, author)
    body = _checked_body(body)
    if thread.locked:
        raise Conflict("This thread is locked: it can be read but takes no new replies.")
    if parent_id is None:
        parent = db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_(None)))
    else:
        parent = db.session.scalar(sa.select(Post).where(Post.id == parent_id, Post.thread_id == thread.id,
                                                          _visible(Post, author)))
        if parent is None:
            raise InvalidInput({"parent_id": ["There is no such post in this thread."]})
    if parent.status in (PostStatus.deleted, PostStatus.removed):
        raise Conflict("That post was deleted, so it cannot take replies. Reply to the thread instead.")
    html, verdict = _screened(author, body, confirm_personal_details)
    post = _new_post(thread, author, body, html, parent, verdict)
    if post.status == PostStatus.published:
        db.session.execute(sa.update(Thread).where(Thread.id == thread.id).values(
            reply_count=Thread.reply_count + 1, last_activity_at=post.created_at))
    return post


# What a moderator is told who tries to change someone else's post the author's way.
MODERATORS_USE_API = ("Moderators edit or remove other members' posts with a reason: use "
                      "PATCH /moderation/posts/{id} or POST /moderation/posts/{id}/remove.")


def require_author(post: Post, member: Member, moderators_told: str = MODERATORS_USE_API) -> None:
    """Editing and deleting a post are its author's own acts. A moderator changes someone else's post
    through an audited moderator action, which takes a reason and tells the author why."""
    if post.author_id == member.id:
        return
    if member.is_moderator:
        raise NotAllowed(moderators_told.format(id=post.id))
    raise NotAllowed("Only the author can edit or delete this post.")


@unit_of_work()
def edit_post(editor: Member | None, post_id: int, body: str, confirm_personal_details: bool = False) -> Post:
    editor = require_active(editor)
    post = get_post(post_id, editor)
    require_author(post, editor)
    if post.thread.locked and not editor.is_moderator:
        raise Conflict("This thread is locked, so its posts cannot be edited.")
    apply_edit(editor, post, body, confirm_personal_details=confirm_personal_details)
    _mark_readable([post], editor)
    return post


def apply_edit(editor: Member, post: Post, body: str, confirm_personal_details: bool = False) -> bool:
    """Checks and applies a new body, keeping a revision; True if it changed. Inside the caller's unit of work.

    Permission checks are the caller's: the author's edit and a moderator's edit differ. Block words
    refuse any edit; personal details, review words, links and crisis words count only when the edit
    brings them. Sets `support` on the post as a new post does.
    """
    if post.status in (PostStatus.deleted, PostStatus.removed):
        raise Conflict("A deleted post cannot be edited.")
    body = _checked_body(body)
    post.support = None
    if body == post.body_source:
        return False
    # The author's edit is screened like a new post, so a link or a review word added after approval
    # still waits; a moderator's edit of someone else's post is itself moderation.
    html, verdict = _screened(editor, body, confirm_personal_details, earlier=post,
                              moderating=editor.id != post.author_id)
    post.body_source, post.body_html, post.edited_at = body, html, utcnow()
    db.session.add(PostRevision(post=post, editor=editor, body_source=body, body_html=html))
    if verdict.holds and post.status == PostStatus.published:
        set_post_status(post, PostStatus.pending_review)
    elif verdict.holds:
        verdict.holds = []  # already waiting, or hidden: a moderator looks at it anyway
    post.support = post_screen().record(post, verdict, edited=True)
    return True


@unit_of_work()
def delete_post(actor: Member | None, post_id: int) -> None:
    """The post keeps its place in the tree, marked deleted, so replies still read.

    Its words, and those of every revision, are erased: an author who deletes a post takes it back from
    moderators too. Only while a flag or queue item on it is open are they kept, for the moderator
    deciding it (who erases them by resolving the item)."""
    if actor is None:
        raise NotAllowed("Please sign in first.")
    post = get_post(post_id, actor)
    require_author(post, actor)
    if post.status == PostStatus.deleted:
        return
    if post.status == PostStatus.removed:  # a moderator's removal stays on record, as removed
        raise Conflict("A moderator has already removed this post, so its words are no longer shown.")
    set_post_status(post, PostStatus.deleted)
    if not forum_hooks().keeps_words(post):
        erase_words(post)


def erase_words(post: Post) -> None:
    """Blanks a deleted post's text and its revisions'. Inside the caller's unit of work."""
    post.body_source = post.body_html = ""
    db.session.execute(sa.update(PostRevision).where(PostRevision.post_id == post.id)
                       .values(body_source="", body_html="").execution_options(synchronize_session=False))


def set_post_status(post: Post, status: PostStatus) -> None:
    """Moves a post to a status, keeping its thread's status and reply count in step. Inside the caller's unit of work.

    The thread mirrors its opening post; `reply_count` counts published replies only.
    """
    if post.status == status:
        return
    was_counted = post.status == PostStatus.published and not post.is_opening
    now_counted = status == PostStatus.published and not post.is_opening
    post.status = status
    if status == PostStatus.published:
        forum_hooks().post_published(post)  # approved: heard about now (a post is fanned out once, ever)
    if post.is_opening:
        post.thread.status = status
    change = int(now_counted) - int(was_counted)
    if change:
        values = {"reply_count": Thread.reply_count + change}
        if change > 0:
            values["last_activity_at"] = sa.case((Thread.last_activity_at < post.created_at, post.created_at),
                                                 else_=Thread.last_activity_at)
        db.session.execute(sa.update(Thread).where(Thread.id == post.thread_id).values(**values))


# A moderator's change to someone else's thread through the plain routes still needs a reason for the log.
NO_REASON_GIVEN = "No reason given (through the thread's edit form or PATCH /threads/{id})."


def update_thread(actor: Member | None, thread_id: int, title: str | None = None,
                  tag_refs: list[str] | None = None, reason: str | None = None) -> Thread:
    """The author changes their thread's title or tags (not while it is locked: 409); a moderator
    changing someone else's thread does so as an audited moderator action that tells the author why.

    Sets `support` on the thread when a new title holds crisis words."""
    actor = require_active(actor)
    thread = get_thread(thread_id, actor)
    require_manager(thread.author_id, actor)
    if thread.author_id != actor.id:
        return forum_hooks().moderator_update_thread(actor, thread.id, title, tag_refs,
                                                     (reason or "").strip() or NO_REASON_GIVEN)
    if thread.locked and not actor.is_moderator:
        raise Conflict("This thread is locked: its title and tags can no longer be changed.")
    with unit_of_work():
        apply_thread_update(thread, actor, title, tag_refs)
    return thread


def apply_thread_update(thread: Thread, editor: Member, title: str | None = None,
                        tag_refs: list[str] | None = None) -> bool:
    """Checks every field, screens a new title, then applies the title and tags; True if anything changed.
    Inside the caller's unit of work.

    A new title is screened as an edit of the opening post: block words refuse it (422 naming the title);
    for its author, review words and links hold the thread for a moderator and crisis words open an
    urgent item. A moderator's retitle of someone else's thread counts block words only. Sets `support`.
    """
    errors: dict = {}
    thread.support = None
    if title is not None:
        title = title.strip()
        check(errors, "title", TITLE_RULE, title)
    tags = None
    if tag_refs is not None:
        try:
            tags = _checked_tags(tag_refs)
        except InvalidInput as error:
            errors.update(error.errors)
    retitled = title is not None and title != thread.title and "title" not in errors
    verdict = None
    if retitled:
        try:
            _, verdict = _screened(editor, None, False, title=title, earlier_title=thread.title,
                                   moderating=editor.id != thread.author_id)
        except InvalidInput as error:
            errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    changed = False
    if retitled:
        thread.title, changed = title, True
    if tags is not None and {t.id for t in tags} != {t.id for t in thread.tags}:
        thread.tags, changed = tags, True
    if verdict is not None:
        opening = opening_post(thread)
        if verdict.holds and opening.status == PostStatus.published:
            set_post_status(opening, PostStatus.pending_review)
        elif verdict.holds:
            verdict.holds = []  # already waiting, or hidden: a moderator looks at it anyway
        thread.support = post_screen().record(opening, verdict, edited=True)
    return changed


def opening_post(thread: Thread) -> Post | None:
    return db.session.scalar(sa.select(Post).where(Post.thread_id == thread.id, Post.parent_id.is_(None)))
