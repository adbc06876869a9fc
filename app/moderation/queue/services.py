"""Flags and the review queue: members report posts, moderators decide. Each operation is a unit of work.

A decision, its audit entry and the author's notification are committed together or not at all.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import contains_eager, joinedload

from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.pagination import Page, decode_cursor, page_of
from app.core.schemas import check
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum.models import Post, PostStatus
from app.forum.services import erase_words, get_post, require_active, set_post_status
from app.members.models import Member, Role
from app.moderation.audit import services as audit
from app.moderation.models import (FLAG_REASON_LABELS, AuditEntry, Flag, FlagReason, QueueItem, QueueKind,
                                   QueueStatus, Resolution)
from app.moderation.queue.schemas import (BULK_RULE, CHOOSE_DECISION, CHOOSE_FLAG_REASON, CHOOSE_STATUS,
                                          NOTE_RULE)
from app.moderation.reason import reason_errors
from app.moderation.rules import may_act_on, require_may_act_on, require_moderator
from app.notifications.models import NotificationKind
from app.notifications.services import notify

EXCERPT_CHARS = 240

# What a decision does to the post; None leaves it as it is.
NEW_STATUS = {
    Resolution.approve: PostStatus.published,
    Resolution.reject: PostStatus.removed,
    Resolution.hide: PostStatus.hidden,
    Resolution.restore: PostStatus.published,
    Resolution.dismiss: None,
}

# The decisions that make sense for a post in each state. A held post must be approved or rejected:
# dismissing it would leave it pending with nobody asked to look at it again.
ACTIONS_FOR = {
    PostStatus.pending_review: (Resolution.approve, Resolution.reject),
    PostStatus.published: (Resolution.hide, Resolution.reject, Resolution.dismiss),
    PostStatus.hidden: (Resolution.approve, Resolution.restore, Resolution.reject, Resolution.dismiss),
    PostStatus.removed: (Resolution.restore, Resolution.dismiss),
    PostStatus.deleted: (Resolution.dismiss,),
}

STATUS_WORDS = {
    PostStatus.pending_review: "waiting for approval", PostStatus.published: "published",
    PostStatus.hidden: "hidden", PostStatus.removed: "removed", PostStatus.deleted: "deleted by its author",
}

# Removals, hides, warnings and suspensions are the history a moderator weighs; approvals are not.
HISTORY_ACTIONS = {"reject": "removals", "hide": "hides", "warn": "warnings", "suspend": "suspensions"}


@dataclass
class FlagGroup:
    reason: FlagReason
    count: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return FLAG_REASON_LABELS[self.reason]


@dataclass
class Refusal:
    id: int
    reason: str


@dataclass
class BulkApproval:
    approved: list[QueueItem]
    refused: list[Refusal]


# --- flags ---------------------------------------------------------------------------

def flaggable_post(member: Member | None, post_id: int) -> Post:
    """The post a member wants to report, if they may: 404 when they cannot see it, 422 when it cannot be flagged."""
    member = require_active(member)
    post = get_post(post_id, member)
    if post.author_id == member.id:
        raise InvalidInput({"post_id": ["This is your own post. You can edit or delete it instead."]})
    if post.status in (PostStatus.removed, PostStatus.deleted):
        raise InvalidInput({"post_id": ["This post is already gone, so there is nothing to report."]})
    if not post.readable:
        raise InvalidInput({"post_id": ["This post is already hidden while moderators review it."]})
    return post


def flag_post(member: Member | None, post_id: int, reason: str | FlagReason, note: str | None = None) -> Flag:
    """Files a member's flag, joins it to the post's open queue item, and hides the post once enough
    different established members flagged it (never a post someone may be at risk in: that one must
    stay up; never a moderator's post)."""
    member = require_active(member)
    post = flaggable_post(member, post_id)
    errors: dict = {}
    try:
        reason = FlagReason(reason)
    except ValueError:
        errors["reason"] = [CHOOSE_FLAG_REASON]
    note = (note or "").strip() or None
    if note:
        check(errors, "note", NOTE_RULE, note)
    if errors:
        raise InvalidInput(errors)
    # The unique indexes decide races: a double click meets the one-open-flag index; two members flagging
    # an unflagged post at once meet the one-open-item index, and the loser tries again beside the winner.
    for _ in range(2):
        if _has_open_flag(member.id, post_id):
            raise Conflict("You have already reported this post. A moderator will look at it.")
        try:
            with unit_of_work():
                flag = _add_flag(member, post, reason, note)
            return flag
        except IntegrityError:  # the unit has rolled back
            post = get_post(post_id, member)
    if _has_open_flag(member.id, post_id):
        raise Conflict("You have already reported this post. A moderator will look at it.")
    raise Conflict("Several members reported this post at the same moment. Please send your report again.")


def _has_open_flag(member_id: int, post_id: int) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        Flag.post_id == post_id, Flag.member_id == member_id, Flag.resolved_at.is_(None)))) is True


