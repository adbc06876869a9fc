"""The review queue: ordering, every decision and what it writes, permissions, bulk approval, /mod, query counts."""
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.forum import services as forum_services
from app.forum.models import Post, PostStatus, Thread
from app.members.models import Member, MemberStatus, Role
from app.moderation.audit import services as audit
from app.moderation.queue import services
from app.moderation.models import AuditEntry, Flag, QueueItem, QueueKind, QueueStatus
from app.moderation.queue.services import open_item
from app.notifications.models import Notification, NotificationKind
from tests.forum.test_pages import assert_accessible_outline
from tests.moderation.queue.test_flags import count, fresh, html_of

ARTICLE_IDS = re.compile(r'<article id="item-(\d+)"')


@pytest.fixture
def author(make_member):
    return make_member("clonus_carla")


@pytest.fixture
def thread(forum, author):
    return forum.thread(author, title="Heat makes my legs turn to concrete", body="Cooling vest ideas?")


@pytest.fixture
def mod_headers(moderator, api_headers):
    return api_headers(moderator)


def hold(post: Post, cause: str = "First post of a new member") -> QueueItem:
    """A post waiting for approval, as pre-moderation leaves it."""
    forum_services.set_post_status(post, PostStatus.pending_review)
    item = open_item(post, QueueKind.pending_post, cause)
    db.session.commit()
    return item


def flag_by(post: Post, members, reason="spam", note=None) -> QueueItem:
    for member in members:
        services.flag_post(member, post.id, reason, note)
    return db.session.scalar(sa.select(QueueItem).where(QueueItem.post_id == post.id,
                                                        QueueItem.status == QueueStatus.open))


@pytest.fixture
def situation(forum, thread, make_member):
    """A reply by tizzy_tom in a given state, with its open queue item: (reply, item)."""
    tom = make_member("tizzy_tom")

    def make(state: str):
        reply = forum.reply(thread, tom, "Try the frozen-peas trick on your calves.")
        if state == "pending":
            return reply, hold(reply)
        if state == "flagged":
            return reply, flag_by(reply, [make_member()])
        if state == "hidden":
            return reply, flag_by(reply, [make_member() for _ in range(3)])
        forum_services.set_post_status(reply, PostStatus.removed)
        item = open_item(reply, QueueKind.flagged_post, "Removed while under review")
        db.session.commit()
        return reply, item
    return make


def resolve(client, headers, item_id, action, reason="Checked against the community guidelines."):
    return client.post(f"/api/v1/moderation/queue/{item_id}/resolve", headers=headers,
                       json={"action": action, "reason": reason})


def nothing_written(item_id: int, post_id: int, status: PostStatus) -> None:
    assert fresh(QueueItem, item_id).status == QueueStatus.open
    assert fresh(Post, post_id).status == status
    assert count(AuditEntry) == 0
    assert count(Notification, Notification.kind != NotificationKind.post_hidden) == 0


# --- ordering ------------------------------------------------------------------------

@pytest.fixture
def mixed_queue(forum, thread, make_member):
    """Four items opened in this order: normal, urgent, normal, urgent. Returns their ids, oldest first."""
    members = [make_member() for _ in range(2)]
    start = utcnow() - timedelta(hours=1)
    ids = []
    for n, reason in enumerate(["spam", "self_harm", "abuse", "self_harm"]):
        reply = forum.reply(thread, members[n % 2], f"reply {n}")
        item = flag_by(reply, [members[(n + 1) % 2]], reason)
        item.created_at = start + timedelta(minutes=n)
        ids.append(item.id)
    db.session.commit()
    return ids


