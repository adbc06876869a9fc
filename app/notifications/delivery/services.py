"""The fan-out: who must hear about a post, written in batches by a job after the post's commit.

Rules (README, "Notifications"): the author hears nothing of their own post; a member hears once per
post, as the most personal kind (mention, then reply to their post, then a followed thread, then a
followed tag); a member who muted the thread, or chose "off" for that kind, hears nothing; only members
who may read the thread hear, and only active ones; a suspended author's post notifies nobody; at most
MENTION_CAP distinct handles of one post are notified. A notification that finds an unread one of
the same group (the same thread and kind) adds to its count instead of adding a row.

A post is fanned out once, ever (its `PostDelivery` row is claimed), and not at all when it is no
longer published when the job runs (rejected, removed or deleted meanwhile).
"""
import re
from datetime import timedelta

import sqlalchemy as sa

from app.core.db import utcnow
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum.models import Post, PostStatus, Thread, thread_tags
from app.members.models import Member, MemberStatus
from app.notifications.delivery import jobs
from app.notifications.models import (Delivery, DeliveryStatus, Notification, NotificationKind, PostDelivery,
                                      TagFollow, ThreadFollow, ThreadFollowState)
from app.notifications.preferences.services import auto_follow, preference_column

K = NotificationKind
MENTION_CAP = 10
BATCH = 1000
# A claimed fan-out whose worker died is taken up again after this long.
STALE_CLAIM = timedelta(minutes=10)
# The most personal kind wins when one member has several reasons to hear about a post.
PRIORITY = (K.mention, K.reply, K.followed_thread, K.followed_tag)
_MENTION_LINK = re.compile(r'<a [^>]*href="/members/([A-Za-z0-9_-]{1,30})"[^>]*>')


def active_members():
    """Members who can sign in now (SQL): not deleted, not suspended (a past suspension has ended)."""
    return sa.or_(Member.status == MemberStatus.active,
                  sa.and_(Member.status == MemberStatus.suspended, Member.suspended_until.is_not(None),
                          Member.suspended_until <= utcnow()))


def thread_readable_by_members():
    """Threads every member may read (the forum's visible_to for a member who did not write them)."""
    return Thread.status.not_in([PostStatus.pending_review, PostStatus.removed, PostStatus.deleted])


# --- in the request: constant work --------------------------------------------------------------------

def post_published(post: Post) -> None:
    """The forum's hook, inside the unit of work that published the post: the author follows the thread
    (unless they said otherwise), the delivery is recorded, and the fan-out is queued for after commit."""
    if post.author_id is not None and auto_follow(post.author_id):
        if db.session.get(ThreadFollow, (post.author_id, post.thread_id)) is None:
            db.session.add(ThreadFollow(member_id=post.author_id, thread_id=post.thread_id,
                                        state=ThreadFollowState.following))
    if db.session.get(PostDelivery, post.id) is not None:
        return  # restored or approved again: already heard about
    db.session.add(PostDelivery(post_id=post.id, status=DeliveryStatus.queued))
    jobs.enqueue_after_commit(fan_out_post, post.id, job_id=f"fan-out-{post.id}")


# --- the job ------------------------------------------------------------------------------------------

@jobs.in_app
def fan_out_post(post_id: int) -> int:
    """Writes every notification the post causes; returns how many members it told. Safe to run twice."""
    if not _claim(post_id):
        return 0
    try:
        with unit_of_work():
            told, emailed = _fan_out(post_id)
            _finish(post_id, DeliveryStatus.done if told is not None else DeliveryStatus.skipped, told or 0)
    except Exception as error:
        with unit_of_work():
            _finish(post_id, DeliveryStatus.failed, 0, f"{type(error).__name__}: {error}"[:500])
        raise
    from app.notifications.delivery.emails import email_notifications
    for start in range(0, len(emailed), 200):
        jobs.enqueue_after_commit(email_notifications, emailed[start:start + 200])
    return told or 0


def _claim(post_id: int) -> bool:
    now = utcnow()
    with unit_of_work():
        claimed = db.session.execute(
            sa.update(PostDelivery)
            .where(PostDelivery.post_id == post_id,
                   sa.or_(PostDelivery.status.in_([DeliveryStatus.queued, DeliveryStatus.failed]),
                          sa.and_(PostDelivery.status == DeliveryStatus.running,
                                  PostDelivery.updated_at < now - STALE_CLAIM)))
            .values(status=DeliveryStatus.running, attempts=PostDelivery.attempts + 1, updated_at=now)
            .execution_options(synchronize_session=False)).rowcount
    return bool(claimed)


def _finish(post_id: int, status: DeliveryStatus, told: int, error: str | None = None) -> None:
    db.session.execute(sa.update(PostDelivery).where(PostDelivery.post_id == post_id).values(
        status=status, notified=told, last_error=error, updated_at=utcnow())
        .execution_options(synchronize_session=False))


