"""What happens as a member posts: pre-moderation, block and review words, personal details, crisis words."""
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.core.errors import NotAllowed
from app.core.screening import PERSONAL_DETAILS_QUESTION, personal_details
from app.extensions import db
from app.forum import services as forum_services
from app.forum.models import Post, PostRevision, PostStatus, Thread
from app.members.models import MemberStatus
from app.moderation.models import QueueItem, QueueKind, WatchedAction, WatchedWord
from app.moderation.screening import data
from app.notifications.models import Notification, NotificationKind
from tests.moderation.screening.conftest import approve

pytestmark = pytest.mark.usefixtures("premoderation", "vocabulary")

THREAD = {"title": "Baclofen and night cramps", "body": "What helps you at night?", "tags": ["baclofen"]}


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def text_of(response) -> str:
    """The page's words with runs of white space made one, as a reader meets them."""
    return " ".join(response.get_data(as_text=True).split())


def watch(pattern: str, action: WatchedAction, is_regex: bool = False) -> None:
    db.session.add(WatchedWord(pattern=pattern, action=action, is_regex=is_regex))
    db.session.commit()


def items_for(post_id: int) -> list[QueueItem]:
    return list(db.session.scalars(sa.select(QueueItem).where(QueueItem.post_id == post_id)))


def post_reply(client, headers, thread, body, **extra):
    return client.post(f"/api/v1/threads/{thread.id}/posts", headers=headers, json={"body": body, **extra})


# --- pre-moderation ----------------------------------------------------------------------

class TestFirstPosts:
    def test_a_new_members_first_thread_waits_with_an_item_and_a_notification(self, client, make_member,
                                                                              api_headers):
        newcomer = make_member("newbie_noor")
        response = client.post("/api/v1/threads", headers=api_headers(newcomer), json=THREAD)
        assert response.status_code == 201
        body = response.get_json()
        assert body["status"] == "pending_review" and body["posts"][0]["status"] == "pending_review"
        assert body["support"] is None
        [item] = items_for(body["posts"][0]["id"])
        assert item.kind == QueueKind.pending_post and not item.urgent and item.cause == "First post of a new member"
        [note] = db.session.scalars(sa.select(Notification).where(Notification.member_id == newcomer.id))
        assert note.kind == NotificationKind.post_held and note.post_id == body["posts"][0]["id"]
        assert "waiting for a moderator" in note.message and "first posts" in note.reason
        assert "will look at it soon" in note.reason

    @pytest.mark.parametrize("hold_first, approved, held", [(1, 0, True), (1, 1, False), (2, 1, True),
                                                           (2, 2, False), (0, 0, False)])
    def test_the_nth_post_boundary(self, app, client, make_member, api_headers, thread, hold_first, approved, held):
        app.config["HOLD_FIRST_POSTS"] = hold_first
        member = make_member(joined_at=utcnow() - timedelta(days=30))
        for n in range(approved):
            post = forum_services.reply(member, thread.id, f"Earlier reply {n}")
            if post.status != PostStatus.published:
                approve(post)
        response = post_reply(client, api_headers(member), thread, "Another reply")
        assert response.get_json()["status"] == ("pending_review" if held else "published")
        assert len(items_for(response.get_json()["id"])) == int(held)

    def test_posts_still_waiting_do_not_count_as_approved(self, client, make_member, api_headers, thread):
        member = make_member()
        headers = api_headers(member)
        assert post_reply(client, headers, thread, "one").get_json()["status"] == "pending_review"
        assert post_reply(client, headers, thread, "two").get_json()["status"] == "pending_review"

    def test_moderators_and_admins_are_never_held(self, client, moderator, admin, api_headers, thread):
        watch("pill", WatchedAction.review)
        for member in (moderator, admin):
            response = post_reply(client, api_headers(member), thread, "See https://example.org, no pill needed")
            assert response.get_json()["status"] == "published"
            assert items_for(response.get_json()["id"]) == []


