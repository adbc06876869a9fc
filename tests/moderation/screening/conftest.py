"""Fixtures the screening tests share: established members, a thread to reply in, the crisis words."""
from datetime import timedelta

import pytest

from app.core.db import utcnow
from app.extensions import db
from app.forum import services as forum_services
from app.forum.models import Post, PostStatus


def approve(post: Post) -> None:
    forum_services.set_post_status(post, PostStatus.published)
    db.session.commit()


@pytest.fixture
def established(make_member):
    """A member who joined long ago and whose first post was approved."""
    def make(handle=None, **attrs):
        member = make_member(handle, joined_at=utcnow() - timedelta(days=90), **attrs)
        approve(forum_services.opening_post(forum_services.start_thread(member, "My first thread", "Hello!",
                                                                        ["baclofen"])))
        return member
    return make


@pytest.fixture
def thread(established):
    return forum_services.start_thread(established("thread_owner"), "Cooling vests?", "Which one?", ["heat"])


@pytest.fixture
def crisis_words(app):
    from app.moderation.words.services import seed_crisis_words
    seed_crisis_words()
