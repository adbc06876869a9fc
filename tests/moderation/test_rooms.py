"""What the moderation package promises as a whole: one limit on a moderator's reason in every room,
and screening that reaches the forum only through the screen moderation registers."""
import pytest

from app.extensions import db
from app.forum.models import PostStatus
from app.forum.screening import EXTENSION as SCREEN
from app.moderation.models import WatchedAction
from app.moderation.reason import REASON_MAX
from app.moderation.words.services import add_watched_word


@pytest.fixture
def thread(forum, make_member):
    return forum.thread(make_member("stiff_steve"), title="Cooling vests in summer", tags=["cooling"])


@pytest.fixture
def held_item(app, premoderation, forum, thread, make_member):
    from app.moderation.models import QueueItem
    post = forum.reply(thread, make_member("new_nina"), "My first words here.")
    assert post.status == PostStatus.pending_review
    return db.session.query(QueueItem).filter_by(post_id=post.id).one()


def requests(thread, held_item):
    return [
        ("post", f"/api/v1/moderation/threads/{thread.id}/lock", {}),
        ("post", f"/api/v1/moderation/queue/{held_item.id}/resolve", {"action": "approve"}),
        ("post", "/api/v1/moderation/queue/bulk-approve", {"item_ids": [held_item.id]}),
        ("post", "/api/v1/moderation/watched-words", {"pattern": "scam", "action": "review"}),
    ]


def test_every_room_takes_a_reason_up_to_the_one_limit_and_no_longer(client, api_headers, admin, thread,
                                                                    held_item):
    headers = api_headers(admin)
    for method, path, body in requests(thread, held_item):
        too_long = getattr(client, method)(path, json=dict(body, reason="x" * (REASON_MAX + 1)), headers=headers)
        assert too_long.status_code == 422, path
        assert "reason" in too_long.get_json()["errors"], path
    lock, _, bulk, words = requests(thread, held_item)  # resolving and bulk approval would decide one item twice
    for method, path, body in (lock, bulk, words):
        fits = getattr(client, method)(path, json=dict(body, reason="x" * REASON_MAX), headers=headers)
        assert fits.status_code in (200, 201), (path, fits.get_json())


def test_the_forum_screens_only_through_the_registered_screen(app, forum, thread, make_member, admin):
    add_watched_word(admin, "miracle cure", WatchedAction.review)
    writer = make_member("writer_wes")
    held = forum.reply(thread, writer, "This miracle cure worked for me.")
    assert held.status == PostStatus.pending_review

    screen = app.extensions.pop(SCREEN)
    try:
        # A forum with no moderation installed publishes what it is given: nothing in the forum
        # itself knows about watched words.
        published = forum.reply(thread, writer, "Another miracle cure story.")
        assert published.status == PostStatus.published
    finally:
        app.extensions[SCREEN] = screen
