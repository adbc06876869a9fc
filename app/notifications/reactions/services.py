"""Reactions: one of each kind per member per post, undoable; never on one's own post, nor on a post
that is not published (hidden, held, removed, deleted). Who reacted is never shown: counts for all,
and `mine` for the reacting member only. The author hears in one grouped notification without names."""
import sqlalchemy as sa

from app.core.errors import Conflict, NotAllowed
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum.models import Post, PostStatus
from app.forum.services import get_post, require_active
from app.members.models import Member
from app.notifications.delivery.services import group_key
from app.notifications.models import Delivery, Notification, NotificationKind, Reaction, ReactionKind
from app.notifications.preferences.services import delivery_for

WORDS = {
    ReactionKind.me_too: ("member said me too", "members said me too"),
    ReactionKind.thanks: ("member said thank you", "members said thank you"),
    ReactionKind.support: ("member is sending support", "members are sending support"),
}
BUTTONS = {ReactionKind.me_too: "Me too", ReactionKind.thanks: "Thank you", ReactionKind.support: "Sending support"}


def in_words(kind: ReactionKind, count: int) -> str:
    one, many = WORDS[kind]
    return f"{count} {one if count == 1 else many}"


def counts_for(post_ids: list[int], viewer: Member | None) -> tuple[dict[int, dict], dict[int, list[str]]]:
    """Counts per post and kind, and the viewer's own kinds, in one query."""
    counts = {post_id: {kind.value: 0 for kind in ReactionKind} for post_id in post_ids}
    mine: dict[int, list[str]] = {post_id: [] for post_id in post_ids}
    if not post_ids:
        return counts, mine
    viewer_id = viewer.id if viewer is not None else -1
    rows = db.session.execute(
        sa.select(Reaction.post_id, Reaction.kind, sa.func.count(),
                  sa.func.max(sa.case((Reaction.member_id == viewer_id, 1), else_=0)))
        .where(Reaction.post_id.in_(post_ids)).group_by(Reaction.post_id, Reaction.kind))
    for post_id, kind, count, own in rows:
        counts[post_id][kind.value] = count
        if own:
            mine[post_id].append(kind.value)
    return counts, mine


def annotate_posts(posts, viewer: Member | None) -> None:
    """The forum's hook: `reactions` and `my_reactions` on each listed post."""
    posts = list(posts)
    counts, mine = counts_for([p.id for p in posts], viewer)
    for post in posts:
        post.reactions, post.my_reactions = counts[post.id], mine[post.id]


def _reactable(member: Member | None, post_id: int) -> tuple[Member, Post]:
    member = require_active(member)
    post = get_post(post_id, member)
    if post.author_id == member.id:
        raise NotAllowed("You cannot react to your own post.")
    if post.status != PostStatus.published:
        raise Conflict("This post is not open to reactions: it is held, hidden or deleted.")
    return member, post


def summary(post: Post, member: Member) -> dict:
    """The counts and the member's own kinds (and, for pages, where the post is)."""
    counts, mine = counts_for([post.id], member)
    return {**counts[post.id], "mine": mine[post.id], "thread_id": post.thread_id}


@unit_of_work()
def react(member: Member | None, post_id: int, kind: ReactionKind) -> dict:
    member, post = _reactable(member, post_id)
    if db.session.get(Reaction, (post.id, member.id, kind)) is None:
        db.session.add(Reaction(post_id=post.id, member_id=member.id, kind=kind))
        db.session.flush()
        _tell_author(post)
    return summary(post, member)


@unit_of_work()
def unreact(member: Member | None, post_id: int, kind: ReactionKind) -> dict:
    member = require_active(member)
    post = get_post(post_id, member)
    db.session.execute(sa.delete(Reaction).where(Reaction.post_id == post.id, Reaction.member_id == member.id,
                                                 Reaction.kind == kind))
    return summary(post, member)


def _tell_author(post: Post) -> None:
    """One unread notification per post, counting reactions; no names, and none after a take-back-and-again
    (the count is of reactions now on the post, so pressing twice adds nothing)."""
    author = post.author
    if author is None or not author.can_sign_in:
        return
    delivery = delivery_for(author.id, NotificationKind.reaction)
    if delivery == Delivery.off:
        return
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Reaction).where(Reaction.post_id == post.id))
    title = post.thread.title
    message = (f"A member reacted to your post in '{title}'" if total == 1
               else f"{total} reactions to your post in '{title}'")[:500]
    key = group_key(NotificationKind.reaction, post.thread_id, post.id)
    note = db.session.scalar(sa.select(Notification).where(
        Notification.member_id == author.id, Notification.group_key == key, Notification.read_at.is_(None)))
    if note is not None:
        note.message, note.count = message, total
        return
    note = Notification(member_id=author.id, kind=NotificationKind.reaction, message=message, post_id=post.id,
                        thread_id=post.thread_id, group_key=key, delivery=delivery, count=total)
    db.session.add(note)
    if delivery == Delivery.email:
        db.session.flush()
        from app.notifications.delivery import jobs
        from app.notifications.delivery.emails import email_notifications
        jobs.enqueue_after_commit(email_notifications, [note.id])
