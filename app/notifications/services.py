"""Telling members what happened to their posts and account, and why. Only the member sees their own."""
import sqlalchemy as sa

from app.core.db import utcnow
from app.core.pagination import Page, decode_cursor, page_of
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum.models import Post
from app.members.models import Member
from app.notifications.models import Notification, NotificationKind


def notify(member: Member | None, kind: NotificationKind, message: str, reason: str | None = None,
           post_id: int | None = None, thread_id: int | None = None) -> Notification | None:
    """Adds a notification to the session; the caller's transaction commits it with the action."""
    if member is None:
        return None
    note = Notification(member_id=member.id, kind=kind, message=message, reason=reason,
                        post_id=post_id, thread_id=thread_id)
    db.session.add(note)
    return note


def unread_count(member: Member) -> int:
    """One indexed count, cheap enough for every page's header."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
        Notification.member_id == member.id, Notification.read_at.is_(None)))


def list_notifications(member: Member, cursor: str | None = None, limit: int = 20,
                       unread_only: bool = False) -> Page:
    """The member's notifications, newest first, each with `link_thread_id` to show it in its thread.

    A notification about a post may not name its thread, so the thread comes from the post,
    in the same query.
    """
    query = (sa.select(Notification, sa.func.coalesce(Notification.thread_id, Post.thread_id))
             .outerjoin(Post, Post.id == Notification.post_id)
             .where(Notification.member_id == member.id)
             .order_by(Notification.id.desc()).limit(limit + 1))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    if cursor:
        (before,) = decode_cursor(cursor, (int,))
        query = query.where(Notification.id < before)
    rows = []
    for note, thread_id in db.session.execute(query):
        note.link_thread_id = thread_id
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