class TestOrdering:
    def test_urgent_first_then_oldest_first(self, client, mod_headers, mixed_queue):
        normal_1, urgent_1, normal_2, urgent_2 = mixed_queue
        body = client.get("/api/v1/moderation/queue", headers=mod_headers).get_json()
        assert [i["id"] for i in body["items"]] == [urgent_1, urgent_2, normal_1, normal_2]
        assert [i["priority"] for i in body["items"]] == ["urgent", "urgent", "normal", "normal"]
        assert [i["kind"] for i in body["items"]] == ["crisis", "crisis", "flagged_post", "flagged_post"]
        assert body["next_cursor"] is None

    def test_cursor_pages_keep_the_order(self, client, mod_headers, mixed_queue):
        seen, cursor = [], None
        for _ in range(5):
            query = "?limit=1" + (f"&cursor={cursor}" if cursor else "")
            body = client.get(f"/api/v1/moderation/queue{query}", headers=mod_headers).get_json()
            seen += [i["id"] for i in body["items"]]
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert seen == [mixed_queue[i] for i in (1, 3, 0, 2)]

    def test_the_page_shows_urgent_items_first_under_their_own_heading(self, client, pages, moderator, mixed_queue):
        pages.sign_in(moderator)
        html = html_of(client.get("/mod"))
        assert [int(i) for i in ARTICLE_IDS.findall(html)] == [mixed_queue[i] for i in (1, 3, 0, 2)]
        urgent, normal = html.split('<h2 id="normal-heading">')
        assert "Urgent: someone may be at risk" in urgent and 'class="label label--urgent">Urgent' in urgent
        assert "label--urgent" not in normal
        assert_accessible_outline(html)

    def test_resolved_items_are_listed_apart(self, client, mod_headers, mixed_queue, moderator):
        services.resolve_item(moderator, mixed_queue[0], "dismiss", "Not spam.")
        open_ids = [i["id"] for i in client.get("/api/v1/moderation/queue", headers=mod_headers).get_json()["items"]]
        resolved = client.get("/api/v1/moderation/queue?status=resolved", headers=mod_headers).get_json()["items"]
        assert mixed_queue[0] not in open_ids and [i["id"] for i in resolved] == [mixed_queue[0]]
        assert resolved[0]["resolution"] == "dismiss" and resolved[0]["resolved_by"] == {"handle": "mod_maria",
                                                                                          "role": "moderator"}
        bad = client.get("/api/v1/moderation/queue?status=closed", headers=mod_headers)
        assert bad.status_code == 422 and "status" in bad.get_json()["errors"]
        assert client.get("/api/v1/moderation/queue?cursor=nonsense", headers=mod_headers).status_code == 422


class TestItemContents:
    def test_an_item_shows_context_flags_by_reason_with_notes_and_history(self, client, mod_headers, forum, thread,
                                                                         make_member, moderator, situation):
        earlier, _ = situation("flagged")
        services.resolve_item(moderator, db.session.scalar(sa.select(QueueItem.id)), "reject", "Unsafe advice.")
        reply = forum.reply(thread, earlier.author, "Ignore your neurologist, double the dose.")
        flaggers = [make_member() for _ in range(2)]
        services.flag_post(flaggers[0], reply.id, "misinformation", "Doubling baclofen is dangerous.")
        services.flag_post(flaggers[1], reply.id, "misinformation")
        services.flag_post(make_member(), reply.id, "abuse")
        item = client.get("/api/v1/moderation/queue", headers=mod_headers).get_json()["items"][0]
        assert item["post"]["id"] == reply.id and "double the dose" in item["post"]["body_html"]
        assert item["post"]["author"] == {"handle": "tizzy_tom", "role": "member"}
        assert item["thread"] == {"id": thread.id, "title": "Heat makes my legs turn to concrete"}
        assert item["parent"]["author"] == {"handle": "clonus_carla", "role": "member"}
        assert item["parent"]["excerpt"] == "Cooling vest ideas?"
        assert [(f["reason"], f["count"], f["notes"]) for f in item["flags"]] == [
            ("misinformation", 2, ["Doubling baclofen is dangerous."]), ("abuse", 1, [])]
        assert item["author_history"] == {"removals": 1, "hides": 0, "warnings": 0, "suspensions": 0}
        # The third flagger hid it; moderators still read it, and may publish it again.
        assert item["post"]["status"] == "hidden" and item["cause"] == "Hidden automatically after 3 members flagged it"
        assert item["actions"] == ["approve", "restore", "reject", "dismiss"]
        assert "member_id" not in str(item) and flaggers[0].handle not in str(item)  # flaggers stay unnamed

    def test_moderators_see_posts_never_experience_reports_or_ballots(self, client, pages, mod_headers, moderator,
                                                                     situation, make_member):
        from app.experiences.models import Duration, ExperienceReport, UsageStatus
        from app.polls import services as polls
        from app.polls.models import Effect
        from app.vocabulary.models import Tag
        reply, item = situation("flagged")
        baclofen = db.session.scalar(sa.select(Tag).where(Tag.slug == "baclofen"))
        db.session.add(ExperienceReport(member_id=reply.author_id, treatment_id=baclofen.id, effect=Effect.worse,
                                        duration=Duration.m1_6, status=UsageStatus.current, dose="dose-secret-40mg"))
        db.session.commit()
        poll = polls.create_poll(reply.thread.author, reply.thread_id, "Did baclofen help?", "experience",
                                 treatment="baclofen")
        polls.vote(reply.author, poll.id, [poll.options[4].id])
        pages.sign_in(moderator)
        bodies = [client.get("/api/v1/moderation/queue", headers=mod_headers).get_data(as_text=True),
                  client.get(f"/api/v1/moderation/queue/{item.id}", headers=mod_headers).get_data(as_text=True),
                  html_of(client.get("/mod"))]
        for body in bodies:
            assert "dose-secret-40mg" not in body and "Made things worse" not in body and "my_vote" not in body


