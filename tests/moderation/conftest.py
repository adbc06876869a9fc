"""Fixtures shared by the moderation tests: production pre-moderation and members with each role."""
import pytest

from app.members.models import Role


@pytest.fixture
def premoderation(app):
    """Pre-moderation as shipped (TestingConfig turns it off so other features post straight through)."""
    app.config.update(HOLD_FIRST_POSTS=1, NEW_MEMBER_LINK_HOURS=24)
    return app.config


@pytest.fixture
def moderator(make_member):
    return make_member("mod_maria", role=Role.moderator)


@pytest.fixture
def admin(make_member):
    return make_member("admin_ada", role=Role.admin)


@pytest.fixture(autouse=True)
def no_activity_notifications(app, monkeypatch):
    """Moderation tests count moderation's own notifications; what members' posts tell followers,
    repliers and the mentioned is tested in tests/notifications (the forum's post_published hook)."""
    from app.forum.hooks import forum_hooks
    monkeypatch.setattr(forum_hooks(), "post_published", lambda post: None)
