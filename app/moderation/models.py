"""Flags, the review queue, watched words and the append-only audit log."""
from datetime import datetime
import enum

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db


class FlagReason(str, enum.Enum):
    spam = "spam"
    abuse = "abuse"
    misinformation = "misinformation"
    privacy = "privacy"
    off_topic = "off_topic"
    self_harm = "self_harm"
    other = "other"


FLAG_REASON_LABELS = {
    FlagReason.spam: "Spam or advertising",
    FlagReason.abuse: "Abusive or hurtful",
    FlagReason.misinformation: "Dangerous medical claims",
    FlagReason.privacy: "Shares someone's personal information",
    FlagReason.off_topic: "Off-topic",
    FlagReason.self_harm: "Someone may be at risk",
    FlagReason.other: "Something else",
}


class QueueKind(str, enum.Enum):
    pending_post = "pending_post"
    flagged_post = "flagged_post"
    crisis = "crisis"


class QueueStatus(str, enum.Enum):
    open = "open"
    resolved = "resolved"


class Resolution(str, enum.Enum):
    approve = "approve"
    reject = "reject"
    hide = "hide"
    restore = "restore"
    dismiss = "dismiss"


class WatchedAction(str, enum.Enum):
    block = "block"      # the post is refused, the text kept in the form
    review = "review"    # the post waits in the queue
    crisis = "crisis"    # the crisis word list: an urgent item, the post stays up


class QueueItem(db.Model):
    """A post waiting for a moderator. At most one open item per post."""
    __tablename__ = "queue_items"
    __table_args__ = (
        sa.Index("ix_queue_items_order", "status", "urgent", "created_at", "id"),
        sa.Index("uq_queue_items_open_post", "post_id", unique=True,
                 sqlite_where=sa.text("status = 'open'"), postgresql_where=sa.text("status = 'open'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[QueueKind] = mapped_column(sa.Enum(QueueKind, native_enum=False, length=20))
    # Crisis items go first; the API calls this priority urgent|normal.
    urgent: Mapped[bool] = mapped_column(default=False)
    status: Mapped[QueueStatus] = mapped_column(sa.Enum(QueueStatus, native_enum=False, length=20),
                                                default=QueueStatus.open)
    # Why the item was opened, in words for the moderator ("first post of a new member", "matched: …").
    cause: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    resolution: Mapped[Resolution | None] = mapped_column(sa.Enum(Resolution, native_enum=False, length=20))
    resolution_reason: Mapped[str | None] = mapped_column(sa.Text)

    post = relationship("Post")
    resolved_by = relationship("Member")

    @property
    def priority(self) -> str:
        return "urgent" if self.urgent else "normal"


class Flag(db.Model):
    """A member's report of a post. One open flag per member per post."""
    __tablename__ = "flags"
    __table_args__ = (
        sa.Index("uq_flags_open_per_member", "post_id", "member_id", unique=True,
                 sqlite_where=sa.text("resolved_at IS NULL"), postgresql_where=sa.text("resolved_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    queue_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("queue_items.id", ondelete="SET NULL"),
                                                      index=True)
    reason: Mapped[FlagReason] = mapped_column(sa.Enum(FlagReason, native_enum=False, length=20))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None]

    post = relationship("Post")
    member = relationship("Member")
    queue_item = relationship("QueueItem")


class WatchedWord(db.Model):
    __tablename__ = "watched_words"
    __table_args__ = (sa.UniqueConstraint("pattern", "is_regex", "action"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    pattern: Mapped[str] = mapped_column(sa.String(200))
    # A plain word matches whole words, ignoring case; a regular expression is used as written.
    is_regex: Mapped[bool] = mapped_column(default=False)
    action: Mapped[WatchedAction] = mapped_column(sa.Enum(WatchedAction, native_enum=False, length=20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))


class AuditEntry(db.Model):
    """One moderator action: who, what, on what, why, when. Never updated, never deleted."""
    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_at", "at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    moderator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"),
                                                     index=True)
    # Kept as written at the time, so the log still reads if an account goes.
    moderator_handle: Mapped[str] = mapped_column(sa.String(30))
    moderator_role: Mapped[str] = mapped_column(sa.String(20))
    action: Mapped[str] = mapped_column(sa.String(40), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(20))
    target_id: Mapped[int | None]
    # The member the action was about (a post's author, the suspended member), for the log's filter
    # and for the member's history in the queue.
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"), index=True)
    member_handle: Mapped[str | None] = mapped_column(sa.String(30))
    reason: Mapped[str] = mapped_column(sa.Text)
    details: Mapped[dict | None] = mapped_column(sa.JSON)

    moderator = relationship("Member", foreign_keys=[moderator_id])
    member = relationship("Member", foreign_keys=[member_id])


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _audit_log_is_append_only(mapper, connection, target):
    raise PermissionError("The audit log is append-only.")