def _add_flag(member: Member, post: Post, reason: FlagReason, note: str | None) -> Flag:
    if reason == FlagReason.self_harm:
        item = open_item(post, QueueKind.crisis, "Flagged: someone may be at risk", urgent=True)
    else:
        item = open_item(post, QueueKind.flagged_post, f"Flagged: {FLAG_REASON_LABELS[reason]}")
    flag = Flag(post_id=post.id, member_id=member.id, reason=reason, note=note, queue_item_id=item.id)
    db.session.add(flag)
    db.session.flush()  # the partial unique index speaks here when a double click races
    _hide_when_flagged_enough(post, item)
    return flag


def established_members():
    """Members whose flags count towards the automatic hide, in SQL: moderators and admins, and members
    at least FLAG_TRUST_DAYS old with at least FLAG_TRUST_POSTS published posts. New accounts' flags
    still reach the queue; they just cannot hide a post on their own."""
    days, posts = current_app.config["FLAG_TRUST_DAYS"], current_app.config["FLAG_TRUST_POSTS"]
    conditions = []
    if days > 0:
        conditions.append(Member.joined_at <= utcnow() - timedelta(days=days))
    if posts > 0:
        published = (sa.select(sa.func.count(Post.id))
                     .where(Post.author_id == Member.id, Post.status == PostStatus.published)
                     .correlate(Member).scalar_subquery())
        conditions.append(published >= posts)
    if not conditions:
        return sa.true()
    return sa.or_(Member.role.in_([Role.moderator, Role.admin]), sa.and_(*conditions))


def _hide_when_flagged_enough(post: Post, item: QueueItem) -> None:
    threshold = current_app.config["FLAG_HIDE_THRESHOLD"]
    if item.urgent or post.status != PostStatus.published:
        return
    if post.author is not None and post.author.is_moderator:
        return  # a moderator's post is judged by another moderator, never hidden by flags alone
    flaggers = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(Flag.member_id))).join(Member, Member.id == Flag.member_id)
        .where(Flag.post_id == post.id, Flag.resolved_at.is_(None), established_members()))
    if flaggers < threshold:
        return
    set_post_status(post, PostStatus.hidden)
    # Not an audit entry: no moderator acted. The queue item says what happened instead.
    item.cause = f"Hidden automatically after {flaggers} members flagged it"
    notify(post.author, NotificationKind.post_hidden, "Your post is hidden until a moderator reviews it.",
           reason=f"{flaggers} members reported it.", post_id=post.id, thread_id=post.thread_id)


# --- the queue -----------------------------------------------------------------------

def _queue_query():
    # The post's author comes along (Post.author is joined eagerly), and so does the thread.
    return (sa.select(QueueItem).join(QueueItem.post).join(Post.thread)
            .options(contains_eager(QueueItem.post).contains_eager(Post.thread),
                     joinedload(QueueItem.resolved_by)))


def list_queue(viewer: Member | None, status: str = "open", limit: int = 20, cursor: str | None = None) -> Page:
    """Urgent items first, then oldest first; each described in full in a fixed number of queries."""
    moderator = require_moderator(viewer)
    try:
        status = QueueStatus(status)
    except ValueError:
        raise InvalidInput({"status": [CHOOSE_STATUS]})
    query = (_queue_query().where(QueueItem.status == status)
             .order_by(QueueItem.urgent.desc(), QueueItem.created_at, QueueItem.id).limit(limit + 1))
    if cursor:
        urgent, at, last_id = decode_cursor(cursor, (int, datetime, int))
        later = sa.or_(QueueItem.created_at > at, sa.and_(QueueItem.created_at == at, QueueItem.id > last_id))
        if urgent:
            query = query.where(sa.or_(QueueItem.urgent.is_(False), later))
        else:
            query = query.where(QueueItem.urgent.is_(False), later)
    page = page_of(list(db.session.scalars(query)), limit, lambda i: (int(i.urgent), i.created_at, i.id))
    describe(page.items, moderator)
    return page


def get_item(viewer: Member | None, item_id: int) -> QueueItem:
    moderator = require_moderator(viewer)
    return describe([_load_item(item_id)], moderator)[0]


def _load_item(item_id: int) -> QueueItem:
    item = db.session.scalar(_queue_query().where(QueueItem.id == item_id))
    if item is None:
        raise NotFound("There is no such queue item.")
    return item


