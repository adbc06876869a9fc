"""The audit log: written beside each action, in the action's own transaction; read newest first,
filtered by moderator, action and member, a page at a time.

Handles are matched against the names written in each entry at the time, so the log
still filters by a moderator or member whose account has since gone.
"""
from datetime import datetime

import sqlalchemy as sa

from app.core.pagination import Page, decode_cursor, page_of
from app.extensions import db
from app.forum.models import Post, Thread
from app.members.models import Member
from app.members.services import fold_handle
from app.moderation.models import AuditEntry
from app.moderation.rules import require_moderator

# How the log names each action to people; actions recorded by other features read as their code.
ACTION_LABELS = {
    "approve": "Approved a post", "reject": "Rejected a post", "remove": "Removed a post", "hide": "Hid a post", "restore": "Restored a post",
    "dismiss": "Dismissed flags", "edit": "Edited a post", "lock": "Locked a thread", "unlock": "Unlocked a thread",
    "pin": "Pinned a thread", "unpin": "Unpinned a thread", "retag": "Retagged a thread", "retitle": "Retitled a thread", "warn": "Warned a member",
    "suspend": "Suspended a member", "unsuspend": "Lifted a suspension",
    "watched_word_add": "Added a watched word", "watched_word_remove": "Removed a watched word",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action.replace("_", " ").capitalize())


def list_entries(viewer: Member | None, moderator: str | None = None, action: str | None = None,
                 member: str | None = None, limit: int = 20, cursor: str | None = None) -> Page:
    """One query whatever the filters: entries carry every name they show."""
    require_moderator(viewer)
    query = sa.select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit + 1)
    # Handles are ASCII letters, digits, _ and -, so lower() in SQL folds them as fold_handle does.
    if moderator:
        query = query.where(sa.func.lower(AuditEntry.moderator_handle) == fold_handle(moderator.strip()))
    if member:
        query = query.where(sa.func.lower(AuditEntry.member_handle) == fold_handle(member.strip()))
    if action:
        query = query.where(AuditEntry.action == action.strip())
    if cursor:
        at, last_id = decode_cursor(cursor, (datetime, int))
        query = query.where(sa.or_(AuditEntry.at < at, sa.and_(AuditEntry.at == at, AuditEntry.id < last_id)))
    rows = list(db.session.scalars(query))
    return page_of(rows, limit, lambda e: (e.at, e.id))


def name_targets(entries: list[AuditEntry]) -> None:
    """Sets `thread_title` on entries about a thread or a post, so the log names them in words.

    At most two queries, whatever the number of entries.
    """
    thread_ids = {e.target_id for e in entries if e.target_type == "thread" and e.target_id}
    post_ids = {e.target_id for e in entries if e.target_type == "post" and e.target_id}
    threads = dict(db.session.execute(sa.select(Thread.id, Thread.title).where(Thread.id.in_(thread_ids))).all()
                   ) if thread_ids else {}
    posts = dict(db.session.execute(sa.select(Post.id, Thread.title).join(Thread, Post.thread_id == Thread.id)
                                    .where(Post.id.in_(post_ids))).all()) if post_ids else {}
    for entry in entries:
        titles = threads if entry.target_type == "thread" else posts if entry.target_type == "post" else {}
        entry.thread_title = titles.get(entry.target_id)


def recorded_actions(viewer: Member | None) -> list[str]:
    """Every action the log holds, for the filter's choices."""
    require_moderator(viewer)
    known = set(db.session.scalars(sa.select(AuditEntry.action).distinct()))
    return sorted(known | set(ACTION_LABELS), key=action_label)


def latest_reason(member: Member, action: str) -> str | None:
    """Why the latest `action` about a member was taken, for telling them on the sign-in page."""
    return db.session.scalar(
        sa.select(AuditEntry.reason).where(AuditEntry.member_id == member.id, AuditEntry.action == action)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(1))


def record(moderator: Member, action: str, target_type: str, target_id: int | None, reason: str,
           member: Member | None = None, details: dict | None = None) -> AuditEntry:
    """Adds an entry to the session; the caller's commit writes it together with the action.

    `member` is the member the action concerns (a post's author, a suspended member).
    """
    entry = AuditEntry(moderator_id=moderator.id, moderator_handle=moderator.handle,
                       moderator_role=moderator.role.value, action=action, target_type=target_type,
                       target_id=target_id, member_id=member.id if member else None,
                       member_handle=member.handle if member else None, reason=reason, details=details)
    db.session.add(entry)
    return entry
