from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db


class Conversation(db.Model):
    """A private conversation between the moderators (all of them) and one member."""
    __tablename__ = "moderator_conversations"
    __table_args__ = (sa.Index("ix_moderator_conversations_recent", "last_message_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id", ondelete="CASCADE"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    queue_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("queue_items.id", ondelete="SET NULL"),
                                                      index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(default=utcnow)
    # True when the member wrote last: a moderator should answer.
    awaiting_moderators: Mapped[bool] = mapped_column(default=False)

    member = relationship("Member", foreign_keys=[member_id])
    messages = relationship("ConversationMessage", order_by="ConversationMessage.id", back_populates="conversation",
                            cascade="all, delete-orphan", passive_deletes=True)


class ConversationMessage(db.Model):
    __tablename__ = "moderator_conversation_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(
        sa.ForeignKey("moderator_conversations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    # Kept as written: the member sees "the moderators (@handle)" even if the moderator's account goes.
    author_handle: Mapped[str] = mapped_column(sa.String(30))
    from_moderators: Mapped[bool]
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    conversation = relationship("Conversation", back_populates="messages")
