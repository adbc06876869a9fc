"""Thread titles are screened with the body, at creation and on every retitle (API and pages):
block words refuse with a 422 naming the title, review words and links hold the thread, crisis words
raise an urgent item and show support."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.forum import services as forum_services
from app.forum.models import PostStatus, Thread
from app.moderation.models import QueueItem, QueueKind, QueueStatus, WatchedAction
from app.notifications.models import Notification, NotificationKind
from tests.moderation.screening.test_screening import THREAD, count, text_of, watch

pytestmark = pytest.mark.usefixtures("premoderation", "vocabulary")


def item_of(thread_id: int) -> QueueItem | None:
    opening = forum_services.opening_post(db.session.get(Thread, thread_id))
    return db.session.scalar(sa.select(QueueItem).where(QueueItem.post_id == opening.id,
                                                        QueueItem.status == QueueStatus.open))


def start(client, headers, **changes):
    return client.post("/api/v1/threads", headers=headers, json=dict(THREAD, **changes))


def retitle(client, headers, thread, title, **extra):
    return client.patch(f"/api/v1/threads/{thread.id}", headers=headers, json={"title": title, **extra})


def current_title(thread) -> str:
    db.session.expire_all()
    return db.session.get(Thread, thread.id).title


class TestBlockWords:
    @pytest.mark.parametrize("title", ["Buy zzblockword here", "Buy ＺＺＢＬＯＣＫＷＯＲＤ here",
                                       "Buy zz\u200bblockword here"])
    def test_a_new_thread_is_refused_naming_the_title(self, client, established, api_headers, title):
        watch("zzblockword", WatchedAction.block)
        response = start(client, api_headers(established()), title=title)
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
        errors = response.get_json()["errors"]
        assert set(errors) == {"title"} and "Your title contains “zzblockword”" in errors["title"][0]
        assert count(Thread, Thread.title == title) == 0

    def test_title_and_body_are_named_together(self, client, established, api_headers):
        watch("zzblockword", WatchedAction.block)
        response = start(client, api_headers(established()), title="zzblockword title", body="zz*block*word body")
        assert set(response.get_json()["errors"]) == {"title", "body"}

    def test_a_retitle_is_refused_and_the_title_stays(self, client, established, api_headers):
        watch("zzblockword", WatchedAction.block)
        author = established()
        thread = forum_services.start_thread(author, "A fine title", "Body", ["heat"])
        response = retitle(client, api_headers(author), thread, "Now zzblockword")
        assert response.status_code == 422 and set(response.get_json()["errors"]) == {"title"}
        assert current_title(thread) == "A fine title"

    def test_the_pages_refuse_it_and_keep_what_was_typed(self, client, pages, established):
        watch("zzblockword", WatchedAction.block)
        author = established("page_writer")
        pages.sign_in(author)
        new = pages.post("/threads/new", {"title": "zzblockword deals", "body": "Hello", "tags": "heat"})
        assert new.status_code == 422 and "Your title contains “zzblockword”" in text_of(new)
        assert 'value="zzblockword deals"' in new.get_data(as_text=True)
        thread = forum_services.start_thread(author, "A fine title", "Body", ["heat"])
        edit = pages.post(f"/threads/{thread.id}/edit", {"title": "zzblockword deals", "tags": "heat"})
        assert edit.status_code == 422 and "Your title contains “zzblockword”" in text_of(edit)
        assert current_title(thread) == "A fine title"

    def test_a_moderators_retitle_meets_block_words_too(self, client, moderator, established, api_headers):
        watch("zzblockword", WatchedAction.block)
        thread = forum_services.start_thread(established(), "A fine title", "Body", ["heat"])
        response = retitle(client, api_headers(moderator), thread, "zzblockword", reason="Clearer")
        assert response.status_code == 422 and "title" in response.get_json()["errors"]

    def test_personal_details_in_a_title_are_refused(self, client, established, api_headers):
        response = start(client, api_headers(established()), title="Call me on 07700 900123",
                         confirm_personal_details=True)
        assert response.status_code == 422 and "title" in response.get_json()["errors"]


class TestReviewWordsAndLinks:
    def test_a_review_word_in_a_new_title_holds_the_thread(self, client, established, api_headers):
        watch("miracle cure", WatchedAction.review)
        response = start(client, api_headers(established()), title="A MIRACLE *cure* for spasms")
        assert response.status_code == 201 and response.get_json()["status"] == "pending_review"
        item = item_of(response.get_json()["id"])
        assert item.kind == QueueKind.pending_post and item.cause == "Matched watched word “miracle cure” in the title"

    def test_a_retitle_with_a_review_word_holds_the_thread_again(self, client, established, api_headers,
                                                                 make_member):
        watch("miracle cure", WatchedAction.review)
        author = established("retitler")
        thread = forum_services.start_thread(author, "Cooling vests", "Which one?", ["heat"])
        response = retitle(client, api_headers(author), thread, "Miracle cure inside")
        assert response.status_code == 200 and response.get_json()["status"] == "pending_review"
        assert item_of(thread.id).cause == "Matched watched word “miracle cure” in the title"
        note = db.session.scalar(sa.select(Notification).where(Notification.member_id == author.id))
        assert note.kind == NotificationKind.post_held
        # Others no longer find it until a moderator looks.
        assert client.get(f"/api/v1/threads/{thread.id}", headers=api_headers(make_member())).status_code == 404

    def test_the_edit_page_holds_it_too(self, client, pages, established):
        watch("miracle cure", WatchedAction.review)
        author = established("page_retitler")
        thread = forum_services.start_thread(author, "Cooling vests", "Which one?", ["heat"])
        pages.sign_in(author)
        response = pages.post(f"/threads/{thread.id}/edit", {"title": "Miracle cure inside", "tags": "heat"})
        assert response.status_code == 302
        assert "once a moderator has looked at it" in text_of(client.get(response.location))
        db.session.expire_all()
        assert db.session.get(Thread, thread.id).status == PostStatus.pending_review

    def test_a_link_in_a_young_members_title_waits(self, client, make_member, api_headers, app):
        app.config["HOLD_FIRST_POSTS"] = 0
        young = make_member("young_yara", joined_at=utcnow() - timedelta(hours=2))
        response = start(client, api_headers(young), title="Cheap pills at https://spam.example/buy")
        assert response.get_json()["status"] == "pending_review"
        assert item_of(response.get_json()["id"]).cause.startswith("Link from a member who joined")
        plain = start(client, api_headers(young), title="Baclofen at night, anyone?")
        assert plain.get_json()["status"] == "published"
        later = retitle(client, api_headers(young), db.session.get(Thread, plain.get_json()["id"]),
                        "See https://spam.example/buy")
        assert later.get_json()["status"] == "pending_review"

    def test_a_moderators_retitle_is_not_held(self, client, moderator, established, api_headers):
        watch("miracle cure", WatchedAction.review)
        thread = forum_services.start_thread(established(), "Cooling vests", "Which one?", ["heat"])
        response = retitle(client, api_headers(moderator), thread, "Miracle cure claims, discussed",
                           reason="A clearer title")
        assert response.status_code == 200 and response.get_json()["status"] == "published"
        assert item_of(thread.id) is None


@pytest.mark.usefixtures("crisis_words")
class TestCrisisWordsInTitles:
    def test_a_new_thread_raises_an_urgent_item_and_shows_support(self, client, established, api_headers):
        response = start(client, api_headers(established()), title="I want to **die**, honestly")
        body = response.get_json()
        assert response.status_code == 201 and body["status"] == "published" and "112 in Europe" in body["support"]
        item = item_of(body["id"])
        assert item.urgent and item.kind == QueueKind.crisis and "in the title" in item.cause

    def test_a_retitle_raises_one_too(self, client, established, api_headers):
        author = established()
        thread = forum_services.start_thread(author, "Rough week", "Body", ["heat"])
        response = retitle(client, api_headers(author), thread, "Rough week, I feel suicidal")
        assert response.status_code == 200 and "112 in Europe" in response.get_json()["support"]
        assert item_of(thread.id).urgent

    def test_the_edit_page_shows_the_support_box(self, client, pages, established):
        author = established("page_crisis")
        thread = forum_services.start_thread(author, "Rough week", "Body", ["heat"])
        pages.sign_in(author)
        response = pages.post(f"/threads/{thread.id}/edit", {"title": "Better off dead", "tags": "heat"})
        assert response.status_code == 302 and response.location.endswith("#crisis-support")
        assert "Support, if you need it" in text_of(client.get(response.location))