class TestLinks:
    @pytest.mark.parametrize("hours, held", [(23, True), (25, False)])
    def test_links_from_members_younger_than_a_day(self, client, established, api_headers, thread, hours, held):
        member = established()
        member.joined_at = utcnow() - timedelta(hours=hours)
        db.session.commit()
        response = post_reply(client, api_headers(member), thread, "This helped me: https://example.org/cooling")
        assert response.get_json()["status"] == ("pending_review" if held else "published")
        if held:
            [item] = items_for(response.get_json()["id"])
            assert item.cause == "Link from a member who joined 23 hours ago"

    @pytest.mark.parametrize("body", ["No link at all, just www.example.org typed out",
                                      "Ask @thread_owner, or read [the guide](/tags/heat)"])
    def test_mentions_site_links_and_plain_text_are_not_links(self, client, established, api_headers, thread, body):
        member = established()
        member.joined_at = utcnow() - timedelta(hours=2)
        db.session.commit()
        assert post_reply(client, api_headers(member), thread, body).get_json()["status"] == "published"


class TestWatchedWords:
    def test_a_review_word_holds_the_post_naming_the_word_for_moderators(self, client, established, api_headers,
                                                                       thread):
        watch("Miracle cure", WatchedAction.review)
        response = post_reply(client, api_headers(established()), thread, "This MIRACLE-cure fixed me")
        assert response.get_json()["status"] == "pending_review"
        [item] = items_for(response.get_json()["id"])
        assert item.cause == "Matched watched word “Miracle cure”"

    @pytest.mark.parametrize("body, held", [("I take a pill at night", True), ("Pill!", True),
                                            ("I spill my tea", False), ("pills", False), ("pillow", False)])
    def test_plain_words_match_whole_words_ignoring_case(self, client, established, api_headers, thread, body, held):
        watch("pill", WatchedAction.review)
        response = post_reply(client, api_headers(established()), thread, body)
        assert response.get_json()["status"] == ("pending_review" if held else "published")

    def test_regular_expressions_are_used_as_written_on_the_text_as_read_ignoring_case(
            self, client, established, api_headers, thread):
        watch(r"\bbuy\s+\w+\s+online\b", WatchedAction.review, is_regex=True)
        headers = api_headers(established())
        assert post_reply(client, headers, thread, "buy baclofen online").get_json()["status"] == "pending_review"
        # Capitals, emphasis or fullwidth letters would otherwise walk around an expression.
        assert post_reply(client, headers, thread, "BUY it **ONLINE**").get_json()["status"] == "pending_review"
        assert post_reply(client, headers, thread, "ｂｕｙ it online").get_json()["status"] == "pending_review"
        assert post_reply(client, headers, thread, "buy it offline").get_json()["status"] == "published"

    def test_a_regular_expression_that_runs_too_long_holds_the_post_quickly(self, client, established,
                                                                            api_headers, thread):
        watch(r"(a|aa)+$", WatchedAction.block, is_regex=True)
        started = time.perf_counter()
        response = post_reply(client, api_headers(established()), thread, "a" * 80 + "!")
        assert time.perf_counter() - started < 2
        assert response.status_code == 201 and response.get_json()["status"] == "pending_review"
        [item] = items_for(response.get_json()["id"])
        assert item.cause == "Watched word “(a|aa)+$” took too long to check"

    def test_a_block_word_refuses_threads_replies_and_edits_and_writes_nothing(self, client, established,
                                                                              api_headers, thread):
        watch("scam", WatchedAction.block)
        member = established()
        headers = api_headers(member)
        post = forum_services.reply(member, thread.id, "A fine reply")
        before = {model: count(model) for model in (Thread, Post, PostRevision, QueueItem, Notification)}
        attempts = [client.post("/api/v1/threads", headers=headers, json={**THREAD, "body": "What a Scam."}),
                    post_reply(client, headers, thread, "what a scam"),
                    client.patch(f"/api/v1/posts/{post.id}", headers=headers, json={"body": "scam"})]
        for response in attempts:
            assert response.status_code == 422 and response.mimetype == "application/problem+json"
            message = response.get_json()["errors"]["body"][0]
            assert "contains “" in message and "which isn't allowed here. Please change it and post again." in message
        assert before == {model: count(model) for model in before}
        assert db.session.get(Post, post.id).body_source == "A fine reply"