def describe(items: list[QueueItem], moderator: Member) -> list[QueueItem]:
    """Adds what a moderator needs beside each item: the parent post, flags by reason with their notes,
    the author's history and the decisions open to this moderator. Three queries, however many items."""
    if not items:
        return items
    posts = [item.post for item in items]
    parents = {p.id: p for p in db.session.scalars(
        sa.select(Post).where(Post.id.in_([p.parent_id for p in posts if p.parent_id])))}
    groups: dict[int, dict[FlagReason, FlagGroup]] = defaultdict(dict)
    for item_id, reason, note in db.session.execute(
            sa.select(Flag.queue_item_id, Flag.reason, Flag.note)
            .where(Flag.queue_item_id.in_([i.id for i in items])).order_by(Flag.id)):
        group = groups[item_id].setdefault(reason, FlagGroup(reason))
        group.count += 1
        if note:
            group.notes.append(note)
    history: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(HISTORY_ACTIONS.values(), 0))
    for member_id, action, count in db.session.execute(
            sa.select(AuditEntry.member_id, AuditEntry.action, sa.func.count())
            .where(AuditEntry.member_id.in_([p.author_id for p in posts if p.author_id]),
                   AuditEntry.action.in_(list(HISTORY_ACTIONS)))
            .group_by(AuditEntry.member_id, AuditEntry.action)):
        history[member_id][HISTORY_ACTIONS[action]] = count
    for item in items:
        post = item.post
        # Moderators read what was reported, hidden or removed; only an author's own deletion stays closed.
        post.readable = post.status != PostStatus.deleted
        parent = parents.get(post.parent_id)
        item.parent = parent
        item.parent_excerpt = _excerpt(parent) if parent and parent.status != PostStatus.deleted else None
        item.flag_groups = sorted(groups[item.id].values(), key=lambda g: (-g.count, list(FlagReason).index(g.reason)))
        item.flag_count = sum(g.count for g in item.flag_groups)
        item.author_history = dict(history[post.author_id]) if post.author_id else None
        item.may_act = may_act_on(moderator, post.author)
        item.actions = list(ACTIONS_FOR[post.status]) if item.status == QueueStatus.open and item.may_act else []
    return items


def _excerpt(post: Post) -> str:
    text = " ".join(Markup(post.body_html).striptags().split())
    if len(text) <= EXCERPT_CHARS:
        return text
    return text[:EXCERPT_CHARS].rsplit(" ", 1)[0] + "…"


# --- decisions -----------------------------------------------------------------------

def _checked_reason(reason: str | None, errors: dict) -> str:
    reason, problems = reason_errors(reason)
    if problems:
        errors["reason"] = problems
    return reason


def _checked_decision(action: str | Resolution, reason: str | None) -> tuple[Resolution, str]:
    errors: dict = {}
    try:
        action = Resolution(action)
    except ValueError:
        errors["action"] = [CHOOSE_DECISION]
    reason = _checked_reason(reason, errors)
    if errors:
        raise InvalidInput(errors)
    return action, reason


def _require_sensible(action: Resolution, post: Post) -> None:
    allowed = ACTIONS_FOR[post.status]
    if action not in allowed:
        raise Conflict(f"This post is {STATUS_WORDS[post.status]}, so it cannot take “{action.value}”. "
                       f"Choose {' or '.join(a.value for a in allowed)}.")