# --- decisions -----------------------------------------------------------------------

class TestResolve:
    @pytest.mark.parametrize("state, action, after, notice, replies", [
        ("pending", "approve", PostStatus.published, NotificationKind.post_approved, 1),
        ("pending", "reject", PostStatus.removed, NotificationKind.post_removed, 0),
        ("flagged", "hide", PostStatus.hidden, NotificationKind.post_hidden, 0),
        ("flagged", "reject", PostStatus.removed, NotificationKind.post_removed, 0),
        ("flagged", "dismiss", PostStatus.published, None, 1),
        ("hidden", "approve", PostStatus.published, NotificationKind.post_approved, 1),
        ("hidden", "restore", PostStatus.published, NotificationKind.post_restored, 1),
        ("hidden", "dismiss", PostStatus.hidden, None, 0),
        ("removed", "restore", PostStatus.published, NotificationKind.post_restored, 1),
    ])
    def test_each_decision_with_its_audit_entry_and_notification(self, client, mod_headers, moderator, situation,
                                                                 thread, state, action, after, notice, replies):
        reply, item = situation(state)
        reason = f"{action}: checked against the guidelines"
        response = resolve(client, mod_headers, item.id, action, reason)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert (body["status"], body["resolution"], body["post"]["status"]) == ("resolved", action, after.value)
        assert body["resolved_by"] == {"handle": "mod_maria", "role": "moderator"} and body["actions"] == []
        resolved = fresh(QueueItem, item.id)
        assert resolved.resolution_reason == reason and resolved.resolved_at is not None
        assert fresh(Post, reply.id).status == after
        assert fresh(Thread, thread.id).reply_count == replies
        assert count(Flag, Flag.resolved_at.is_(None)) == 0
        (entry,) = db.session.scalars(sa.select(AuditEntry)).all()
        assert (entry.moderator_id, entry.action, entry.target_type, entry.target_id) == (moderator.id, action, "post", reply.id)
        assert (entry.member_id, entry.reason, entry.details) == (reply.author_id, reason, {"queue_item": item.id})
        told = db.session.scalars(sa.select(Notification).where(Notification.reason == reason)).all()
        assert [(n.kind, n.member_id, n.post_id) for n in told] == ([(notice, reply.author_id, reply.id)] if notice else [])

    def test_approving_a_held_opening_post_publishes_its_thread(self, client, mod_headers, forum, make_member):
        thread = forum.thread(make_member("newbie_noor"), title="Newly diagnosed and scared")
        item = hold(forum_services.opening_post(thread))
        assert client.get(f"/api/v1/threads/{thread.id}").status_code == 404
        assert resolve(client, mod_headers, item.id, "approve").status_code == 200
        assert client.get(f"/api/v1/threads/{thread.id}").get_json()["status"] == "published"

    @pytest.mark.parametrize("state, action", [
        ("pending", "dismiss"), ("pending", "hide"), ("pending", "restore"), ("flagged", "approve"),
        ("flagged", "restore"), ("hidden", "hide"), ("removed", "reject"), ("removed", "approve"),
    ])
    def test_a_decision_that_does_not_fit_the_post_is_409_and_writes_nothing(self, client, mod_headers, situation,
                                                                            state, action):
        reply, item = situation(state)
        before = fresh(Post, reply.id).status
        response = resolve(client, mod_headers, item.id, action)
        assert response.status_code == 409 and "Choose" in response.get_json()["detail"]
        nothing_written(item.id, reply.id, before)

    @pytest.mark.parametrize("body, field", [
        ({"action": "hide", "reason": "   "}, "reason"), ({"action": "hide"}, "reason"),
        ({"action": "ban", "reason": "x"}, "action"), ({"reason": "x"}, "action"),
        ({"action": "hide", "reason": "x" * 2001}, "reason"),
    ])
    def test_invalid_decisions_are_422(self, client, mod_headers, situation, body, field):
        reply, item = situation("flagged")
        response = client.post(f"/api/v1/moderation/queue/{item.id}/resolve", headers=mod_headers, json=body)
        assert response.status_code == 422 and field in response.get_json()["errors"]
        nothing_written(item.id, reply.id, PostStatus.published)

    def test_an_item_is_resolved_once(self, client, mod_headers, situation):
        reply, item = situation("flagged")
        assert resolve(client, mod_headers, item.id, "dismiss").status_code == 200
        again = resolve(client, mod_headers, item.id, "hide")
        assert again.status_code == 409 and "already resolved" in again.get_json()["detail"]
        assert count(AuditEntry) == 1 and fresh(Post, reply.id).status == PostStatus.published
        assert resolve(client, mod_headers, 999_999, "hide").status_code == 404

    def test_who_may_decide_on_whose_post(self, client, forum, thread, make_member, moderator, admin, api_headers):
        other_moderator = make_member("mod_mo", role=Role.moderator)
        admin_item = flag_by(forum.reply(thread, admin, "Admin here."), [make_member()])
        own_item = flag_by(forum.reply(thread, moderator, "Moderator here."), [make_member()])
        peer_item = flag_by(forum.reply(thread, other_moderator, "Another moderator."), [make_member()])
        mine = api_headers(moderator)
        for item in (admin_item, own_item, peer_item):
            assert resolve(client, mine, item.id, "hide").status_code == 403
            assert client.get(f"/api/v1/moderation/queue/{item.id}", headers=mine).get_json()["actions"] == []
        assert count(AuditEntry) == 0 and count(QueueItem, QueueItem.status == QueueStatus.resolved) == 0
        assert resolve(client, api_headers(admin), own_item.id, "hide").status_code == 200

    def test_a_failure_midway_writes_nothing(self, client, mod_headers, situation, monkeypatch):
        reply, item = situation("pending")

        def broken(*args, **kwargs):
            raise RuntimeError("mail server on fire")
        monkeypatch.setattr("app.moderation.queue.services.notify", broken)
        assert resolve(client, mod_headers, item.id, "approve").status_code == 500
        nothing_written(item.id, reply.id, PostStatus.pending_review)
        assert fresh(Thread, reply.thread_id).reply_count == 0


