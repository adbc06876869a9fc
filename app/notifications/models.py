from datetime import datetime
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db


class NotificationKind(str, enum.Enum):
    post_held = "post_held"
    post_approved = "post_approved"
    post_hidden = "post_hidden"
    post_removed = "post_removed"
    post_restored = "post_restored"
    post_edited = "post_edited"
    thread_edited = "thread_edited"
    thread_locked = "thread_locked"
    thread_unlocked = "thread_unlocked"
    warned = "warned"
    suspended = "suspended"
    unsuspended = "unsuspended"


class Notification(db.Model):
    """Tells a member what happened to their post or account, and why. Seen by that member only."""
    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_inbox", "member_id", "read_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(sa.Enum(NotificationKind, native_enum=False, length=30))
    message: Mapped[str] = mapped_column(sa.String(500))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(sa.ForeignKey("threads.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    member = relationship("Member")
