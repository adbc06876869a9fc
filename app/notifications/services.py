"""Telling members what happened to their posts and account, and why. Only the member sees their own."""
import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.core.db import utcnow
from app.core.errors import NotFound
from app.core.pagination import Page, decode_cursor, page_of
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum.models import Post, PostStatus, Thread
from app.members.models import Member
from app.notifications.delivery import jobs
from app.notifications.delivery.emails import email_notifications
from app.notifications.models import Delivery, Notification, NotificationKind
from app.notifications.preferences.services import delivery_for


# What other members did: not shown once the post that caused it is no longer published.
ACTIVITY_KINDS = (NotificationKind.reply, NotificationKind.mention, NotificationKind.followed_thread,
                  NotificationKind.followed_tag, NotificationKind.reaction)


def notify(member: Member | None, kind: NotificationKind, message: str, reason: str | None = None,
           post_id: int | None = None, thread_id: int | None = None) -> Notification | None:
    """Adds a notification to the session; the caller's transaction commits it with the action.

    Kinds the member may choose how to hear about (approvals, moderators' messages) follow their choice:
    none when "off", an email after commit when "email".
    """
    if member is None:
        return None
    delivery = delivery_for(member.id, kind)
    if delivery == Delivery.off:
        return None
    note = Notification(member_id=member.id, kind=kind, message=message, reason=reason,
                        post_id=post_id, thread_id=thread_id, delivery=delivery)
    db.session.add(note)
    if delivery == Delivery.email:
        db.session.flush()
        jobs.enqueue_after_commit(email_notifications, [note.id])
    return note


def _shown():
    """Notifications of other members' activity leave when their post does (rejected, removed, deleted);
    a group of several stays (it names no post's words, and its other posts still count)."""
    cause = aliased(Post)
    return sa.or_(Notification.kind.not_in(ACTIVITY_KINDS), Notification.post_id.is_(None), Notification.count > 1,
                  sa.exists().where(cause.id == Notification.post_id, cause.status == PostStatus.published))


def unread_count(member: Member) -> int:
    """One indexed count, cheap enough for every page's header."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.member_id == member.id, Notification.read_at.is_(None), _shown()))


def list_notifications(member: Member, cursor: str | None = None, limit: int = 20,
                       unread_only: bool = False) -> Page:
    """The member's notifications, newest first, each with `link_thread_id` to show it in its thread.

    A notification about a post may not name its thread, so the thread comes from the post,
    in the same query.
    """
    thread_id = sa.func.coalesce(Notification.thread_id, Post.thread_id)
    query = (sa.select(Notification, thread_id, Thread.title)
             .outerjoin(Post, Post.id == Notification.post_id)
             .outerjoin(Thread, Thread.id == thread_id)
             .where(Notification.member_id == member.id, _shown())
             .order_by(Notification.id.desc()).limit(limit + 1))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if cursor:
        (before,) = decode_cursor(cursor, (int,))
        query = query.where(Notification.id < before)
    rows = []
    for note, link_thread_id, title in db.session.execute(query):
        note.link_thread_id, note.thread_title = link_thread_id, title
        rows.append(note)
    return page_of(rows, limit, lambda n: (n.id,))


def mark_all_read(member: Member, up_to: int | None = None) -> int:
    """Marks unread notifications read; with up_to, only those the member has seen (ids up to it).

    A page posts the newest id it showed, so one that arrives meanwhile stays unread.
    """
    query = sa.update(Notification).where(Notification.member_id == member.id, Notification.read_at.is_(None))
    if up_to is not None:
        query = query.where(Notification.id <= up_to)
    with unit_of_work():
        marked = db.session.execute(query.values(read_at=utcnow())).rowcount
    return marked


@unit_of_work()
def open_notification(member: Member, note_id: int) -> Notification:
    """The member's own notification, marked read; another member's is a 404."""
    row = db.session.execute(
        sa.select(Notification, sa.func.coalesce(Notification.thread_id, Post.thread_id))
        .outerjoin(Post, Post.id == Notification.post_id)
        .where(Notification.id == note_id, Notification.member_id == member.id)).first()
    if row is None:
        raise NotFound("There is no such notification.")
    note, note.link_thread_id = row
    if note.read_at is None:
        note.read_at = utcnow()
    return note
