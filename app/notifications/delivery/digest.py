"""Daily and weekly digests: one email per member listing what they chose to hear about that way.

Built by `flask notifications digest --daily|--weekly` from a timer (README): the notifications
written with delivery "daily" (or "weekly") that are unread, not yet in a digest, and whose post is
still published. Members are taken in batches; each batch is one unit of work that queues its emails
and marks its notifications, so a digest run twice, or two runs at once, sends nothing twice.
"""
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.core.db import utcnow
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum.models import Post, PostStatus, Thread
from app.members.models import Member
from app.notifications.delivery.emails import public_url, send_notification_email
from app.notifications.delivery.services import active_members
from app.notifications.models import Delivery, Notification

MEMBER_BATCH = 500


def _due(delivery: Delivery):
    cause = aliased(Post)
    return sa.and_(Notification.delivery == delivery, Notification.mailed_at.is_(None),
                   Notification.read_at.is_(None),
                   sa.or_(Notification.post_id.is_(None), Notification.count > 1,
                          sa.exists().where(cause.id == Notification.post_id,
                                            cause.status == PostStatus.published)))


def members_due(delivery: Delivery) -> list[int]:
    return list(db.session.scalars(sa.select(Notification.member_id).where(_due(delivery))
                                   .distinct().order_by(Notification.member_id)))


def send_digests(delivery: Delivery, progress: Callable[[int], None] = lambda n: None) -> tuple[int, int]:
    """Sends every due digest of this kind; returns (emails, notifications in them)."""
    emails = notes = 0
    for batch in _batches(members_due(delivery), MEMBER_BATCH):
        sent, listed = _send_batch(delivery, batch)
        emails, notes = emails + sent, notes + listed
        progress(len(batch))
    return emails, notes


def _batches(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _send_batch(delivery: Delivery, member_ids: list[int]) -> tuple[int, int]:
    period = "today" if delivery == Delivery.daily else "this week"
    session = db.session()
    # The outbox sends each message after this commit with two commits of its own; expiring the batch's
    # rows at every one of them would cost more than the sending (nothing here is read again).
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        return _queue_batch(delivery, member_ids, period)
    finally:
        session.expire_on_commit = expire


def _queue_batch(delivery: Delivery, member_ids: list[int], period: str) -> tuple[int, int]:
    sent = listed = 0
    with unit_of_work():
        rows = db.session.execute(
            sa.select(Notification, Member, Thread.title)
            .join(Member, Member.id == Notification.member_id)
            .outerjoin(Thread, Thread.id == Notification.thread_id)
            .where(Notification.member_id.in_(member_ids), _due(delivery), active_members())
            .order_by(Notification.member_id, Notification.id)
            .with_for_update(of=Notification, skip_locked=True)).all()
        by_member: dict[int, tuple[Member, list[Notification]]] = {}
        for note, member, title in rows:
            note.thread_title = title
            by_member.setdefault(member.id, (member, []))[1].append(note)
        for member, notes in by_member.values():
            if member.email is None:
                continue
            lines = [f"What happened on Thaw {period}:"] + [f"- {note.shown_message}" for note in notes]
            lines.append(f"Read them: {public_url('notifications.index')}")
            count = sum(note.count for note in notes)
            send_notification_email(member, None, f"Thaw: {count} new {'update' if count == 1 else 'updates'} "
                                                  f"{period}", lines,
                                    f"you chose a {delivery.value} digest of your Thaw notifications")
            sent += 1
            listed += len(notes)
        if rows:
            db.session.execute(sa.update(Notification)
                               .where(Notification.id.in_([note.id for note, _, _ in rows]))
                               .values(mailed_at=utcnow()).execution_options(synchronize_session=False))
    return sent, listed
