"""Flagging a post: the API, the report form, one open flag per member, the auto-hide threshold and crisis flags."""
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app.core.errors import NotAllowed
from app.extensions import db
from app.forum import services as forum_services
from app.forum.models import Post, PostStatus, Thread
from app.members.models import MemberStatus
from app.moderation.queue import services
from app.moderation.models import AuditEntry, Flag, QueueItem, QueueKind, QueueStatus
from app.notifications.models import Notification, NotificationKind
from tests.forum.test_pages import assert_accessible_outline


def html_of(response) -> str:
    return response.get_data(as_text=True)


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


@pytest.fixture
def author(make_member):
    return make_member("clonus_carla")


@pytest.fixture
def thread(forum, author):
    return forum.thread(author, title="Does anyone get clonus on stairs?", body="My ankle bounces on every step.")


@pytest.fixture
def post(thread):
    return forum_services.opening_post(thread)


@pytest.fixture
def reply(forum, thread, make_member):
    return forum.reply(thread, make_member("tizzy_tom"), "Buy my miracle cream at example.com!")


@pytest.fixture
def flag(client, api_headers):
    def send(member, post_id, reason="spam", note=None, **extra):
        body = {"post_id": post_id, "reason": reason, **extra}
        if note is not None:
            body["note"] = note
        return client.post("/api/v1/flags", headers=api_headers(member), json=body)
    return send


class TestFlagging:
    def test_a_flag_is_201_and_opens_a_queue_item(self, flag, reply, make_member):
        response = flag(make_member(), reply.id, "spam", note="  Selling cream in every thread.  ")
        assert response.status_code == 201
        body = response.get_json()
        assert set(body) == {"id", "post_id", "reason", "note", "created_at"}
        assert body["post_id"] == reply.id and body["reason"] == "spam"
        assert body["note"] == "Selling cream in every thread." and body["created_at"].endswith("Z")
        item = db.session.scalar(sa.select(QueueItem))
        assert (item.kind, item.urgent, item.status) == (QueueKind.flagged_post, False, QueueStatus.open)
        assert item.cause == "Flagged: Spam or advertising"
        assert db.session.get(Flag, body["id"]).queue_item_id == item.id

    def test_flags_on_one_post_share_its_open_item(self, flag, reply, make_member):
        flag(make_member(), reply.id, "spam")
        flag(make_member(), reply.id, "abuse")
        assert count(QueueItem) == 1
        assert {f.queue_item_id for f in db.session.scalars(sa.select(Flag))} == {db.session.scalar(sa.select(QueueItem.id))}

    def test_second_open_flag_is_409_and_flagging_again_after_review_is_allowed(self, flag, reply, make_member,
                                                                                 moderator):
        member = make_member()
        assert flag(member, reply.id).status_code == 201
        again = flag(member, reply.id, "abuse")
        assert again.status_code == 409 and "already reported" in again.get_json()["detail"]
        assert count(Flag) == 1
        item_id = db.session.scalar(sa.select(QueueItem.id))
        services.resolve_item(moderator, item_id, "dismiss", "Advertising is allowed in this thread.")
        assert flag(member, reply.id, "spam").status_code == 201
        assert count(Flag) == 2 and count(QueueItem, QueueItem.status == QueueStatus.open) == 1

    @pytest.mark.parametrize("body, field", [
        ({"reason": "boring"}, "reason"),
        ({"reason": None}, "reason"),
        ({"note": "x" * 501}, "note"),
        ({"post_id": "seven"}, "post_id"),
        ({"post_id": None}, "post_id"),
        ({"colour": "red"}, "colour"),
    ])
    def test_invalid_flags_are_422_naming_the_field(self, client, api_headers, reply, make_member, body, field):
        payload = {"post_id": reply.id, "reason": "spam", **body}
        response = client.post("/api/v1/flags", headers=api_headers(make_member()), json=payload)
        assert response.status_code == 422 and field in response.get_json()["errors"]
        assert response.mimetype == "application/problem+json"
        assert count(Flag) == 0 and count(QueueItem) == 0

    def test_flagging_your_own_post_is_422(self, flag, reply):
        response = flag(reply.author, reply.id)
        assert response.status_code == 422 and "own post" in response.get_json()["errors"]["post_id"][0]
        assert count(Flag) == 0

    @pytest.mark.parametrize("status", [PostStatus.deleted, PostStatus.removed])
    def test_a_gone_post_cannot_be_flagged(self, flag, reply, make_member, status):
        forum_services.set_post_status(reply, status)
        db.session.commit()
        response = flag(make_member(), reply.id)
        assert response.status_code == 422 and "post_id" in response.get_json()["errors"]
        assert count(Flag) == 0

    def test_a_post_the_caller_cannot_see_is_404(self, flag, reply, make_member):
        forum_services.set_post_status(reply, PostStatus.pending_review)
        db.session.commit()
        assert flag(make_member(), reply.id).status_code == 404
        assert flag(make_member(), 999_999).status_code == 404
        assert count(Flag) == 0

    def test_anonymous_is_401_and_suspended_members_cannot_flag(self, client, flag, reply, make_member, api_headers):
        assert client.post("/api/v1/flags", json={"post_id": reply.id, "reason": "spam"}).status_code == 401
        member = make_member()
        headers = api_headers(member)
        member.status = MemberStatus.suspended
        db.session.commit()
        assert client.post("/api/v1/flags", headers=headers, json={"post_id": reply.id, "reason": "spam"}).status_code == 401
        with pytest.raises(NotAllowed, match="suspended"):
            services.flag_post(member, reply.id, "spam")
        assert count(Flag) == 0

    def test_flags_are_rate_limited(self, app, flag, forum, thread, make_member):
        app.config["WRITE_RATE_LIMIT"] = "2 per minute"
        member = make_member()
        posts = [forum.reply(thread, make_member(), f"reply {n}") for n in range(3)]
        assert [flag(member, p.id).status_code for p in posts] == [201, 201, 429]