class TestPending:
    def test_a_held_reply_is_seen_by_its_author_and_moderators_only(self, client, make_member, moderator,
                                                                  api_headers, thread):
        author, stranger = make_member("newbie_noor"), make_member("passer_by")
        post_id = post_reply(client, api_headers(author), thread, "My first words").get_json()["id"]
        def listed(member):
            headers = api_headers(member) if member else {}
            return [p["id"] for p in client.get(f"/api/v1/threads/{thread.id}/posts", headers=headers).get_json()["items"]]
        assert post_id in listed(author) and post_id in listed(moderator)
        assert post_id not in listed(stranger) and post_id not in listed(None)
        assert db.session.get(Thread, thread.id).reply_count == 0

    def test_a_held_thread_is_not_found_by_others(self, client, make_member, api_headers):
        author = make_member("newbie_noor")
        thread_id = client.post("/api/v1/threads", headers=api_headers(author), json=THREAD).get_json()["id"]
        assert client.get(f"/api/v1/threads/{thread_id}", headers=api_headers(make_member())).status_code == 404
        assert client.get(f"/api/v1/threads/{thread_id}", headers=api_headers(author)).status_code == 200

    def test_the_page_tells_the_author_it_waits(self, client, pages, make_member, moderator, thread):
        author = make_member("newbie_noor")
        pages.sign_in(author)
        response = pages.post(f"/threads/{thread.id}/reply", {"body": "Hello all"})
        assert response.status_code == 302
        page = text_of(client.get(response.headers["Location"]))
        assert "Waiting for a moderator:</strong> only you and the moderators can see this post." in page
        assert "will appear to others once a moderator has looked at it" in page
        pages.post("/signout", {}, form_page="/")
        pages.sign_in(moderator)
        assert "Waiting for a moderator" not in client.get(f"/threads/{thread.id}").get_data(as_text=True)

    def test_a_held_new_thread_page_says_so_to_its_author(self, client, pages, make_member):
        pages.sign_in(make_member("newbie_noor"))
        response = pages.post("/threads/new", {"title": "Hello from a newcomer", "body": "Hi all",
                                               "tag": ["spasticity"]})
        assert response.status_code == 302
        page = text_of(client.get(response.headers["Location"]))
        assert "Your thread will appear to others once a moderator has looked at it." in page
        assert "only you and the moderators can see this post." in page and "Your opening post" in page
        assert db.session.scalar(sa.select(Thread.status)) == PostStatus.pending_review

    def test_an_authors_edit_that_adds_a_review_word_waits_again(self, client, established, moderator,
                                                                 api_headers, thread):
        watch("pill", WatchedAction.review)
        member = established()
        post = forum_services.reply(member, thread.id, "Stretching helps")
        response = client.patch(f"/api/v1/posts/{post.id}", headers=api_headers(member), json={"body": "A pill helps"})
        assert response.status_code == 200 and response.get_json()["status"] == "pending_review"
        assert db.session.get(Thread, thread.id).reply_count == 0
        note = db.session.scalar(sa.select(Notification).where(Notification.post_id == post.id))
        assert note.kind == NotificationKind.post_held and note.message.startswith("Your edited post in “Cooling vests?”")
        # A moderator's edit of someone else's post is not held again.
        other = forum_services.reply(member, thread.id, "Heat is bad")
        edited = client.patch(f"/api/v1/moderation/posts/{other.id}", headers=api_headers(moderator),
                              json={"body": "pill", "reason": "Shortened"})
        assert edited.status_code == 200 and edited.get_json()["status"] == "published"

    def test_suspended_members_can_read_but_not_post(self, client, established, api_headers, thread):
        member = established()
        member.status = MemberStatus.suspended
        db.session.commit()
        headers = api_headers(member)
        assert client.get(f"/api/v1/threads/{thread.id}", headers=headers).status_code == 200
        # The token stops working for writes, and the service refuses them whoever calls it.
        assert post_reply(client, headers, thread, "Hello").status_code == 401
        with pytest.raises(NotAllowed, match="suspended, so you can read but not post"):
            forum_services.reply(member, thread.id, "Hello")
        assert count(Post, Post.body_source == "Hello") == 0


# --- personal details -------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "call me on 555-1234", "Phone: +44 20 7946 0958", "+1 (555) 123-4567", "06 12 34 56 78",
    "07700900123", "+33612345678", "mail me at jo.smith+ms@example.co.uk", "0049 30 1234567",
])
def test_email_addresses_and_phone_numbers_are_noticed(text):
    assert personal_details(text)


