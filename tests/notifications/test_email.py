"""Notification emails read from a real SMTP server: what they say, what they never say, one-click unsubscribe,
digests, and nothing sent twice or about a post gone before delivery."""
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.forum import services as forum_services
from app.notifications.delivery.emails import email_notifications
from app.notifications.models import Delivery, Notification, NotificationKind
from app.notifications.preferences.services import preferences_of, set_preferences, unsubscribe_token

SECRET_WORDS = "my neurologist doubled the dose"


@pytest.fixture
def alice(make_member):
    return make_member("alice")


@pytest.fixture
def bobby(make_member):
    return make_member("bobby")


@pytest.fixture
def thread(forum, alice):
    return forum.thread(alice, title="Night cramps at 3am", body="What helps?")


def notification_emails(mailbox, member) -> list:
    """The member's notification emails (the account's own emails, such as verification, left out)."""
    return [m for m in mailbox.to(member.email) if m["List-Unsubscribe"]]


def unsubscribe_link(message) -> str:
    return re.search(r"<(https?://[^>]+)>", message["List-Unsubscribe"]).group(1)


class TestAtOnce:
    def test_an_email_names_the_thread_and_author_says_why_and_quotes_nothing(self, mailbox, forum, thread,
                                                                             alice, bobby):
        set_preferences(alice, {"reply": "email"})
        forum.reply(thread, bobby, f"Honestly, {SECRET_WORDS}.")
        message = mailbox.last_to(alice.email)
        text, html = mailbox.text(message), mailbox.html(message)
        assert "@bobby replied to your post in 'Night cramps at 3am'" in text
        assert "because someone replied to your post on Thaw" in text
        assert SECRET_WORDS not in text and SECRET_WORDS not in html and "Honestly" not in message.as_string()
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert unsubscribe_link(message) in text

    def test_one_email_per_unread_group_never_per_reply(self, mailbox, forum, thread, alice, bobby):
        set_preferences(alice, {"reply": "email", "followed_thread": "email"})
        for n in range(3):
            forum.reply(thread, bobby, f"Reply {n}")
        assert len(notification_emails(mailbox, alice)) == 1

    def test_nothing_is_emailed_twice(self, mailbox, forum, thread, alice, bobby):
        set_preferences(alice, {"reply": "email"})
        forum.reply(thread, bobby, "Once")
        note_ids = list(db.session.scalars(sa.select(Notification.id)))
        assert email_notifications(note_ids) == 0  # a retried job
        assert len(notification_emails(mailbox, alice)) == 1

    def test_nothing_is_emailed_about_a_post_deleted_before_delivery(self, app, mailbox, forum, thread, alice,
                                                                     bobby, monkeypatch):
        set_preferences(alice, {"reply": "email"})
        from app.notifications.delivery import jobs
        queued = []
        monkeypatch.setattr(jobs, "_enqueue", lambda function, args, job_id: queued.append((function, args)))
        post = forum.reply(thread, bobby, "Taken back at once")
        [(fan_out, args)] = queued
        fan_out(*args)  # the worker fans out ...
        forum_services.delete_post(bobby, post.id)  # ... the author deletes the post ...
        for function, args in queued[1:]:
            function(*args)  # ... and the email job finds it gone
        assert len(queued) == 2 and notification_emails(mailbox, alice) == []

    def test_a_moderators_message_is_emailed_by_default(self, mailbox, alice):
        from app.notifications.services import notify
        notify(alice, NotificationKind.moderator_message, "The moderators wrote to you")
        db.session.commit()
        assert "The moderators wrote to you" in mailbox.text(mailbox.last_to(alice.email))