class TestThreshold:
    def test_two_flaggers_leave_the_post_up_and_the_third_hides_it(self, client, flag, reply, thread, make_member):
        flaggers = [make_member() for _ in range(3)]
        flag(flaggers[0], reply.id, "spam")
        flag(flaggers[1], reply.id, "abuse")
        assert fresh(Post, reply.id).status == PostStatus.published
        assert fresh(Thread, thread.id).reply_count == 1
        flag(flaggers[2], reply.id, "spam", note="Third time today.")
        assert fresh(Post, reply.id).status == PostStatus.hidden
        assert fresh(Thread, thread.id).reply_count == 0
        item = db.session.scalar(sa.select(QueueItem))
        assert item.status == QueueStatus.open and item.cause == "Hidden automatically after 3 members flagged it"
        note = db.session.scalar(sa.select(Notification))
        assert note.member_id == reply.author_id and note.kind == NotificationKind.post_hidden
        assert "hidden until a moderator reviews it" in note.message and note.post_id == reply.id
        assert count(AuditEntry) == 0  # no moderator acted
        assert "[hidden pending review]" in html_of(client.get(f"/threads/{thread.id}"))

    def test_the_same_member_twice_counts_once(self, flag, reply, make_member):
        twice, other = make_member(), make_member()
        flag(twice, reply.id, "spam")
        assert flag(twice, reply.id, "abuse").status_code == 409
        flag(other, reply.id, "spam")
        assert fresh(Post, reply.id).status == PostStatus.published

    def test_the_threshold_comes_from_configuration(self, app, flag, post, thread, make_member):
        app.config["FLAG_HIDE_THRESHOLD"] = 2
        flag(make_member(), post.id, "misinformation")
        flag(make_member(), post.id, "misinformation")
        assert fresh(Post, post.id).status == PostStatus.hidden
        assert fresh(Thread, thread.id).status == PostStatus.hidden  # an opening post takes its thread along

    def test_a_crisis_flag_makes_an_urgent_item_and_never_hides(self, flag, reply, make_member):
        flag(make_member(), reply.id, "self_harm", note="They sound desperate.")
        item = db.session.scalar(sa.select(QueueItem))
        assert (item.kind, item.urgent, item.priority) == (QueueKind.crisis, True, "urgent")
        for _ in range(4):
            assert flag(make_member(), reply.id, "spam").status_code == 201
        assert fresh(Post, reply.id).status == PostStatus.published
        assert count(QueueItem) == 1 and count(Notification) == 0

    def test_a_crisis_flag_after_others_makes_the_item_urgent(self, flag, reply, make_member):
        flag(make_member(), reply.id, "spam")
        flag(make_member(), reply.id, "self_harm")
        flag(make_member(), reply.id, "spam")
        item = db.session.scalar(sa.select(QueueItem))
        assert item.urgent and item.kind == QueueKind.crisis
        assert fresh(Post, reply.id).status == PostStatus.published


