import pytest

from app.forum import services


@pytest.fixture
def forum(app, vocabulary, make_member):
    """Helpers to build threads and reply trees through the real services."""
    class Forum:
        def thread(self, author=None, title="Baclofen and night cramps", body="What helps you at night?",
                   tags=("baclofen",)):
            return services.start_thread(author or make_member(), title, body, list(tags))

        def reply(self, thread, author, body="Same here.", parent=None):
            return services.reply(author, thread.id, body, parent.id if parent else None)

    return Forum()
