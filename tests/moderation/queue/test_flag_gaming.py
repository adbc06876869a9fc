"""Flags that cannot be turned into a weapon: only established members' flags hide a post, a moderator's
post is never hidden by flags alone, flags are rate-limited per member, and a hidden opening post leaves
its thread readable."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.forum import services as forum_services
from app.forum.models import Post, PostStatus, Thread
from app.members.models import Member, Role
from app.moderation.models import Flag, QueueItem, QueueStatus
from tests.conftest import PASSWORD

SHIPPED_TRUST = {"FLAG_TRUST_DAYS": 7, "FLAG_TRUST_POSTS": 3, "FLAG_HIDE_THRESHOLD": 3,
                 "FLAG_RATE_LIMIT": "10 per hour;30 per day"}


def fresh(model, id_):
    db.session.expire_all()
    return db.session.get(model, id_)


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


@pytest.fixture
def shipped_trust(app):
    """The trust levels as shipped (TestingConfig lets every member's flag count)."""
    app.config.update(SHIPPED_TRUST)
    return app.config


@pytest.fixture
def flag(client, api_headers):
    def send(member, post_id, reason="abuse"):
        return client.post("/api/v1/flags", headers=api_headers(member), json={"post_id": post_id, "reason": reason})
    return send


@pytest.fixture
def member_with(make_member, forum):
    """A member of a given age (days) with a given number of published posts."""
    def make(days: float, posts: int, **attrs):
        member = make_member(joined_at=utcnow() - timedelta(days=days), **attrs)
        if posts:
            thread = forum.thread(member, title="Things that help me", body="Post 0")
            for n in range(1, posts):
                forum.reply(thread, member, f"Post {n}")
        return member
    return make


@pytest.fixture
def established(member_with):
    return lambda: member_with(days=30, posts=3)


@pytest.fixture
def reply(forum, make_member):
    thread = forum.thread(make_member("carla_clonus"), title="Clonus on stairs", body="My ankle bounces.")
    return forum.reply(thread, make_member("tom_tizzy"), "Ice helps me.")


def register_through_the_api(client, handle):
    response = client.post("/api/v1/members", json={"handle": handle, "email": f"{handle}@example.org",
                                                    "password": PASSWORD})
    assert response.status_code == 201, response.get_json()
    return db.session.scalar(sa.select(Member).where(Member.handle == handle))


@pytest.mark.usefixtures("shipped_trust")
class TestOnlyEstablishedFlagsHide:
    def test_three_accounts_registered_seconds_earlier_hide_nothing(self, client, forum, make_member, moderator,
                                                                  flag):
        """The attack as reported: fresh accounts flag a moderator's post and the most active threads."""
        mod_thread = forum.thread(moderator, title="Welcome to Thaw", body="Please be kind.")
        active = [forum.thread(make_member(), title=f"Active thread {n}", body="Lots of replies here.")
                  for n in range(10)]
        targets = [forum_services.opening_post(t) for t in [mod_thread] + active]
        attackers = [register_through_the_api(client, f"sockpuppet{n}") for n in range(3)]
        for attacker in attackers:
            # The shipped FLAG_RATE_LIMIT (10 per hour) stops each account at its eleventh flag.
            assert [flag(attacker, post.id).status_code for post in targets] == [201] * 10 + [429]
        db.session.expire_all()
        assert [fresh(Post, p.id).status for p in targets] == [PostStatus.published] * 11
        # Every thread still reads and lists; the flags wait for a moderator.
        listed = {t["id"] for t in client.get("/api/v1/threads?limit=20").get_json()["items"]}
        assert {t.id for t in [mod_thread] + active} <= listed
        assert all(client.get(f"/api/v1/threads/{t.id}").status_code == 200 for t in active)
        assert count(QueueItem, QueueItem.status == QueueStatus.open) == 10 and count(Flag) == 30

    def test_three_established_members_hide_a_post(self, flag, reply, established):
        for member in [established() for _ in range(3)]:
            flag(member, reply.id)
        assert fresh(Post, reply.id).status == PostStatus.hidden

    @pytest.mark.parametrize("days, posts, counts", [
        (30, 3, True), (7.1, 3, True), (6.9, 3, False), (30, 2, False), (0, 0, False), (0, 10, False),
    ])
    def test_the_third_flag_counts_only_from_a_member_old_and_active_enough(self, flag, reply, established,
                                                                          member_with, days, posts, counts):
        flag(established(), reply.id)
        flag(established(), reply.id)
        flag(member_with(days=days, posts=posts), reply.id)
        assert fresh(Post, reply.id).status == (PostStatus.hidden if counts else PostStatus.published)

    def test_posts_waiting_for_review_do_not_make_a_member_established(self, flag, reply, established,
                                                                         member_with):
        waiting = member_with(days=30, posts=3)
        for post in db.session.scalars(sa.select(Post).where(Post.author_id == waiting.id)):
            forum_services.set_post_status(post, PostStatus.pending_review)
        db.session.commit()
        for member in (established(), established(), waiting):
            flag(member, reply.id)
        assert fresh(Post, reply.id).status == PostStatus.published

    def test_a_moderators_flag_counts(self, flag, reply, established, make_member):
        flag(established(), reply.id)
        flag(established(), reply.id)
        flag(make_member("mod_new", role=Role.moderator), reply.id)
        assert fresh(Post, reply.id).status == PostStatus.hidden

    def test_zero_and_zero_let_every_members_flag_count(self, app, flag, reply, make_member):
        app.config.update(FLAG_TRUST_DAYS=0, FLAG_TRUST_POSTS=0)
        for member in [make_member() for _ in range(3)]:
            flag(member, reply.id)
        assert fresh(Post, reply.id).status == PostStatus.hidden


@pytest.mark.parametrize("role", [Role.moderator, Role.admin])
def test_a_moderators_post_is_never_hidden_by_flags(app, flag, forum, make_member, established, role):
    app.config["FLAG_HIDE_THRESHOLD"] = 2
    staff = make_member("staff_member" if role == Role.admin else "helper_hal", role=role)
    thread = forum.thread(staff, title="House rules", body="Be kind.")
    post = forum_services.opening_post(thread)
    for member in [established() for _ in range(5)]:
        assert flag(member, post.id).status_code == 201
    assert fresh(Post, post.id).status == PostStatus.published
    assert fresh(Thread, thread.id).status == PostStatus.published
    # The flags still reach the queue, for another moderator to weigh.
    [item] = db.session.scalars(sa.select(QueueItem).where(QueueItem.post_id == post.id))
    assert item.status == QueueStatus.open


class TestFlagRateLimit:
    def test_flags_beyond_the_limit_are_429_with_retry_after(self, app, flag, forum, make_member):
        app.config["FLAG_RATE_LIMIT"] = "2 per hour"
        thread = forum.thread(make_member())
        posts = [forum.reply(thread, make_member(), f"reply {n}") for n in range(3)]
        member = make_member()
        assert [flag(member, p.id).status_code for p in posts[:2]] == [201, 201]
        refused = flag(member, posts[2].id)
        assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
        assert int(refused.headers["Retry-After"]) > 0 and refused.get_json()["status"] == 429
        assert count(Flag) == 2
        # Per member: someone else still can.
        assert flag(make_member(), posts[2].id).status_code == 201

    def test_the_report_form_and_the_api_share_one_bucket(self, app, client, pages, flag, forum, make_member):
        app.config["FLAG_RATE_LIMIT"] = "2 per hour"
        thread = forum.thread(make_member())
        posts = [forum.reply(thread, make_member(), f"reply {n}") for n in range(3)]
        member = make_member()
        flag(member, posts[0].id)
        flag(member, posts[1].id)
        pages.sign_in(member)
        response = pages.post(f"/posts/{posts[2].id}/flag", {"reason": "spam"})
        assert response.status_code == 429 and "Please slow down" in response.get_data(as_text=True)
        assert count(Flag) == 2

    def test_refused_reports_do_not_use_the_allowance(self, app, flag, reply, forum, make_member):
        app.config["FLAG_RATE_LIMIT"] = "2 per hour"
        member = make_member()
        assert flag(member, reply.id).status_code == 201
        assert [flag(member, reply.id).status_code for _ in range(3)] == [409] * 3
        other = forum.reply(forum_services.get_thread(reply.thread_id, member), make_member(), "another")
        assert flag(member, other.id).status_code == 201


class TestHiddenOpeningPost:
    @pytest.fixture
    def thread(self, app, forum, make_member, flag):
        app.config["FLAG_HIDE_THRESHOLD"] = 2
        thread = forum.thread(make_member("opener_olga"), title="Spasms after a hot bath",
                              body="The opening words.")
        forum.reply(thread, make_member("replier_rob"), "A reply worth keeping.")
        opening = forum_services.opening_post(thread)
        for member in (make_member(), make_member()):
            flag(member, opening.id)
        assert fresh(Post, opening.id).status == PostStatus.hidden
        return thread

    def test_the_thread_stays_readable_through_the_api(self, client, thread):
        response = client.get(f"/api/v1/threads/{thread.id}")
        assert response.status_code == 200
        body = response.get_json()
        assert body["title"] == "Spasms after a hot bath" and body["status"] == "hidden"
        opening, answer = body["posts"]
        assert opening["status"] == "hidden" and opening["body_html"] is None and opening["author"] is None
        assert "A reply worth keeping." in answer["body_html"]
        posts = client.get(f"/api/v1/threads/{thread.id}/posts")
        assert posts.status_code == 200 and len(posts.get_json()["items"]) == 2

    def test_the_thread_page_shows_the_replies_and_the_opening_post_as_hidden(self, client, thread):
        response = client.get(f"/threads/{thread.id}")
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert "[hidden pending review]" in html and "A reply worth keeping." in html
        assert "The opening words." not in html

    def test_it_leaves_the_lists_until_a_moderator_decides(self, client, thread, moderator, api_headers):
        assert thread.id not in {t["id"] for t in client.get("/api/v1/threads").get_json()["items"]}
        listed = client.get("/api/v1/threads", headers=api_headers(moderator)).get_json()["items"]
        assert thread.id in {t["id"] for t in listed}

    def test_a_removed_opening_post_still_takes_its_thread_away(self, client, thread, moderator):
        from app.moderation.queue import services as queue
        item_id = db.session.scalar(sa.select(QueueItem.id).where(QueueItem.status == QueueStatus.open))
        queue.resolve_item(moderator, item_id, "reject", "Abusive opening post")
        assert client.get(f"/api/v1/threads/{thread.id}").status_code == 404


def test_the_shipped_trust_levels_are_the_ones_tested_here():
    from config import Config
    assert {name: getattr(Config, name) for name in SHIPPED_TRUST} == SHIPPED_TRUST