@pytest.mark.concurrent
def test_flags_sent_at_the_same_moment(app, reply, make_member, api_headers):
    app.config["FLAG_HIDE_THRESHOLD"] = 10  # once hidden, later flags would be refused for that reason instead
    members = [api_headers(make_member()) for _ in range(4)]
    post_id = reply.id

    def send(headers):
        return app.test_client().post("/api/v1/flags", headers=headers,
                                      json={"post_id": post_id, "reason": "spam"}).status_code

    # Each member double-clicks: one flag each, one queue item in all.
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(send, members * 2))
    assert sorted(statuses) == [201] * 4 + [409] * 4
    db.session.expire_all()
    assert count(Flag) == 4 and count(QueueItem) == 1


# --- the report form ---------------------------------------------------------------------

RADIO = re.compile(r'<input type="radio" id="reason-(\w+)" name="reason" value="(\w+)"( checked)?>')


class TestReportForm:
    def test_report_link_on_other_members_posts_only(self, client, pages, thread, post, reply, author):
        assert "/flag" not in html_of(client.get(f"/threads/{thread.id}"))  # visitors sign in first
        pages.sign_in(author)
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert f'href="/posts/{reply.id}/flag">Report' in html
        assert f'href="/posts/{post.id}/flag"' not in html
        assert "Report<span class=\"visually-hidden\"> tizzy_tom&#39;s post to the moderators</span>" in html

    def test_form_shows_the_post_and_every_reason_as_a_radio(self, client, pages, reply, author):
        pages.sign_in(author)
        response = client.get(f"/posts/{reply.id}/flag")
        html = html_of(response)
        assert response.status_code == 200 and "Buy my miracle cream" in html
        assert [m[0] for m in RADIO.findall(html)] == ["spam", "abuse", "misinformation", "privacy", "off_topic",
                                                       "self_harm", "other"]
        assert "<legend>What is wrong with the post?</legend>" in html and 'Someone may be at risk' in html
        assert_accessible_outline(html)

    def test_sending_a_report(self, client, pages, reply, author):
        pages.sign_in(author)
        response = pages.post(f"/posts/{reply.id}/flag", {"reason": "spam", "note": "Advert"})
        assert response.status_code == 302 and response.location.endswith(f"/threads/{reply.thread_id}#post-{reply.id}")
        flag = db.session.scalar(sa.select(Flag))
        assert (flag.member_id, flag.reason.value, flag.note) == (author.id, "spam", "Advert")
        assert "the author is not told who reported it" in html_of(client.get(response.location))

    def test_a_report_without_a_reason_keeps_the_note(self, client, pages, reply, author):
        pages.sign_in(author)
        response = pages.post(f"/posts/{reply.id}/flag", {"note": "It is an advert"})
        html = html_of(response)
        assert response.status_code == 422 and "Choose what is wrong with the post." in html
        assert ">It is an advert</textarea>" in html and '<a href="#reason">' in html
        assert count(Flag) == 0

    def test_a_second_report_says_so_and_keeps_the_choice(self, client, pages, reply, author):
        pages.sign_in(author)
        pages.post(f"/posts/{reply.id}/flag", {"reason": "spam"})
        response = pages.post(f"/posts/{reply.id}/flag", {"reason": "abuse", "note": "again"})
        assert response.status_code == 409 and "already reported" in html_of(response)
        assert ("abuse", "abuse", " checked") in RADIO.findall(html_of(response))
        assert count(Flag) == 1

    def test_own_post_and_signed_out(self, client, pages, reply, author):
        response = client.get(f"/posts/{reply.id}/flag")
        assert response.status_code == 302 and "/signin" in response.location
        pages.sign_in(reply.author)
        assert client.get(f"/posts/{reply.id}/flag").status_code == 422

    def test_a_report_without_csrf_token_is_refused(self, client, pages, reply, author):
        pages.sign_in(author)
        assert client.post(f"/posts/{reply.id}/flag", data={"reason": "spam"}).status_code == 400
        assert count(Flag) == 0
