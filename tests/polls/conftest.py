import pytest


@pytest.fixture
def owner(make_member):
    return make_member("thread_owner")


@pytest.fixture
def thread(forum, owner):
    return forum.thread(owner, title="Did baclofen help you?", tags=["baclofen"])
