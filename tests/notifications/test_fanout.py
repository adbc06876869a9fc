"""Who hears about a post: replies, mentions, followed threads and tags; and who never does."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.forum import services as forum_services
from app.forum.models import PostStatus
from app.members.models import MemberStatus, Role
from app.moderation.actions.services import remove_post
from app.moderation.models import QueueItem
from app.moderation.queue.services import resolve_item
from app.notifications.delivery.services import MENTION_CAP, fan_out_post
from app.notifications.following import services as following
from app.notifications.models import DeliveryStatus, Notification, NotificationKind as K, PostDelivery
from app.notifications.preferences.services import set_preferences


@pytest.fixture
def alice(make_member):
    return make_member("alice")


@pytest.fixture
def bobby(make_member):
    return make_member("bobby")


@pytest.fixture
def thread(forum, alice):
    return forum.thread(alice, title="Night cramps at 3am")


def kinds(inbox, member):
    return [kind for kind, _, _ in inbox(member)]


class TestWhoHears:
    def test_a_reply_tells_the_author_of_the_post_it_answers_once(self, forum, thread, alice, bobby, inbox):
        forum.reply(thread, bobby, "Stretching before bed helps me.")
        assert inbox(alice) == [("reply", "@bobby replied to your post in 'Night cramps at 3am'", 1)]
        assert inbox(bobby) == []  # nobody hears about their own post

    def test_replies_in_a_followed_thread_are_grouped_while_unread(self, forum, thread, alice, bobby, make_member,
                                                                  client, api_headers):
        reader = make_member("reader")
        following.follow_thread(reader, thread.id)
        for n in range(3):
            forum.reply(thread, bobby if n % 2 else alice, f"Reply {n}")
        body = client.get("/api/v1/me/notifications", headers=api_headers(reader)).get_json()
        assert body["unread_count"] == 1
        assert [n["message"] for n in body["items"]] == ["3 new replies in 'Night cramps at 3am'"]
        client.post("/api/v1/me/notifications/read", headers=api_headers(reader), json={})
        forum.reply(thread, bobby, "One more")
        body = client.get("/api/v1/me/notifications?unread=true", headers=api_headers(reader)).get_json()
        assert [n["message"] for n in body["items"]] == ["@bobby replied in 'Night cramps at 3am'"]

    def test_writing_in_a_thread_follows_it_unless_turned_off_or_unfollowed(self, forum, thread, alice, bobby,
                                                                           make_member, inbox):
        forum.reply(thread, bobby, "Following now")
        quiet, left = make_member("quiet"), make_member("left")
        set_preferences(quiet, {}, auto_follow_threads=False)
        forum.reply(thread, quiet, "Just once")
        following.follow_thread(left, thread.id)
        following.unfollow_thread(left, thread.id)
        forum.reply(thread, left, "Replying again does not follow it back")
        forum.reply(thread, alice, "Thanks all")
        assert kinds(inbox, bobby) == ["followed_thread"]
        assert inbox(quiet) == [] and inbox(left) == []

    def test_a_new_thread_in_a_followed_tag(self, forum, alice, bobby, inbox, client, api_headers):
        assert client.put("/api/v1/tags/Lioresal/follow", headers=api_headers(bobby)).status_code == 204
        forum.thread(alice, title="Baclofen at night", tags=("baclofen",))
        forum.thread(alice, title="Heat and stiffness", tags=("heat",))
        assert inbox(bobby) == [("followed_tag", "New thread by @alice: 'Baclofen at night'", 1)]

    def test_a_mention_tells_the_member_named(self, forum, thread, bobby, make_member, inbox):
        carol = make_member("carol")
        forum.reply(thread, bobby, "@Carol had the same, ask her")
        assert inbox(carol) == [("mention", "@bobby mentioned you in 'Night cramps at 3am'", 1)]

    def test_the_most_personal_reason_wins_and_only_once(self, forum, thread, alice, bobby, inbox):
        forum.reply(thread, bobby, "@alice is this what you meant?")  # alice: author, follower, mentioned
        assert kinds(inbox, alice) == ["mention"]


class TestWhoNeverHears:
    def test_mentions_are_capped_per_post(self, forum, thread, bobby, make_member, inbox):
        named = [make_member(f"named{n:02d}") for n in range(MENTION_CAP + 2)]
        forum.reply(thread, bobby, " ".join(f"@{m.handle}" for m in named))
        told = [m for m in named if inbox(m)]
        assert told == named[:MENTION_CAP]

    def test_a_mention_of_someone_who_cannot_sign_in_tells_nobody(self, forum, thread, bobby, make_member, inbox):
        gone = make_member("gone_gina", status=MemberStatus.suspended)
        forum.reply(thread, bobby, "@gone_gina where are you?")
        assert inbox(gone) == []

    def test_a_muted_thread_tells_nothing_not_even_mentions(self, forum, thread, alice, bobby, inbox, client,
                                                           api_headers):
        assert client.put(f"/api/v1/threads/{thread.id}/mute", headers=api_headers(alice)).status_code == 204
        forum.reply(thread, bobby, "@alice reply and mention")
        assert inbox(alice) == []
        assert client.get("/api/v1/me/following", headers=api_headers(alice)).get_json()["muted"][0]["id"] == thread.id

    def test_a_suspended_authors_post_tells_nobody(self, forum, thread, alice, bobby, inbox, app):
        app.config["JOBS_REDIS_URL"] = None
        post = forum.reply(thread, bobby, "Queued before the suspension")
        # The job runs later (a worker): by then the author is suspended.
        db.session.execute(sa.update(PostDelivery).where(PostDelivery.post_id == post.id)
                           .values(status=DeliveryStatus.queued))
        db.session.execute(sa.delete(Notification))
        bobby.status, bobby.suspended_until = MemberStatus.suspended, utcnow() + timedelta(days=3)
        db.session.commit()
        assert fan_out_post(post.id) == 0
        assert inbox(alice) == [] and db.session.get(PostDelivery, post.id).status == DeliveryStatus.skipped

    def test_a_held_post_tells_nobody_until_approved_and_then_once(self, app, forum, thread, alice, make_member,
                                                                  inbox):
        app.config.update(HOLD_FIRST_POSTS=1)
        newcomer = make_member("newcomer")
        post = forum.reply(thread, newcomer, "@alice my first post")
        assert post.status == PostStatus.pending_review and inbox(alice) == []
        moderator = make_member("mod_maria", role=Role.moderator)
        item = db.session.scalar(sa.select(QueueItem).where(QueueItem.post_id == post.id))
        resolve_item(moderator, item.id, "approve", "Fine.")
        assert kinds(inbox, alice) == ["mention"]
        assert fan_out_post(post.id) == 0  # run again (a retried job): nobody hears twice
        assert kinds(inbox, alice) == ["mention"]

    def test_a_post_removed_before_delivery_tells_nobody(self, forum, thread, alice, bobby, make_member, inbox):
        post = forum.reply(thread, bobby, "Soon removed")
        db.session.execute(sa.update(PostDelivery).where(PostDelivery.post_id == post.id)
                           .values(status=DeliveryStatus.queued))
        db.session.execute(sa.delete(Notification))
        db.session.commit()
        remove_post(make_member("mod_maria", role=Role.moderator), post.id, "Off topic.")
        db.session.execute(sa.delete(Notification).where(Notification.kind != K.post_removed))
        db.session.commit()
        assert fan_out_post(post.id) == 0 and inbox(alice) == []

    def test_notifications_of_a_post_deleted_later_leave_the_inbox(self, forum, thread, alice, bobby, client,
                                                                   api_headers):
        post = forum.reply(thread, bobby, "Oops, wrong thread")
        assert client.get("/api/v1/me/notifications", headers=api_headers(alice)).get_json()["unread_count"] == 1
        forum_services.delete_post(bobby, post.id)
        body = client.get("/api/v1/me/notifications", headers=api_headers(alice)).get_json()
        assert body["unread_count"] == 0 and body["items"] == []

    def test_a_kind_turned_off_tells_nothing(self, forum, thread, alice, bobby, inbox):
        set_preferences(alice, {"reply": "off", "followed_thread": "off"})
        forum.reply(thread, bobby, "Nobody hears this")
        assert inbox(alice) == []


class TestCost:
    def test_the_request_costs_the_same_whatever_the_followers(self, app, forum, alice, bobby, make_member,
                                                               count_queries):
        # The request's own work; the fan-out runs after commit (in process here, on RQ in production).
        app.config["JOBS_REDIS_URL"] = "redis://127.0.0.1:1/0"  # never reached: the enqueue is patched out
        from app.notifications.delivery import jobs
        enqueued = []
        jobs._enqueue, original = (lambda function, args, job_id: enqueued.append(args)), jobs._enqueue
        try:
            counts = []
            for followers in (2, 40):
                thread = forum.thread(alice, title=f"Thread with {followers} followers")
                for _ in range(followers):
                    following.follow_thread(make_member(), thread.id)
                with count_queries() as queries:
                    forum.reply(thread, bobby, "Hello all")
                counts.append(queries.count)
        finally:
            jobs._enqueue = original
        assert counts[0] == counts[1] and len(enqueued) == 4

    def test_the_job_writes_in_batches(self, forum, thread, alice, bobby, count_queries, monkeypatch):
        from app.members.models import Member
        from app.notifications.delivery import services as delivery
        from app.notifications.models import ThreadFollow, ThreadFollowState
        monkeypatch.setattr(delivery, "BATCH", 50)
        rows = [Member(handle=f"f{n}", handle_key=f"f{n}", email=f"f{n}@example.org", password_hash="x",
                       session_secret=f"s{n}") for n in range(120)]
        db.session.add_all(rows)
        db.session.flush()
        db.session.add_all(ThreadFollow(member_id=m.id, thread_id=thread.id, state=ThreadFollowState.following)
                           for m in rows)
        db.session.commit()
        with count_queries() as queries:
            forum.reply(thread, bobby, "To everyone")
        inserts = [s for s in queries.all if s.lstrip().upper().startswith("INSERT INTO NOTIFICATIONS")]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 121
        assert len(inserts) == 4  # 120 followers in batches of 50 (3), and alice's reply (1)