def _fan_out(post_id: int) -> tuple[int | None, list[int]]:
    """(members told, ids of notifications to email at once); (None, []) when the post is not to be told."""
    row = db.session.execute(
        sa.select(Post, Thread, Member).join(Thread, Thread.id == Post.thread_id)
        .join(Member, Member.id == Post.author_id)
        .where(Post.id == post_id)).first()
    if row is None:
        return None, []
    post, thread, author = row
    if (post.status != PostStatus.published or thread.status in (PostStatus.pending_review, PostStatus.removed,
                                                                 PostStatus.deleted)
            or not author.can_sign_in):
        return None, []
    recipients: dict[int, tuple[NotificationKind, str]] = {}
    for kind, query in _audiences(post, thread, author):
        for member_id, delivery in db.session.execute(query):
            if member_id not in recipients:
                recipients[member_id] = (kind, delivery)
    muted = set(db.session.scalars(sa.select(ThreadFollow.member_id).where(
        ThreadFollow.thread_id == thread.id, ThreadFollow.state == ThreadFollowState.muted)))
    by_kind: dict[NotificationKind, list[tuple[int, Delivery]]] = {}
    for member_id, (kind, delivery) in recipients.items():
        if member_id == author.id or member_id in muted or delivery == Delivery.off.value:
            continue
        by_kind.setdefault(kind, []).append((member_id, Delivery(delivery)))
    told = 0
    emailed: list[int] = []
    for kind, members in by_kind.items():
        message = _message(kind, author.handle, thread, post)
        for start in range(0, len(members), BATCH):
            batch = members[start:start + BATCH]
            emailed += _write_batch(kind, batch, message, post, thread)
            told += len(batch)
    return told, emailed


def _audiences(post: Post, thread: Thread, author: Member):
    """(kind, query of (member_id, delivery)) in priority order; each query joins members to keep active ones."""
    def audience(kind, member_ids):
        return (kind, sa.select(Member.id, preference_column(kind, Member.id))
                .where(Member.id.in_(member_ids), active_members()))

    handles = list(dict.fromkeys(h.casefold() for h in _MENTION_LINK.findall(post.body_html or "")))[:MENTION_CAP]
    if handles:
        yield audience(K.mention, sa.select(Member.id).where(Member.handle_key.in_(handles)))
    if post.parent_id is not None:
        yield audience(K.reply, sa.select(Post.author_id).where(
            Post.id == post.parent_id, Post.status.in_([PostStatus.published, PostStatus.hidden])))
    if post.parent_id is not None:
        # Those who followed before the reply was written (a job run late tells no later follower).
        yield audience(K.followed_thread, sa.select(ThreadFollow.member_id).where(
            ThreadFollow.thread_id == thread.id, ThreadFollow.state == ThreadFollowState.following,
            ThreadFollow.created_at <= post.created_at))
    if post.parent_id is None:
        yield audience(K.followed_tag, sa.select(TagFollow.member_id).join(
            thread_tags, thread_tags.c.tag_id == TagFollow.tag_id).where(thread_tags.c.thread_id == thread.id))


def _message(kind: NotificationKind, handle: str, thread: Thread, post: Post) -> str:
    title = thread.title
    return {
        K.mention: f"@{handle} mentioned you in '{title}'",
        K.reply: f"@{handle} replied to your post in '{title}'",
        K.followed_thread: f"@{handle} replied in '{title}'",
        K.followed_tag: f"New thread by @{handle}: '{title}'",
    }[kind][:500]


def group_key(kind: NotificationKind, thread_id: int | None, post_id: int | None = None) -> str | None:
    if kind == K.reaction:
        return f"reaction:{post_id}"
    if kind in (K.mention, K.reply, K.followed_thread):
        return f"{kind.value}:{thread_id}"
    return None


def _write_batch(kind: NotificationKind, batch: list[tuple[int, Delivery]], message: str, post: Post,
                 thread: Thread) -> list[int]:
    """One batch: unread notifications of the same group count one more; the others are inserted at once.
    Returns the ids of new notifications to email now (one email per unread group, never per reply)."""
    key = group_key(kind, thread.id, post.id)
    member_ids = [member_id for member_id, _ in batch]
    grouped: set[int] = set()
    if key is not None:
        grouped = set(db.session.scalars(sa.select(Notification.member_id).where(
            Notification.member_id.in_(member_ids), Notification.group_key == key,
            Notification.read_at.is_(None))))
        if grouped:
            db.session.execute(
                sa.update(Notification)
                .where(Notification.member_id.in_(grouped), Notification.group_key == key,
                       Notification.read_at.is_(None))
                # post_id stays the group's first post: "3 new replies" opens at the first of them
                .values(count=Notification.count + 1, message=message, created_at=utcnow(),
                        # a digest not yet sent takes the larger count; an email already sent is not repeated
                        mailed_at=sa.case((Notification.delivery.in_([Delivery.daily, Delivery.weekly]), None),
                                          else_=Notification.mailed_at))
                .execution_options(synchronize_session=False))
    now = utcnow()
    rows = [dict(member_id=member_id, kind=kind, message=message, post_id=post.id, thread_id=thread.id,
                 group_key=key, delivery=delivery, created_at=now, count=1)
            for member_id, delivery in batch if member_id not in grouped]
    if not rows:
        return []
    written = db.session.execute(sa.insert(Notification).returning(Notification.id, Notification.delivery), rows)
    return [note_id for note_id, delivery in written if delivery == Delivery.email]


def failed() -> dict:
    """What admins see of failed jobs: post deliveries that failed, and RQ's jobs out of retries."""
    deliveries = db.session.scalars(sa.select(PostDelivery).where(PostDelivery.status == DeliveryStatus.failed)
                                    .order_by(PostDelivery.updated_at.desc()).limit(100)).all()
    return {"deliveries": deliveries, "jobs": jobs.failed_jobs()}