@pytest.mark.concurrent
def test_two_moderators_deciding_at_once_one_wins(app, situation, make_member, api_headers):
    reply, item = situation("flagged")
    item_id = item.id
    jobs = [(api_headers(make_member(f"mod_{n}", role=Role.moderator)), action)
            for n, action in enumerate(["hide", "reject", "dismiss", "hide"])]

    def send(job):
        headers, action = job
        return app.test_client().post(f"/api/v1/moderation/queue/{item_id}/resolve", headers=headers,
                                      json={"action": action, "reason": "Seen at the same moment."}).status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        statuses = sorted(pool.map(send, jobs))
    assert statuses == [200, 409, 409, 409]
    db.session.expire_all()
    assert count(AuditEntry) == 1 and count(QueueItem, QueueItem.status == QueueStatus.resolved) == 1


# --- bulk approval -------------------------------------------------------------------

class TestBulkApprove:
    def test_approves_held_posts_and_reports_the_rest(self, client, mod_headers, forum, thread, make_member,
                                                       moderator, admin, situation):
        held = [hold(forum.reply(thread, make_member(), f"first post {n}")) for n in range(3)]
        _, flagged = situation("flagged")
        _, done = situation("pending")
        services.resolve_item(moderator, done.id, "reject", "Spam.")
        admins = hold(forum.reply(thread, admin, "An admin's held post"))
        ids = [h.id for h in held] + [flagged.id, done.id, admins.id, 999_999]
        response = client.post("/api/v1/moderation/queue/bulk-approve", headers=mod_headers,
                               json={"item_ids": ids, "reason": "Welcome to Thaw!"})
        assert response.status_code == 200
        body = response.get_json()
        assert [i["id"] for i in body["approved"]] == [h.id for h in held]
        assert all(i["post"]["status"] == "published" and i["resolution"] == "approve" for i in body["approved"])
        assert [r["id"] for r in body["refused"]] == [flagged.id, done.id, admins.id, 999_999]
        assert "not waiting for approval" in body["refused"][0]["reason"]
        assert "already resolved" in body["refused"][1]["reason"]
        assert body["refused"][2]["reason"] == "Only an admin can approve posts by moderators and admins."
        assert count(AuditEntry, AuditEntry.action == "approve") == 3
        assert count(Notification, Notification.kind == NotificationKind.post_approved,
                     Notification.reason == "Welcome to Thaw!") == 3
        assert fresh(Thread, thread.id).reply_count == 4  # three approved replies and the flagged one

    def test_needs_items_and_a_reason(self, client, mod_headers, forum, thread, make_member):
        item = hold(forum.reply(thread, make_member(), "first post"))
        for body, field in [({"item_ids": [], "reason": "ok"}, "item_ids"), ({"item_ids": [item.id]}, "reason")]:
            response = client.post("/api/v1/moderation/queue/bulk-approve", headers=mod_headers, json=body)
            assert response.status_code == 422 and field in response.get_json()["errors"]
        assert count(AuditEntry) == 0 and fresh(QueueItem, item.id).status == QueueStatus.open

    def test_from_the_page_with_checkboxes(self, client, pages, moderator, forum, thread, make_member, situation):
        held = [hold(forum.reply(thread, make_member(), f"first post {n}")) for n in range(2)]
        situation("flagged")
        pages.sign_in(moderator)
        html = html_of(client.get("/mod"))
        boxes = re.findall(r'<input type="checkbox" id="select-(\d+)" name="item_ids" value="\d+" form="bulk-approve"', html)
        assert [int(b) for b in boxes] == [h.id for h in held]  # the flagged item has none
        assert '<form id="bulk-approve"' in html and ">Approve selected</button>" in html
        refused = pages.post("/mod/bulk-approve", {"item_ids": [str(held[0].id)], "reason": ""}, form_page="/mod")
        assert refused.status_code == 422 and "Give a reason" in html_of(refused)
        assert f'id="select-{held[0].id}" name="item_ids" value="{held[0].id}" form="bulk-approve" checked' in html_of(refused)
        done = pages.post("/mod/bulk-approve", {"item_ids": [str(h.id) for h in held], "reason": "Welcome!"},
                          form_page="/mod")
        assert done.status_code == 302
        assert "2 posts are approved and published." in html_of(client.get(done.location))
        assert count(AuditEntry, AuditEntry.action == "approve") == 2


