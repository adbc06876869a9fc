"""Moderator actions on threads, posts and members.

Each action checks who may act on whom, applies the change, writes its audit
entry and tells the member concerned, all in one commit: a change is never
written without its audit entry, nor an audit entry without its change.
"""
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from app.core.db import utcnow
from app.core.unit_of_work import unit_of_work
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.web import format_datetime
from app.extensions import db
from app.forum import services as forum
from app.forum.models import Post, PostStatus, Thread
from app.members.models import Member, MemberStatus
from app.members.services import member_by_handle
from app.moderation.audit import services as audit
from app.moderation.reason import checked_reason
from app.moderation.rules import require_may_act_on, require_moderator
from app.notifications.models import NotificationKind
from app.notifications.services import notify


# What each thread action changes, the state that would make it a no-op, and what the author is told.
THREAD_ACTIONS = {
    "lock": ("locked", True, "is already locked", NotificationKind.thread_locked,
             "A moderator locked your thread “{title}”: it stays readable but takes no new replies."),
    "unlock": ("locked", False, "is not locked", NotificationKind.thread_unlocked,
               "A moderator unlocked your thread “{title}”: it takes replies again."),
    "pin": ("pinned", True, "is already pinned", None, None),
    "unpin": ("pinned", False, "is not pinned", None, None),
}


def _change_once(model, row, still_needed, values: dict, conflict: str) -> None:
    """Applies `values` with one conditional UPDATE, so that when two moderators act at once
    only one changes the row (and writes an audit entry); the other gets 409."""
    changed = db.session.execute(
        sa.update(model).where(model.id == row.id, still_needed).values(values)
        .execution_options(synchronize_session=False)).rowcount
    if not changed:
        raise Conflict(conflict)
    for name, value in values.items():
        set_committed_value(row, name, value)


def _live_author(author: Member | None) -> Member | None:
    """Whom to tell about their post or thread; nobody when the account is gone."""
    return author if author is not None and author.status != MemberStatus.deleted else None


# --- threads -------------------------------------------------------------------------

def thread_to_moderate(moderator: Member | None, thread_id: int) -> Thread:
    """A thread this moderator may act on: 403 when it is their own or a higher role's."""
    moderator = require_moderator(moderator)
    thread = forum.get_thread(thread_id, moderator)
    require_may_act_on(moderator, thread.author)
    return thread


def thread_action(moderator: Member | None, thread_id: int, action: str, reason: str) -> Thread:
    """lock, unlock, pin or unpin a thread; 409 when it is already so."""
    attribute, value, already, kind, message = THREAD_ACTIONS[action]
    thread = thread_to_moderate(moderator, thread_id)
    reason = checked_reason(reason)
    if getattr(thread, attribute) == value:
        raise Conflict(f"This thread {already}.")

    with unit_of_work():
        column = getattr(Thread, attribute)
        _change_once(Thread, thread, column.is_not(value), {attribute: value}, f"This thread {already}.")
        audit.record(moderator, action, "thread", thread.id, reason, member=thread.author)
        if kind is not None:
            notify(_live_author(thread.author), kind, message.format(title=thread.title), reason,
                   thread_id=thread.id)
        return thread


def lock(moderator: Member | None, thread_id: int, reason: str) -> Thread:
    return thread_action(moderator, thread_id, "lock", reason)


def unlock(moderator: Member | None, thread_id: int, reason: str) -> Thread:
    return thread_action(moderator, thread_id, "unlock", reason)


def pin(moderator: Member | None, thread_id: int, reason: str) -> Thread:
    return thread_action(moderator, thread_id, "pin", reason)


def unpin(moderator: Member | None, thread_id: int, reason: str) -> Thread:
    return thread_action(moderator, thread_id, "unpin", reason)


def retag(moderator: Member | None, thread_id: int, tag_refs: list[str], reason: str) -> Thread:
    """Replaces a thread's tags (1 to 8, as for its author); 409 when they are the same."""
    thread = thread_to_moderate(moderator, thread_id)
    if not _change_thread(moderator, thread, None, list(tag_refs or []), reason):
        raise Conflict("The thread already has exactly these tags.")
    return thread


def edit_thread(moderator: Member | None, thread_id: int, title: str | None, tag_refs: list[str] | None,
                reason: str) -> Thread:
    """A moderator's change to someone else's thread through its edit form or PATCH /threads/{id}:
    retitled and retagged like its author would, but audited, and the author is told why.
    Nothing changed writes nothing."""
    thread = thread_to_moderate(moderator, thread_id)
    _change_thread(moderator, thread, title, tag_refs, reason)
    return thread