@pytest.mark.parametrize("text", [
    "10 mg 3x a day", "diagnosed in 2004", "from 1998-2004", "on 2024-03-15 at 14:30", "15.03.2024",
    "15/03/2024", "I walked 10 000 steps", "1 000 000 people have MS", "doses 100 200 300 mg",
    "EDSS 3.5 4.0 4.5 6.0", "5 10 15 20 25 mg", "pi is 3.14159265", "https://example.org/page/12345678",
    "thanks @carla", "10:30-11:45", "2,500,000", "took 2.5mg at 10.30 and 20.30", "order #12345678",
])
def test_dates_doses_years_and_quantities_are_not(text):
    assert not personal_details(text)


class TestPersonalDetails:
    @pytest.mark.parametrize("body", ["Text me on +44 7700 900123", "Write to me: carla@example.org"])
    def test_a_post_asks_for_confirmation_before_publishing(self, client, established, api_headers, thread, body):
        headers = api_headers(established())
        refused = post_reply(client, headers, thread, body)
        assert refused.status_code == 422
        assert refused.get_json()["errors"] == {"confirm_personal_details": [PERSONAL_DETAILS_QUESTION]}
        assert count(Post, Post.body_source == body) == 0
        confirmed = post_reply(client, headers, thread, body, confirm_personal_details=True)
        assert confirmed.status_code == 201 and confirmed.get_json()["status"] == "published"

    def test_new_threads_and_edits_ask_too_but_not_again_for_the_same_details(self, client, established,
                                                                              api_headers, thread):
        member = established()
        headers = api_headers(member)
        started = client.post("/api/v1/threads", headers=headers, json={**THREAD, "body": "Call 020 7946 0958"})
        assert "confirm_personal_details" in started.get_json()["errors"]
        post = forum_services.reply(member, thread.id, "Call 020 7946 0958", confirm_personal_details=True)
        same = client.patch(f"/api/v1/posts/{post.id}", headers=headers, json={"body": "Call 020 7946 0958 after 6"})
        assert same.status_code == 200
        more = client.patch(f"/api/v1/posts/{post.id}", headers=headers,
                            json={"body": "Call 020 7946 0958 or carla@example.org"})
        assert more.status_code == 422 and "confirm_personal_details" in more.get_json()["errors"]

    def test_the_form_keeps_the_text_and_offers_an_unticked_box(self, client, pages, established, thread):
        pages.sign_in(established())
        body = "My number is 07700 900123 if anyone wants to talk"
        refused = pages.post(f"/threads/{thread.id}/reply", {"body": body})
        page = refused.get_data(as_text=True)
        assert refused.status_code == 422 and body in page and PERSONAL_DETAILS_QUESTION in page
        assert 'name="confirm_personal_details" type="checkbox" value="1" aria-describedby' in page
        assert "Yes, publish it with these details" in page
        sent = pages.post(f"/threads/{thread.id}/reply", {"body": body, "confirm_personal_details": "1"},
                          form_page=f"/threads/{thread.id}/reply")
        assert sent.status_code == 302 and count(Post, Post.body_source == body) == 1

    def test_the_new_thread_form_keeps_everything_when_a_block_word_refuses_it(self, client, pages, established):
        watch("scam", WatchedAction.block)
        pages.sign_in(established())
        response = pages.post("/threads/new", {"title": "Is this a scam?", "body": "This clinic is a scam",
                                               "tags": "baclofen"})
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and "This clinic is a scam" in page and 'value="Is this a scam?"' in page
        assert "contains “scam”, which isn&#39;t allowed here" in page
        assert count(Thread, Thread.title == "Is this a scam?") == 0


# --- crisis words -------------------------------------------------------------------------

