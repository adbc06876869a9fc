"""Fixtures for members' activity notifications: a thread, its followers, reading a member's inbox."""
from tests.mailbox import mailbox, smtp_server  # noqa: F401 (fixtures)
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Notification, NotificationKind


@pytest.fixture
def inbox():
    """A member's notifications as (kind, shown message, count), newest first."""
    def read(member, kind: NotificationKind | None = None) -> list[tuple[str, str, int]]:
        db.session.expire_all()
        query = sa.select(Notification).where(Notification.member_id == member.id).order_by(Notification.id.desc())
        if kind is not None:
            query = query.where(Notification.kind == kind)
        return [(n.kind.value, n.message, n.count) for n in db.session.scalars(query)]
    return read