def _change_thread(moderator: Member, thread: Thread, title: str | None, tag_refs: list[str] | None,
                   reason: str) -> bool:
    """Applies a new title and tags with an audit entry for each change (retitle, retag) and one
    notification to the author; True if anything changed. A title is screened for block words."""
    before_title, before_tags = thread.title, [t.slug for t in thread.tags]
    with unit_of_work():
        errors: dict = {}
        try:
            checked = checked_reason(reason)
        except InvalidInput as error:
            errors.update(error.errors)
        try:
            changed = forum.apply_thread_update(thread, moderator, title, tag_refs)
        except InvalidInput as error:
            errors.update(error.errors)
        if errors:
            raise InvalidInput(errors)
        if not changed:
            return False
        told = []
        if thread.title != before_title:
            audit.record(moderator, "retitle", "thread", thread.id, checked, member=thread.author,
                         details={"from": before_title, "to": thread.title})
            told.append(f"renamed your thread “{before_title}” to “{thread.title}”")
        after_tags = [t.slug for t in thread.tags]
        if set(after_tags) != set(before_tags):
            audit.record(moderator, "retag", "thread", thread.id, checked, member=thread.author,
                         details={"from": before_tags, "to": after_tags})
            names = ", ".join(t.name for t in thread.tags)
            told.append(f"changed the tags of your thread “{thread.title}” to {names}")
        notify(_live_author(thread.author), NotificationKind.thread_edited,
               ("A moderator " + " and ".join(told) + ".")[:500], checked, thread_id=thread.id)
        return True


# --- posts ---------------------------------------------------------------------------

GONE = (PostStatus.removed, PostStatus.deleted)


def post_to_moderate(moderator: Member | None, post_id: int) -> Post:
    """A post this moderator may act on: 403 when it is their own or a higher role's."""
    moderator = require_moderator(moderator)
    post = forum.get_post(post_id, moderator)
    require_may_act_on(moderator, post.author)
    return post


def post_to_edit(moderator: Member | None, post_id: int) -> Post:
    """A post a moderator may edit: someone else's, not deleted or removed."""
    post = post_to_moderate(moderator, post_id)
    if not post.readable:
        raise Conflict("A deleted or removed post cannot be edited.")
    return post


def moderator_edit(moderator: Member | None, post_id: int, body: str, reason: str) -> Post:
    """Edits someone else's post; the earlier version is kept and the author is told why."""
    post = post_to_edit(moderator, post_id)

    with unit_of_work():
        errors: dict = {}
        try:
            checked = checked_reason(reason)
        except InvalidInput as error:
            errors.update(error.errors)
        try:
            changed = forum.apply_edit(moderator, post, body)
        except InvalidInput as error:
            errors.update(error.errors)
        if errors:
            raise InvalidInput(errors)
        if not changed:
            raise Conflict("The post already says exactly that.")
        audit.record(moderator, "edit", "post", post.id, checked, member=post.author,
                     details={"thread_id": post.thread_id})
        notify(_live_author(post.author), NotificationKind.post_edited,
               f"A moderator edited your post in “{post.thread.title}”. Every earlier version is kept.",
               checked, post_id=post.id, thread_id=post.thread_id)
        return post


def _already_gone(post: Post) -> str:
    if post.status == PostStatus.deleted:
        return "Its author has already deleted this post."
    return "This post is already removed."


def remove_post(moderator: Member | None, post_id: int, reason: str) -> Post:
    """Removes someone else's post: it keeps its place in the thread, blanked, and its author is told why.

    409 when it is already removed or deleted. Returns the post as the moderator now sees it.
    """
    post = post_to_moderate(moderator, post_id)
    reason = checked_reason(reason)
    if post.status in GONE:
        raise Conflict(_already_gone(post))
    before = post.status

    with unit_of_work():
        # Claim the post while it still has the status read above, so of two moderators removing it
        # at once only one does; set_post_status then moves the thread's status and reply count from
        # that same status. (_change_once would mark the row removed already and skip that step.)
        claimed = db.session.execute(
            sa.update(Post).where(Post.id == post.id, Post.status == before).values(status=PostStatus.removed)
            .execution_options(synchronize_session=False)).rowcount
        if not claimed:
            raise Conflict("Another moderator acted on this post a moment ago. Reload it to see what changed.")
        forum.set_post_status(post, PostStatus.removed)
        audit.record(moderator, "remove", "post", post.id, reason, member=post.author,
                     details={"thread_id": post.thread_id, "was": before.value})
        notify(_live_author(post.author), NotificationKind.post_removed,
               f"A moderator removed your post in “{post.thread.title}”. It keeps its place in the thread, "
               "but its words are no longer shown.", reason, post_id=post.id, thread_id=post.thread_id)
    return forum.get_post(post_id, moderator)


