"""A member follows threads (their own and those they reply to, unless they turned that off) and
treatment, symptom or trigger tags, and mutes threads: a muted thread tells them nothing, not even
mentions. Unfollowing is remembered, so replying again does not follow the thread back."""
import sqlalchemy as sa

from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum.models import Thread
from app.forum.services import get_thread, require_active, visible_to
from app.members.models import Member
from app.notifications.models import TagFollow, ThreadFollow, ThreadFollowState
from app.vocabulary.models import Tag
from app.core.errors import NotFound
from app.vocabulary.services import resolve_tags


def thread_state(member: Member | None, thread_id: int) -> ThreadFollowState | None:
    if member is None:
        return None
    row = db.session.get(ThreadFollow, (member.id, thread_id))
    return row.state if row else None


@unit_of_work()
def set_thread_state(member: Member | None, thread_id: int, state: ThreadFollowState) -> ThreadFollowState:
    member = require_active(member)
    thread = get_thread(thread_id, member)
    row = db.session.get(ThreadFollow, (member.id, thread.id))
    if row is None:
        db.session.add(ThreadFollow(member_id=member.id, thread_id=thread.id, state=state))
    else:
        row.state = state
    return state


def follow_thread(member, thread_id):
    return set_thread_state(member, thread_id, ThreadFollowState.following)


def unfollow_thread(member, thread_id):
    return set_thread_state(member, thread_id, ThreadFollowState.unfollowed)


def mute_thread(member, thread_id):
    return set_thread_state(member, thread_id, ThreadFollowState.muted)


def tag_by_ref(ref: str) -> Tag:
    try:
        [tag] = resolve_tags([ref])
    except Exception:  # an unknown reference is a 404 on a path
        raise NotFound("There is no such tag.") from None
    return tag


def follows_tag(member: Member | None, tag_id: int) -> bool:
    return member is not None and db.session.get(TagFollow, (member.id, tag_id)) is not None


@unit_of_work()
def follow_tag(member: Member | None, ref: str) -> Tag:
    member = require_active(member)
    tag = tag_by_ref(ref)
    if db.session.get(TagFollow, (member.id, tag.id)) is None:
        db.session.add(TagFollow(member_id=member.id, tag_id=tag.id))
    return tag


@unit_of_work()
def unfollow_tag(member: Member | None, ref: str) -> Tag:
    member = require_active(member)
    tag = tag_by_ref(ref)
    db.session.execute(sa.delete(TagFollow).where(TagFollow.member_id == member.id, TagFollow.tag_id == tag.id))
    return tag


def following(member: Member) -> dict:
    """The threads the member follows or muted (that they may still read), and the tags they follow."""
    rows = db.session.execute(
        sa.select(Thread, ThreadFollow.state).join(ThreadFollow, ThreadFollow.thread_id == Thread.id)
        .where(ThreadFollow.member_id == member.id,
               ThreadFollow.state.in_([ThreadFollowState.following, ThreadFollowState.muted]),
               visible_to(Thread, member))
        .order_by(Thread.last_activity_at.desc(), Thread.id.desc()).limit(500)).all()
    threads, muted = [], []
    for thread, state in rows:
        (threads if state == ThreadFollowState.following else muted).append(thread)
    tags = list(db.session.scalars(sa.select(Tag).join(TagFollow, TagFollow.tag_id == Tag.id)
                                   .where(TagFollow.member_id == member.id).order_by(Tag.name)))
    return {"threads": threads, "muted": muted, "tags": tags}