class TestUnsubscribe:
    def test_one_click_post_stops_that_kind_only(self, client, mailbox, forum, thread, alice, bobby):
        set_preferences(alice, {"reply": "email", "mention": "email"})
        forum.reply(thread, bobby, "Hi")
        link = unsubscribe_link(mailbox.last_to(alice.email))
        path = link.split("localhost", 1)[1]
        assert "Stop emails for replies to my posts?" in client.get(path).get_data(as_text=True)
        response = client.post(path, data={"List-Unsubscribe": "One-Click"})  # no session, no CSRF token
        assert response.status_code == 200
        assert preferences_of(alice)["notifications"] == {**preferences_of(alice)["notifications"],
                                                          "reply": "app", "mention": "email"}

    @pytest.mark.parametrize("forge", ["tampered", "other_member", "other_key"])
    def test_links_cannot_be_forged_or_turned_on_another_member(self, app, client, alice, bobby, forge):
        set_preferences(bobby, {"reply": "email"})
        token = unsubscribe_token(alice.id, NotificationKind.reply)
        if forge == "tampered":
            token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        elif forge == "other_member":
            payload, signature = token.split(".", 1)
            other = unsubscribe_token(bobby.id, NotificationKind.reply).split(".", 1)[0]
            token = f"{other}.{signature}"
        else:
            from itsdangerous import URLSafeSerializer
            token = URLSafeSerializer("not-the-secret", salt="thaw.notifications.unsubscribe").dumps(
                [bobby.id, "reply"])
        for method in (client.get, client.post):
            response = method(f"/unsubscribe/{token}")
            assert response.status_code == 404
        assert preferences_of(bobby)["notifications"]["reply"] == "email"


class TestDigest:
    def test_daily_digest_lists_what_happened_once(self, runner, mailbox, forum, thread, alice, bobby,
                                                  make_member):
        carol = make_member("carol")
        forum.reply(thread, bobby, f"@carol {SECRET_WORDS}")   # alice: reply (daily), carol: mention (daily)
        forum.reply(thread, carol, "Me too")                     # alice: a second reply, grouped
        dave = make_member("dave")
        gone = forum.reply(forum.thread(bobby, title="Another thread"), bobby, "@dave deleted before the digest")
        forum_services.delete_post(bobby, gone.id)
        result = runner.invoke(args=["notifications", "digest", "--daily"])
        assert result.exit_code == 0, result.output
        assert "Sent 2 daily digests covering 2 notifications" in result.output
        text = mailbox.text(mailbox.last_to(alice.email))
        assert "2 new replies to your posts in 'Night cramps at 3am'" in text
        assert "a daily digest of your Thaw notifications" in text and SECRET_WORDS not in text
        carol_text = mailbox.text(mailbox.last_to(carol.email))
        assert "@bobby mentioned you" in carol_text and notification_emails(mailbox, dave) == []
        again = runner.invoke(args=["notifications", "digest", "--daily"])
        assert "Sent 0 daily digests" in again.output
        assert len(notification_emails(mailbox, alice)) == len(notification_emails(mailbox, carol)) == 1

    def test_weekly_is_separate_and_read_notifications_are_left_out(self, runner, mailbox, forum, alice, bobby,
                                                                    client, api_headers):
        client.put("/api/v1/tags/baclofen/follow", headers=api_headers(bobby))       # weekly by default
        forum.thread(alice, title="Baclofen timing", tags=("baclofen",))
        assert "Sent 0 daily" in runner.invoke(args=["notifications", "digest", "--daily"]).output
        assert "Sent 1 weekly" in runner.invoke(args=["notifications", "digest", "--weekly"]).output
        forum.thread(alice, title="Baclofen and sleep", tags=("baclofen",))
        client.post("/api/v1/me/notifications/read", headers=api_headers(bobby), json={})
        assert "Sent 0 weekly" in runner.invoke(args=["notifications", "digest", "--weekly"]).output

    def test_digest_needs_a_period(self, runner):
        result = runner.invoke(args=["notifications", "digest"])
        assert result.exit_code != 0 and "--daily or --weekly" in result.output

    def test_the_digest_unsubscribe_stops_every_email(self, client, runner, mailbox, forum, thread, alice, bobby):
        set_preferences(alice, {"mention": "email"})
        forum.reply(thread, bobby, "A reply for the digest")
        runner.invoke(args=["notifications", "digest", "--daily"])
        path = unsubscribe_link(mailbox.last_to(alice.email)).split("localhost", 1)[1]
        client.post(path, data={"List-Unsubscribe": "One-Click"})
        chosen = preferences_of(alice)["notifications"]
        assert all(value not in (Delivery.email, Delivery.daily, Delivery.weekly) for value in chosen.values())
