"""Opening review-queue items. Whoever notices something about a post (pre-moderation, a flag,
crisis words) calls `open_item`; a post has at most one open item, which only ever grows more urgent."""
import sqlalchemy as sa

from app.extensions import db
from app.forum.models import Post
from app.moderation.models import QueueItem, QueueKind, QueueStatus


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