@pytest.mark.usefixtures("crisis_words")
class TestCrisis:
    def test_the_post_is_published_with_an_urgent_item_and_support_for_the_author(self, client, established,
                                                                                 api_headers, thread):
        response = post_reply(client, api_headers(established()), thread, "Some days I want to die, honestly.")
        body = response.get_json()
        assert response.status_code == 201 and body["status"] == "published"
        assert "112 in Europe" in body["support"] and "911" in body["support"] and "000 in Australia" in body["support"]
        [item] = items_for(body["id"])
        assert item.kind == QueueKind.crisis and item.urgent and item.cause == "Crisis words “want to die”"
        assert count(Notification, Notification.post_id == body["id"]) == 0
        # Reading the thread later, nobody gets the support field: it belongs to the writing request.
        listed = client.get(f"/api/v1/threads/{thread.id}/posts").get_json()["items"]
        assert all("support" not in p for p in listed)

    def test_a_new_members_crisis_post_is_urgent_even_while_held(self, client, make_member, api_headers, thread):
        response = post_reply(client, api_headers(make_member()), thread, "I keep thinking about self-harm")
        assert response.get_json()["status"] == "pending_review" and response.get_json()["support"]
        [item] = items_for(response.get_json()["id"])
        assert item.urgent and item.kind == QueueKind.crisis
        assert item.cause == "Crisis words “self harm”. Also held: First post of a new member"

    def test_the_support_text_is_configurable(self, app, client, established, api_headers, thread):
        app.config["CRISIS_SUPPORT_TEXT"] = "Call the Thaw helpline.\\n\\nWe are here."
        response = post_reply(client, api_headers(established()), thread, "I feel suicidal")
        assert response.get_json()["support"] == "Call the Thaw helpline.\n\nWe are here."

    def test_an_edit_that_brings_crisis_words_shows_support_once(self, client, established, api_headers, thread):
        member = established()
        post = forum_services.reply(member, thread.id, "Rough week")
        headers = api_headers(member)
        edited = client.patch(f"/api/v1/posts/{post.id}", headers=headers, json={"body": "Rough week. I want to die."})
        assert edited.get_json()["support"] and edited.get_json()["status"] == "published"
        again = client.patch(f"/api/v1/posts/{post.id}", headers=headers, json={"body": "Rough week. I want to die!"})
        assert again.get_json()["support"] is None

    def test_the_page_shows_the_author_a_support_box_that_others_never_see(self, app, client, pages, established,
                                                                         thread):
        author, reader = established("night_spasms_nia"), established("passer_by")
        pages.sign_in(author)
        response = pages.post(f"/threads/{thread.id}/reply", {"body": "I wonder if I'd be better off dead"})
        assert response.status_code == 302 and response.headers["Location"].endswith("#crisis-support")
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert '<section class="crisis-support" id="crisis-support" aria-labelledby="crisis-support-heading"' in page
        assert "<h2 id=\"crisis-support-heading\">Support, if you need it</h2>" in page
        assert "112 in Europe" in page and "Go to your post" in page
        assert "crisis-support" not in client.get(f"/threads/{thread.id}").get_data(as_text=True)
        pages.post("/signout", {}, form_page="/")
        pages.sign_in(reader)
        assert "crisis-support" not in client.get(f"/threads/{thread.id}").get_data(as_text=True)
        post = db.session.scalar(sa.select(Post).where(Post.body_source.contains("better off dead")))
        assert post.status == PostStatus.published

    def test_the_shipped_crisis_words_are_whole_phrases(self):
        assert len(data.CRISIS_WORDS) == len(set(data.CRISIS_WORDS)) >= 15
        assert {"suicide", "kill myself", "end my life", "want to die", "self harm", "overdose on"} <= set(
            data.CRISIS_WORDS)


# --- cost -----------------------------------------------------------------------------

def test_posting_costs_the_same_queries_however_many_words_are_watched(client, established, api_headers, thread,
                                                                      count_queries):
    member = established()
    headers = api_headers(member)
    counts = []
    for total in (2, 60):
        while count(WatchedWord) < total:
            n = count(WatchedWord)
            watch(f"watchword{n}" if n % 2 else rf"\bpattern{n}\d+", WatchedAction.review, is_regex=not n % 2)
        with count_queries() as queries:
            assert post_reply(client, headers, thread, f"A reply among {total} watched words").status_code == 201
        counts.append(queries.count)
    assert counts[0] == counts[1], counts


def test_the_demo_posts_through_pre_moderation_without_holding_anything(runner, crisis_words):
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert count(Post) > 30
    assert count(Post, Post.status == PostStatus.pending_review) == 0
    assert count(QueueItem, QueueItem.kind == QueueKind.pending_post) == 0
    assert count(Notification, Notification.kind == NotificationKind.post_held) == 0