# --- the /mod page -------------------------------------------------------------------

class TestQueuePage:
    def test_an_empty_queue_says_so(self, client, pages, moderator):
        pages.sign_in(moderator)
        html = html_of(client.get("/mod"))
        assert "Nothing is waiting for review" in html and "<article" not in html
        assert_accessible_outline(html)

    def test_long_queues_continue_on_the_next_page(self, client, pages, moderator, forum, thread, make_member,
                                                   monkeypatch):
        monkeypatch.setattr("app.moderation.queue.views.ITEMS_PER_PAGE", 2)
        items = [hold(forum.reply(thread, make_member(), f"first post {n}")) for n in range(3)]
        pages.sign_in(moderator)
        first = html_of(client.get("/mod"))
        assert [int(i) for i in ARTICLE_IDS.findall(first)] == [i.id for i in items[:2]]
        next_url = re.search(r'<a class="button" href="([^"]+)">Next items</a>', first).group(1).replace("&amp;", "&")
        second = html_of(client.get(next_url))
        assert [int(i) for i in ARTICLE_IDS.findall(second)] == [items[2].id] and "Back to the first items" in second

    def test_an_item_in_full(self, client, pages, moderator, situation, make_member):
        reply, item = situation("flagged")
        services.flag_post(make_member(), reply.id, "spam", "Selling peas.")
        pages.sign_in(moderator)
        article = html_of(client.get("/mod")).split(f'<article id="item-{item.id}"')[1].split("</article>")[0]
        assert "Heat makes my legs turn to concrete</a></h3>" in article
        assert "It answers <a href=\"/members/clonus_carla\">clonus_carla</a>" in article and "Cooling vest ideas?" in article
        assert "frozen-peas trick" in article and "<strong>Spam or advertising</strong>: 2 flags" in article
        assert "<q>Selling peas.</q>" in article and "tizzy_tom</a>, member." in article
        assert [a for a in re.findall(r'name="action" value="(\w+)"', article)] == ["hide", "reject", "dismiss"]
        assert f'<label for="reason-{item.id}">Reason</label>' in article

    def test_deciding_from_the_page(self, client, pages, moderator, situation):
        reply, item = situation("flagged")
        pages.sign_in(moderator)
        response = pages.post(f"/mod/items/{item.id}/resolve", {"action": "hide", "reason": "Unsafe advice."},
                              form_page="/mod")
        assert response.status_code == 302
        assert "The post is hidden from members. The author is told why." in html_of(client.get(response.location))
        assert fresh(Post, reply.id).status == PostStatus.hidden
        resolved = html_of(client.get("/mod?status=resolved"))
        assert f'id="item-{item.id}"' in resolved and "Hidden by mod_maria (moderator)" in resolved
        assert "Reason: Unsafe advice." in resolved and 'name="action"' not in resolved

    def test_a_refused_decision_shows_the_queue_again_with_what_was_typed(self, client, pages, moderator, situation):
        reply, item = situation("flagged")
        pages.sign_in(moderator)
        response = pages.post(f"/mod/items/{item.id}/resolve", {"reason": "Looks like an advert"}, form_page="/mod")
        html = html_of(response)
        assert response.status_code == 422 and "Choose what to do with the post." in html
        assert f'<a href="#action-{item.id}">' in html and ">Looks like an advert</textarea>" in html
        response = pages.post(f"/mod/items/{item.id}/resolve", {"action": "approve", "reason": "Fine"}, form_page="/mod")
        assert response.status_code == 409 and "it cannot take “approve”" in html_of(response)
        nothing_written(item.id, reply.id, PostStatus.published)

    def test_a_moderator_sees_why_they_cannot_decide_on_an_admins_post(self, client, pages, moderator, admin,
                                                                       forum, thread, make_member):
        item = flag_by(forum.reply(thread, admin, "Admin post"), [make_member()])
        pages.sign_in(moderator)
        article = html_of(client.get("/mod")).split(f'<article id="item-{item.id}"')[1].split("</article>")[0]
        assert "Only an admin can decide on posts by moderators and admins." in article and "<form" not in article