# --- members -------------------------------------------------------------------------

def member_to_moderate(moderator: Member | None, handle: str) -> tuple[Member, Member]:
    """(moderator, member) for a member this moderator may act on; 404 for an unknown or deleted handle."""
    moderator = require_moderator(moderator)
    member = member_by_handle(handle)
    if member is None or member.status == MemberStatus.deleted:
        raise NotFound("There is no member with that handle.")
    require_may_act_on(moderator, member)
    return moderator, member


def find_member(viewer: Member | None, handle: str) -> Member:
    """A member as a moderator sees them (any role; acting on them is checked separately)."""
    require_moderator(viewer)
    member = member_by_handle(handle)
    if member is None or member.status == MemberStatus.deleted:
        raise NotFound("There is no member with that handle.")
    return member


def warn(moderator: Member | None, handle: str, reason: str) -> Member:
    moderator, member = member_to_moderate(moderator, handle)
    reason = checked_reason(reason)

    with unit_of_work():
        audit.record(moderator, "warn", "member", member.id, reason, member=member)
        notify(member, NotificationKind.warned,
               "A moderator has warned you about how you take part in Thaw. Please read their reason.", reason)
        return member


def _checked_until(until: datetime | None) -> datetime | None:
    if until is None:
        return None
    if until.tzinfo is None:
        raise InvalidInput({"until": ["Give a time zone, for example a trailing Z for UTC."]})
    if until <= utcnow():
        raise InvalidInput({"until": ["Choose a date in the future, or leave it empty to suspend until unsuspended."]})
    return until


def suspend(moderator: Member | None, handle: str, until: datetime | None, reason: str) -> Member:
    """Suspends until a moment, or indefinitely (until None); 409 if already suspended."""
    moderator, member = member_to_moderate(moderator, handle)
    errors: dict = {}
    for check, value in ((checked_reason, reason), (_checked_until, until)):
        try:
            check(value)
        except InvalidInput as error:
            errors.update(error.errors)
    if errors:
        raise InvalidInput(errors)
    reason = reason.strip()
    already = (f"{member.handle} is already suspended {_until_words(member.suspended_until)}. "
               "Unsuspend them first to change the end of the suspension.")
    if member.is_suspended:
        raise Conflict(already)

    with unit_of_work():
        _change_once(Member, member, sa.not_(_suspended_now()),
                     {"status": MemberStatus.suspended, "suspended_until": until}, already)
        member.rotate_session_secret()  # their sessions end for good, not only while suspended
        audit.record(moderator, "suspend", "member", member.id, reason, member=member,
                     details={"until": until.isoformat().replace("+00:00", "Z") if until else None})
        notify(member, NotificationKind.suspended,
               f"A moderator has suspended your account {_until_words(until)}. "
               "You can read Thaw but not post, vote, flag or report until then.", reason)
        return member


def unsuspend(moderator: Member | None, handle: str, reason: str) -> Member:
    moderator, member = member_to_moderate(moderator, handle)
    reason = checked_reason(reason)
    if not member.is_suspended:
        raise Conflict(f"{member.handle} is not suspended.")

    with unit_of_work():
        ended = member.suspended_until
        _change_once(Member, member, _suspended_now(), {"status": MemberStatus.active, "suspended_until": None},
                     f"{member.handle} is not suspended.")
        audit.record(moderator, "unsuspend", "member", member.id, reason, member=member,
                     details={"was_until": ended.isoformat().replace("+00:00", "Z") if ended else None})
        notify(member, NotificationKind.unsuspended,
               "A moderator has lifted the suspension of your account. Welcome back.", reason)
        return member


def _suspended_now():
    """Member.is_suspended, in SQL."""
    return sa.and_(Member.status == MemberStatus.suspended,
                   sa.or_(Member.suspended_until.is_(None), Member.suspended_until > utcnow()))


def _until_words(until: datetime | None) -> str:
    return f"until {format_datetime(until)}" if until else "until a moderator lifts it"
