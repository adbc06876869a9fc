from datetime import datetime
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from app.core.db import utcnow
from app.extensions import db

# Display order is the order of `path`: each post appends its id, zero-padded
# to a fixed width, to its parent's path. Digits only, so every collation
# sorts it the same way; siblings sort by id, which is creation order.
PATH_SEGMENT_WIDTH = 10


def path_segment(post_id: int) -> str:
    return f"{post_id:0{PATH_SEGMENT_WIDTH}d}"


class PostStatus(str, enum.Enum):
    published = "published"
    pending_review = "pending_review"
    hidden = "hidden"
    removed = "removed"
    deleted = "deleted"


# Statuses whose words nobody but moderators (and, when hidden, the author) may read.
BLANKED_STATUSES = frozenset({PostStatus.hidden, PostStatus.removed, PostStatus.deleted})

thread_tags = sa.Table(
    "thread_tags",
    db.metadata,
    sa.Column("thread_id", sa.ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("tag_id", sa.ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Thread(db.Model):
    __tablename__ = "threads"
    __table_args__ = (
        sa.Index("ix_threads_activity", "last_activity_at", "id"),
        sa.Index("ix_threads_created", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(150))
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"), index=True)
    # Mirrors the opening post, so lists can filter without a join.
    status: Mapped[PostStatus] = mapped_column(sa.Enum(PostStatus, native_enum=False, length=20),
                                               default=PostStatus.published)
    locked: Mapped[bool] = mapped_column(default=False)
    pinned: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Published replies, kept by the services so lists need no count per row.
    reply_count: Mapped[int] = mapped_column(default=0)

    author = relationship("Member", lazy="joined", innerjoin=False)
    tags = relationship("Tag", secondary=thread_tags, order_by="Tag.name")
    posts = relationship("Post", back_populates="thread", lazy="write_only",
                         cascade="all, delete-orphan", passive_deletes=True)

    def __repr__(self) -> str:
        return f"<Thread {self.id} {self.title!r}>"


# Thread lists say whether a thread has a poll, in the same query (a correlated EXISTS). Polls build
# on the forum, so the forum names only the polls table's thread_id here, never the polls feature.
_poll_threads = sa.table("polls", sa.column("thread_id"))
Thread.has_poll = column_property(
    sa.exists().where(_poll_threads.c.thread_id == Thread.id).correlate_except(_poll_threads), deferred=False
)


class Post(db.Model):
    __tablename__ = "posts"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(sa.ForeignKey("threads.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"), index=True)
    depth: Mapped[int] = mapped_column(default=0)
    path: Mapped[str] = mapped_column(sa.Text, default="")
    body_source: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    status: Mapped[PostStatus] = mapped_column(sa.Enum(PostStatus, native_enum=False, length=20),
                                               default=PostStatus.published, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    edited_at: Mapped[datetime | None]

    thread = relationship("Thread", back_populates="posts")
    author = relationship("Member", lazy="joined", innerjoin=False)
    revisions = relationship("PostRevision", back_populates="post", lazy="write_only",
                             cascade="all, delete-orphan", passive_deletes=True,
                             order_by="PostRevision.id")

    @property
    def is_opening(self) -> bool:
        return self.parent_id is None

    def __repr__(self) -> str:
        return f"<Post {self.id} in {self.thread_id}>"


class PostRevision(db.Model):
    """Every version of a post, the first one included, in order."""
    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(sa.ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    editor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id", ondelete="SET NULL"))
    body_source: Mapped[str] = mapped_column(sa.Text)
    body_html: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    post = relationship("Post", back_populates="revisions")
    editor = relationship("Member", lazy="joined", innerjoin=False)