# --- who may use the queue -------------------------------------------------------------

ROUTES = [
    ("GET", "/api/v1/moderation/queue"),
    ("GET", "/api/v1/moderation/queue/{item}"),
    ("POST", "/api/v1/moderation/queue/{item}/resolve"),
    ("POST", "/api/v1/moderation/queue/bulk-approve"),
    ("GET", "/mod"),
    ("POST", "/mod/items/{item}/resolve"),
    ("POST", "/mod/bulk-approve"),
]
FOR_EVERY_MEMBER = {"moderation_api.flag", "moderation.queue.flag"}


def test_every_moderator_route_is_in_the_permission_tests(app):
    found = set()
    for rule in app.url_map.iter_rules():
        in_the_queue_room = rule.endpoint.startswith("moderation.queue.") or rule.endpoint.startswith("moderation_api.")
        if in_the_queue_room and rule.endpoint not in FOR_EVERY_MEMBER:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                found.add((method, re.sub(r"<int:\w+>", "{item}", rule.rule)))
    assert found == set(ROUTES)


@pytest.mark.parametrize("method, path", ROUTES)
def test_members_get_403_and_visitors_are_asked_to_sign_in(client, pages, api_headers, situation, make_member,
                                                           method, path):
    reply, item = situation("pending")
    url = path.format(item=item.id)
    body = {"item_ids": [item.id], "reason": "ok"} if "bulk" in url else {"action": "approve", "reason": "ok"}
    member = make_member()
    if url.startswith("/api/"):
        send = client.get if method == "GET" else client.post
        kwargs = {} if method == "GET" else {"json": body}
        assert send(url, **kwargs).status_code == 401
        response = send(url, headers=api_headers(member), **kwargs)
        assert response.status_code == 403 and response.mimetype == "application/problem+json"
    else:
        form = {"action": "approve", "reason": "ok", "item_ids": str(item.id)}
        visitor = client.get(url) if method == "GET" else pages.post(url, form, form_page="/signin")
        assert visitor.status_code == 302 and "/signin" in visitor.location
        pages.sign_in(member)
        response = client.get(url) if method == "GET" else pages.post(url, form, form_page="/")
        assert response.status_code == 403
    nothing_written(item.id, reply.id, PostStatus.pending_review)


