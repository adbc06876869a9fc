"""A member's own deleted post is erased, revisions and all, so moderators cannot read it either; its words
are kept only while a flag or queue item on it is open, and erased when that item is resolved."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.forum import services as forum_services
from app.forum.models import Post, PostRevision, PostStatus
from app.moderation.models import QueueItem, QueueStatus
from app.moderation.queue import services as queue

pytestmark = pytest.mark.usefixtures("vocabulary")

SECRET = "my neurologist is Dr Example at the Riverside clinic"


def stored_texts(post_id: int) -> list[str]:
    db.session.expire_all()
    post = db.session.get(Post, post_id)
    revisions = db.session.scalars(sa.select(PostRevision).where(PostRevision.post_id == post_id))
    return [post.body_source, post.body_html] + [t for r in revisions for t in (r.body_source, r.body_html)]


@pytest.fixture
def author(make_member):
    return make_member("private_pat")


@pytest.fixture
def post(forum, author):
    thread = forum.thread(title="Who treats your spasticity?")
    post = forum.reply(thread, author, SECRET)
    forum_services.edit_post(author, post.id, SECRET + " (edited)")
    return post


def revisions_as_moderator(client, api_headers, moderator, post_id):
    response = client.get(f"/api/v1/posts/{post_id}/revisions", headers=api_headers(moderator))
    assert response.status_code == 200
    return response.get_json()["items"]


def test_deleting_erases_the_post_and_every_revision(client, api_headers, moderator, author, post):
    assert client.delete(f"/api/v1/posts/{post.id}", headers=api_headers(author)).status_code == 204
    assert all(SECRET not in text for text in stored_texts(post.id))
    items = revisions_as_moderator(client, api_headers, moderator, post.id)
    assert len(items) == 2 and all(SECRET not in (r["body_source"] + r["body_html"]) for r in items)
    page = client.get(f"/threads/{post.thread_id}").get_data(as_text=True)
    assert "[deleted]" in page and SECRET not in page


def test_the_delete_page_erases_too(client, pages, author, post):
    pages.sign_in(author)
    assert pages.post(f"/posts/{post.id}/delete", {}).status_code == 302
    assert all(SECRET not in text for text in stored_texts(post.id))


def test_an_open_flag_keeps_the_words_until_a_moderator_resolves_it(client, api_headers, make_member, moderator,
                                                                     author, post):
    assert client.post("/api/v1/flags", headers=api_headers(make_member()),
                       json={"post_id": post.id, "reason": "privacy"}).status_code == 201
    forum_services.delete_post(author, post.id)
    assert any(SECRET in r["body_source"] for r in revisions_as_moderator(client, api_headers, moderator, post.id))
    item_id = db.session.scalar(sa.select(QueueItem.id).where(QueueItem.status == QueueStatus.open))
    queue.resolve_item(moderator, item_id, "dismiss", "Deleted by its author")
    assert all(SECRET not in text for text in stored_texts(post.id))
    assert db.session.get(Post, post.id).status == PostStatus.deleted


def test_a_held_post_deleted_while_waiting_is_kept_for_the_moderator(premoderation, make_member, forum,
                                                                    moderator):
    newcomer = make_member("new_nell")
    thread = forum.thread(moderator, title="Morning stiffness")
    held = forum.reply(thread, newcomer, SECRET)
    assert held.status == PostStatus.pending_review
    forum_services.delete_post(newcomer, held.id)
    assert any(SECRET in text for text in stored_texts(held.id))
    item_id = db.session.scalar(sa.select(QueueItem.id).where(QueueItem.post_id == held.id))
    queue.resolve_item(moderator, item_id, "dismiss", "Its author deleted it")
    assert all(SECRET not in text for text in stored_texts(held.id))


def test_a_moderators_removal_keeps_the_record(moderator, post):
    from app.moderation.actions import services as actions
    actions.remove_post(moderator, post.id, "Personal details of a clinician")
    assert any(SECRET in text for text in stored_texts(post.id))
