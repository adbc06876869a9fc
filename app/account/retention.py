"""What `flask purge` removes: rows Thaw no longer needs, past the periods set in config.py (README, "Retention")."""
from collections.abc import Callable
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.db import utcnow
from app.core.mail import OutboxMessage
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum.models import PostRevision
from app.members.models import ApiToken, EmailLink, IdempotencyKey, Member, MemberStatus
from app.notifications.models import Notification


def _days(setting: str):
    return utcnow() - timedelta(days=current_app.config[setting])


def _expired_tokens():
    return sa.delete(ApiToken).where(ApiToken.expires_at <= utcnow())


def _dead_links():
    return sa.delete(EmailLink).where(sa.or_(EmailLink.used_at.is_not(None), EmailLink.expires_at <= utcnow()))


def _expired_idempotency_keys():
    return sa.delete(IdempotencyKey).where(IdempotencyKey.expires_at <= utcnow())


def _read_notifications():
    return sa.delete(Notification).where(Notification.read_at < _days("PURGE_READ_NOTIFICATIONS_DAYS"))


def _old_revisions():
    # Every revision but each post's latest (the words shown now), once older than the period.
    latest = sa.select(sa.func.max(PostRevision.id)).group_by(PostRevision.post_id)
    return sa.delete(PostRevision).where(PostRevision.created_at < _days("PURGE_REVISIONS_DAYS"),
                                         PostRevision.id.not_in(latest))


def _undeliverable_mail():
    return sa.delete(OutboxMessage).where(OutboxMessage.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"],
                                          OutboxMessage.created_at < _days("PURGE_FAILED_MAIL_DAYS"))


def _held_handles():
    # After HANDLE_HOLD_DAYS a deleted member's handle may be taken again: its key becomes one no handle has.
    return (sa.update(Member).where(Member.status == MemberStatus.deleted,
                                    Member.deleted_at < _days("HANDLE_HOLD_DAYS"),
                                    ~Member.handle_key.startswith("~"))
            .values(handle_key=sa.literal("~") + sa.cast(Member.id, sa.String)))


STEPS: tuple[tuple[str, Callable], ...] = (
    ("expired API tokens", _expired_tokens),
    ("used or expired email links", _dead_links),
    ("expired idempotency keys", _expired_idempotency_keys),
    ("read notifications", _read_notifications),
    ("old post revisions", _old_revisions),
    ("undeliverable emails", _undeliverable_mail),
    ("handles released", _held_handles),
)


def purge(progress: Callable[[str], None] = lambda _: None) -> dict[str, int]:
    """Runs each step in a unit of work of its own; returns how many rows each touched."""
    counts = {}
    for label, statement in STEPS:
        with unit_of_work():
            counts[label] = db.session.execute(statement().execution_options(synchronize_session=False)).rowcount
        progress(label)
    return counts
