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
    # What other members did: fanned out after the post is committed (app/notifications/delivery).
    reply = "reply"
    mention = "mention"
    followed_thread = "followed_thread"
    followed_tag = "followed_tag"
    reaction = "reaction"
    moderator_message = "moderator_message"


class Delivery(str, enum.Enum):
    """How a member hears about one kind of notification."""
    off = "off"
    app = "app"
    email = "email"
    daily = "daily"
    weekly = "weekly"


class Notification(db.Model):
    """Tells a member what happened to their post or account, and why. Seen by that member only.

    Notifications about other members' activity are grouped while unread: a second reply in a followed
    thread adds to `count` of the same row ("3 new replies in ...") under one `group_key`.
    """
    __tablename__ = "notifications"
    __table_args__ = (sa.Index("ix_notifications_inbox", "member_id", "read_at", "id"),
                      sa.Index("ix_notifications_group", "member_id", "group_key"),
                      sa.Index("ix_notifications_digest", "delivery", "mailed_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(sa.Enum(NotificationKind, native_enum=False, length=30))
    message: Mapped[str] = mapped_column(sa.String(500))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="SET NULL"))
    thread_id: Mapped[int | None] = mapped_column(sa.ForeignKey("threads.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]
    count: Mapped[int] = mapped_column(default=1, server_default="1")
    group_key: Mapped[str | None] = mapped_column(sa.String(60))
    # How the member chose to hear about this kind when it was written; digests take daily/weekly ones.
    delivery: Mapped[Delivery] = mapped_column(sa.Enum(Delivery, native_enum=False, length=10),
                                               default=Delivery.app, server_default="app")
    mailed_at: Mapped[datetime | None]

    member = relationship("Member")

    @property
    def shown_message(self) -> str:
        """The message as a member reads it: grouped ones say how many, without names."""
        title = getattr(self, "thread_title", None)
        if self.count > 1 and self.kind in GROUPED_MESSAGES and title:
            return GROUPED_MESSAGES[self.kind].format(count=self.count, title=title)
        return self.message


GROUPED_MESSAGES = {
    NotificationKind.reply: "{count} new replies to your posts in '{title}'",
    NotificationKind.mention: "{count} mentions of you in '{title}'",
    NotificationKind.followed_thread: "{count} new replies in '{title}'",
}


class ThreadFollowState(str, enum.Enum):
    following = "following"
    muted = "muted"
    # Unfollowed on purpose: replying again does not follow it back.
    unfollowed = "unfollowed"


class ThreadFollow(db.Model):
    """A member's choice about one thread: follow it, mute it, or stay unfollowed."""
    __tablename__ = "thread_follows"
    __table_args__ = (sa.Index("ix_thread_follows_thread", "thread_id", "state"),)

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True)
    state: Mapped[ThreadFollowState] = mapped_column(sa.Enum(ThreadFollowState, native_enum=False, length=12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TagFollow(db.Model):
    """A member follows a treatment, symptom or trigger tag: new threads in it notify them."""
    __tablename__ = "tag_follows"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    tag_id: Mapped[int] = mapped_column(sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NotificationPreference(db.Model):
    """A member's choice for one kind; kinds without a row follow the defaults (preferences/services.py)."""
    __tablename__ = "notification_preferences"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(30), primary_key=True)
    delivery: Mapped[Delivery] = mapped_column(sa.Enum(Delivery, native_enum=False, length=10))


class NotificationSettings(db.Model):
    """Per member: whether writing in a thread follows it, and when each digest last went out."""
    __tablename__ = "notification_settings"

    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True)
    auto_follow: Mapped[bool] = mapped_column(default=True)


class ReactionKind(str, enum.Enum):
    me_too = "me_too"
    thanks = "thanks"
    support = "support"


class Reaction(db.Model):
    """One member's "me too", "thank you" or "sending support" on a post. Who reacted is never shown."""
    __tablename__ = "reactions"

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), primary_key=True,
                                           index=True)
    kind: Mapped[ReactionKind] = mapped_column(sa.Enum(ReactionKind, native_enum=False, length=10),
                                               primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DeliveryStatus(str, enum.Enum):
    queued = "queued"
    running = "running"
    done = "done"
    skipped = "skipped"
    failed = "failed"


class PostDelivery(db.Model):
    """The fan-out of one post: claimed once, so nobody hears about a post twice; failures stay for admins."""
    __tablename__ = "post_deliveries"

    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True)
    status: Mapped[DeliveryStatus] = mapped_column(sa.Enum(DeliveryStatus, native_enum=False, length=10))
    attempts: Mapped[int] = mapped_column(default=0)
    notified: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(500))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