def _claim(item: QueueItem, moderator: Member, action: Resolution, reason: str) -> bool:
    """Resolves the item only if it is still open, in one conditional UPDATE: of two moderators
    deciding at once, exactly one wins; the other's UPDATE finds nothing left to change."""
    result = db.session.execute(
        sa.update(QueueItem).where(QueueItem.id == item.id, QueueItem.status == QueueStatus.open)
        .values(status=QueueStatus.resolved, resolved_at=utcnow(), resolved_by_id=moderator.id,
                resolution=action, resolution_reason=reason)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def _notice(action: Resolution, before: PostStatus) -> tuple[NotificationKind, str] | None:
    if action == Resolution.approve:
        if before == PostStatus.pending_review:
            return NotificationKind.post_approved, "Your post was approved and everyone can read it now."
        return NotificationKind.post_approved, "A moderator reviewed your post and everyone can read it again."
    return {
        Resolution.reject: (NotificationKind.post_removed, "A moderator removed your post."),
        Resolution.hide: (NotificationKind.post_hidden, "A moderator hid your post from other members."),
        Resolution.restore: (NotificationKind.post_restored, "A moderator restored your post; everyone can read it again."),
    }.get(action)


def _apply(moderator: Member, item: QueueItem, action: Resolution, reason: str) -> None:
    """The decision's effects, in the caller's transaction: the post, its flags, the log, the author."""
    post = item.post
    before = post.status
    db.session.execute(sa.update(Flag).where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
                       .values(resolved_at=utcnow()).execution_options(synchronize_session=False))
    if NEW_STATUS[action] is not None:
        set_post_status(post, NEW_STATUS[action])
    audit.record(moderator, action.value, "post", post.id, reason, member=post.author,
                 details={"queue_item": item.id})
    if post.status == PostStatus.deleted:
        erase_words(post)  # kept only while this item was open (forum.delete_post)
    notice = _notice(action, before)
    if notice:
        notify(post.author, notice[0], notice[1], reason=reason, post_id=post.id, thread_id=post.thread_id)


def resolve_item(viewer: Member | None, item_id: int, action: str | Resolution, reason: str | None) -> QueueItem:
    moderator = require_moderator(viewer)
    action, reason = _checked_decision(action, reason)
    item = _load_item(item_id)
    if item.status == QueueStatus.resolved:
        raise Conflict("This item is already resolved.")
    require_may_act_on(moderator, item.post.author)
    _require_sensible(action, item.post)
    with unit_of_work():
        if not _claim(item, moderator, action, reason):
            raise Conflict("Another moderator resolved this item a moment ago.")
        _apply(moderator, item, action, reason)
    return get_item(moderator, item_id)


def _bulk_refusal(item: QueueItem | None, moderator: Member) -> str | None:
    if item is None:
        return "There is no such item."
    if item.status == QueueStatus.resolved:
        return "It is already resolved."
    if item.post.status != PostStatus.pending_review:
        return f"Its post is {STATUS_WORDS[item.post.status]}, not waiting for approval."
    if not may_act_on(moderator, item.post.author):
        return ("Another moderator has to approve your own post." if item.post.author_id == moderator.id
                else "Only an admin can approve posts by moderators and admins.")
    return None


def bulk_approve(viewer: Member | None, item_ids: list[int], reason: str | None) -> BulkApproval:
    """Approves several held posts in one transaction, each with its own audit entry and notification.
    Items that cannot be approved are reported back with the reason."""
    moderator = require_moderator(viewer)
    errors: dict = {}
    ids = list(dict.fromkeys(item_ids or []))
    check(errors, "item_ids", BULK_RULE, ids)
    reason = _checked_reason(reason, errors)
    if errors:
        raise InvalidInput(errors)
    found = {item.id: item for item in db.session.scalars(_queue_query().where(QueueItem.id.in_(ids)))}
    approved, refused = [], []
    with unit_of_work():
        for item_id in ids:
            item = found.get(item_id)
            why = _bulk_refusal(item, moderator)
            if why is None and not _claim(item, moderator, Resolution.approve, reason):
                why = "Another moderator resolved it a moment ago."
            if why:
                refused.append(Refusal(item_id, why))
                continue
            _apply(moderator, item, Resolution.approve, reason)
            approved.append(item_id)
    items = {i.id: i for i in db.session.scalars(_queue_query().where(QueueItem.id.in_(approved)))}
    return BulkApproval(describe([items[i] for i in approved], moderator), refused)


def keeps_words(post: Post) -> bool:
    """Whether a flag or queue item on the post is still open: its author's deletion then keeps its words
    until a moderator resolves the item (the forum's `keeps_words` hook)."""
    return db.session.scalar(sa.select(
        sa.exists().where(QueueItem.post_id == post.id, QueueItem.status == QueueStatus.open)
        | sa.exists().where(Flag.post_id == post.id, Flag.resolved_at.is_(None)))) is True


# --- opening items ------------------------------------------------------------------
# Whoever notices something about a post (pre-moderation, a flag, crisis words) calls `open_item`;
# a post has at most one open item, which only ever grows more urgent.

def open_item(post: Post, kind: QueueKind, cause: str, urgent: bool = False) -> QueueItem:
    """The post's open queue item, created or made more urgent; added to the caller's transaction."""
    urgent = urgent or kind == QueueKind.crisis
    item = db.session.scalar(sa.select(QueueItem).where(
        QueueItem.post_id == post.id, QueueItem.status == QueueStatus.open))
    if item is None:
        item = QueueItem(post=post, kind=kind, urgent=urgent, cause=cause[:300])
        db.session.add(item)
        db.session.flush()
        return item
    if urgent and not item.urgent:
        item.urgent = True
        item.kind = QueueKind.crisis
        item.cause = cause[:300]
    elif item.kind == QueueKind.pending_post and kind == QueueKind.flagged_post:
        # A held post that is also flagged stays a pending item: approving it is still the question.
        pass
    return item