def test_a_suspended_moderator_is_locked_out(client, api_headers, moderator, situation):
    _, item = situation("flagged")
    headers = api_headers(moderator)
    moderator.status = MemberStatus.suspended
    db.session.commit()
    assert client.get("/api/v1/moderation/queue", headers=headers).status_code == 401
    assert resolve(client, headers, item.id, "hide").status_code == 401


# --- performance -----------------------------------------------------------------------

def _busy_queue(forum, make_member, size: int) -> None:
    """`size` items, each a reply by its own author with earlier removals, three flags with notes."""
    moderator = make_member(role=Role.moderator)
    flaggers = [make_member() for _ in range(3)]
    thread = forum.thread(make_member(), title=f"A thread with {size} reported replies")
    for n in range(size):
        author = make_member()
        reply = forum.reply(thread, author, f"reply {n}")
        audit.record(moderator, "reject", "post", reply.id, "Earlier spam", member=author)
        audit.record(moderator, "warn", "member", author.id, "Be kind", member=author)
        db.session.commit()
        for k, flagger in enumerate(flaggers[: 1 + n % 2]):
            services.flag_post(flagger, reply.id, ["spam", "abuse", "self_harm"][(n + k) % 3], f"note {n}-{k}")


@pytest.mark.parametrize("path", ["/api/v1/moderation/queue?limit=100", "/mod"])
def test_the_queue_takes_the_same_number_of_queries_for_2_or_20_items(client, pages, forum, make_member, moderator,
                                                                      api_headers, count_queries, path):
    headers = api_headers(moderator) if path.startswith("/api/") else {}
    if not headers:
        pages.sign_in(moderator)
    counts = []
    for size in (2, 20):
        _busy_queue(forum, make_member, size)
        with count_queries() as queries:
            response = client.get(path, headers=headers)
        assert response.status_code == 200
        counts.append(queries.count)
    if not headers:
        assert len(ARTICLE_IDS.findall(html_of(response))) == 22  # every item of both sizes is on the page
    assert counts[0] == counts[1] <= 7, counts


# --- the rest of the app ---------------------------------------------------------------

def test_the_demo_brings_a_believable_queue(app, vocabulary):
    from app.ops import demo
    demo.build_demo_members(lambda _: None)
    demo.build_demo_forum(lambda _: None)
    assert demo.build_demo_queue() == 2
    assert demo.build_demo_queue() == 0
    moderator = db.session.scalar(sa.select(Member).where(Member.handle == demo.MODERATOR[0]))
    items = services.list_queue(moderator).items
    assert [(i.priority, i.flag_count) for i in items] == [("urgent", 1), ("normal", 2)]
    assert all(i.post.status == PostStatus.published for i in items)


def test_openapi_describes_flags_and_the_queue(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in ("/api/v1/flags", "/api/v1/moderation/queue", "/api/v1/moderation/queue/{item_id}/resolve",
                 "/api/v1/moderation/queue/bulk-approve"):
        assert path in paths, sorted(paths)

