"""Moderator actions through the API: each changes one thing, is logged, and tells the member why."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput
from app.extensions import db
from app.forum import services as forum_services
from app.forum.models import PostRevision, Thread
from app.members.models import Member, MemberStatus, Role
from app.moderation.actions import services as actions
from app.moderation.models import AuditEntry
from app.notifications.models import Notification

REASON = "Keeping the thread on topic"


def entries(action: str | None = None) -> list[AuditEntry]:
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.where(AuditEntry.action == action)
    return list(db.session.scalars(query))


def notes_for(member) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.member_id == member.id)
                                   .order_by(Notification.id)))


@pytest.fixture
def author(make_member):
    return make_member("stiff_steve")


@pytest.fixture
def thread(forum, author):
    return forum.thread(author, title="Cooling vests in summer", tags=["cooling", "heat"])


@pytest.fixture
def post(forum, thread, make_member):
    return forum.reply(thread, make_member("rollator_rob"), "Ice packs on the **calves** help me")


@pytest.fixture
def mod_api(client, moderator, api_headers):
    headers = api_headers(moderator)

    def call(method, path, **json):
        return client.open(f"/api/v1{path}", method=method, headers=headers, json=json)
    return call


# --- who may: every route, anonymous and member ------------------------------------------

API_ROUTES = [
    ("POST", "/moderation/threads/{thread}/lock"), ("POST", "/moderation/threads/{thread}/unlock"),
    ("POST", "/moderation/threads/{thread}/pin"), ("POST", "/moderation/threads/{thread}/unpin"),
    ("POST", "/moderation/threads/{thread}/retag"), ("PATCH", "/moderation/posts/{post}"),
    ("GET", "/moderation/members/{member}"), ("POST", "/moderation/members/{member}/warn"),
    ("POST", "/moderation/members/{member}/suspend"), ("POST", "/moderation/members/{member}/unsuspend"),
    ("GET", "/moderation/log"),
]


def _path(template, thread, post, author):
    return template.format(thread=thread.id, post=post.id, member=author.handle)


@pytest.mark.parametrize("method, template", API_ROUTES)
def test_api_is_401_anonymous_and_403_for_members(client, api_headers, make_member, thread, post, author,
                                                  method, template):
    path = "/api/v1" + _path(template, thread, post, author)
    body = {"reason": "Because", "tags": ["heat"], "body": "New words"}
    anonymous = client.open(path, method=method, json=body)
    assert anonymous.status_code == 401 and anonymous.mimetype == "application/problem+json"
    member = client.open(path, method=method, json=body, headers=api_headers(make_member()))
    assert member.status_code == 403 and member.mimetype == "application/problem+json"
    assert entries() == [] and not db.session.get(Thread, thread.id).locked


# --- threads --------------------------------------------------------------------------------

class TestLockAndPin:
    def test_lock_is_logged_told_and_stops_replies(self, client, mod_api, moderator, thread, author,
                                                   make_member, api_headers):
        response = mod_api("POST", f"/moderation/threads/{thread.id}/lock", reason=REASON)
        assert response.status_code == 200
        body = response.get_json()
        assert body["id"] == thread.id and body["locked"] is True and body["pinned"] is False
        assert body["title"] == "Cooling vests in summer" and body["posts"][0]["author"] == {"handle": "stiff_steve"}
        [entry] = entries()
        assert (entry.action, entry.target_type, entry.target_id, entry.reason) == ("lock", "thread", thread.id, REASON)
        assert (entry.moderator_handle, entry.moderator_role, entry.member_handle) == ("mod_maria", "moderator",
                                                                                       "stiff_steve")
        [note] = notes_for(author)
        assert note.kind.value == "thread_locked" and note.reason == REASON and note.thread_id == thread.id
        assert "Cooling vests in summer" in note.message
        reply = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Me too"},
                            headers=api_headers(make_member()))
        assert reply.status_code == 409

    def test_unlock_tells_the_author_and_replies_resume(self, client, mod_api, thread, author, make_member,
                                                       api_headers):
        mod_api("POST", f"/moderation/threads/{thread.id}/lock", reason=REASON)
        response = mod_api("POST", f"/moderation/threads/{thread.id}/unlock", reason="Calmer now")
        assert response.status_code == 200 and response.get_json()["locked"] is False
        assert [n.kind.value for n in notes_for(author)] == ["thread_locked", "thread_unlocked"]
        assert [e.action for e in entries()] == ["lock", "unlock"]
        reply = client.post(f"/api/v1/threads/{thread.id}/posts", json={"body": "Me too"},
                            headers=api_headers(make_member()))
        assert reply.status_code == 201

    def test_pin_and_unpin_are_logged_without_notifying(self, mod_api, thread, author):
        pinned = mod_api("POST", f"/moderation/threads/{thread.id}/pin", reason="Useful for newcomers")
        assert pinned.status_code == 200 and pinned.get_json()["pinned"] is True
        unpinned = mod_api("POST", f"/moderation/threads/{thread.id}/unpin", reason="Season is over")
        assert unpinned.status_code == 200 and unpinned.get_json()["pinned"] is False
        assert [(e.action, e.reason) for e in entries()] == [("pin", "Useful for newcomers"),
                                                             ("unpin", "Season is over")]
        assert notes_for(author) == []

    @pytest.mark.parametrize("action, setup", [("lock", "lock"), ("unlock", None), ("pin", "pin"), ("unpin", None)])
    def test_no_op_actions_are_409_and_not_logged(self, mod_api, thread, action, setup):
        if setup:
            assert mod_api("POST", f"/moderation/threads/{thread.id}/{setup}", reason=REASON).status_code == 200
        before = len(entries())
        response = mod_api("POST", f"/moderation/threads/{thread.id}/{action}", reason=REASON)
        assert response.status_code == 409 and response.mimetype == "application/problem+json"
        assert len(entries()) == before

    @pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 1001},
                                         {"reason": "ok", "extra": 1}])
    def test_a_reason_is_required(self, mod_api, thread, payload):
        response = mod_api("POST", f"/moderation/threads/{thread.id}/lock", **payload)
        assert response.status_code == 422
        assert set(response.get_json()["errors"]) & {"reason", "extra"}
        db.session.expire_all()
        assert not db.session.get(Thread, thread.id).locked and entries() == []

    def test_unknown_thread_is_404(self, mod_api):
        assert mod_api("POST", "/moderation/threads/999999/lock", reason=REASON).status_code == 404


class TestRetag:
    def test_retag_replaces_the_tags_and_logs_both_sets(self, mod_api, thread):
        response = mod_api("POST", f"/moderation/threads/{thread.id}/retag", tags=["Lioresal", "cramps"],
                           reason="It is about baclofen")
        assert response.status_code == 200
        assert sorted(t["slug"] for t in response.get_json()["tags"]) == ["baclofen", "cramps"]
        [entry] = entries("retag")
        assert entry.details == {"from": ["cooling", "heat"], "to": ["baclofen", "cramps"]}
        assert entry.target_type == "thread" and entry.member_handle == "stiff_steve"

    @pytest.mark.parametrize("tags, field", [([], "tags"), (["moon juice"], "tags"),
                                             (["baclofen", "tizanidine", "diazepam", "dantrolene", "clonazepam",
                                               "gabapentin", "pregabalin", "dalfampridine", "heat"], "tags")])
    def test_the_1_to_8_tags_rule_holds(self, mod_api, thread, tags, field):
        response = mod_api("POST", f"/moderation/threads/{thread.id}/retag", tags=tags, reason="Tidy")
        assert response.status_code == 422 and field in response.get_json()["errors"]
        db.session.expire_all()
        assert sorted(t.slug for t in db.session.get(Thread, thread.id).tags) == ["cooling", "heat"]
        assert entries() == []

    def test_same_tags_are_409(self, mod_api, thread):
        response = mod_api("POST", f"/moderation/threads/{thread.id}/retag", tags=["heat", "cooling"], reason="x")
        assert response.status_code == 409 and entries() == []

    def test_unknown_tag_and_missing_reason_are_named_together_by_the_service(self, moderator, thread):
        with pytest.raises(InvalidInput) as refused:
            actions.retag(moderator, thread.id, ["moon juice"], "")
        assert set(refused.value.errors) == {"tags", "reason"}
        assert sorted(t.slug for t in db.session.get(Thread, thread.id).tags) == ["cooling", "heat"]


# --- posts ----------------------------------------------------------------------------------

class TestModeratorEdit:
    def test_edit_keeps_the_revision_and_tells_the_author(self, client, mod_api, api_headers, post):
        response = mod_api("PATCH", f"/moderation/posts/{post.id}", body="Ice packs help me (link removed)",
                           reason="Removed a phone number")
        assert response.status_code == 200
        body = response.get_json()
        assert body["body_html"].strip() == "<p>Ice packs help me (link removed)</p>" and body["edited_at"]
        revisions = client.get(f"/api/v1/posts/{post.id}/revisions", headers=api_headers(post.author)).get_json()
        assert [r["editor"]["handle"] for r in revisions["items"]] == ["rollator_rob", "mod_maria"]
        assert revisions["items"][0]["body_source"] == "Ice packs on the **calves** help me"
        [entry] = entries("edit")
        assert (entry.target_type, entry.target_id, entry.member_handle) == ("post", post.id, "rollator_rob")
        [note] = notes_for(post.author)
        assert note.kind.value == "post_edited" and note.reason == "Removed a phone number"
        assert (note.post_id, note.thread_id) == (post.id, post.thread_id)

    def test_empty_body_and_reason_are_both_named_and_nothing_changes(self, mod_api, post):
        response = mod_api("PATCH", f"/moderation/posts/{post.id}", body="", reason="")
        assert response.status_code == 422 and set(response.get_json()["errors"]) == {"body", "reason"}
        revisions = db.session.scalar(sa.select(sa.func.count()).select_from(PostRevision)
                                      .where(PostRevision.post_id == post.id))
        assert revisions == 1 and entries() == [] and notes_for(post.author) == []

    def test_service_keeps_nothing_when_only_the_reason_is_missing(self, moderator, post):
        with pytest.raises(InvalidInput):
            actions.moderator_edit(moderator, post.id, "Entirely new words", " ")
        db.session.expire_all()
        assert post.body_source == "Ice packs on the **calves** help me" and post.edited_at is None

    def test_unchanged_body_is_409(self, mod_api, post):
        response = mod_api("PATCH", f"/moderation/posts/{post.id}", body=post.body_source, reason="No change")
        assert response.status_code == 409 and entries() == []

    def test_own_and_deleted_posts(self, mod_api, forum, thread, moderator, post):
        own = forum.reply(thread, moderator, "My own words")
        assert mod_api("PATCH", f"/moderation/posts/{own.id}", body="Changed", reason="x").status_code == 403
        forum_post_id = post.id
        forum_services.delete_post(post.author, forum_post_id)
        assert mod_api("PATCH", f"/moderation/posts/{forum_post_id}", body="Changed", reason="x").status_code == 409


# --- members --------------------------------------------------------------------------------

class TestWarnAndSuspend:
    def test_warn_is_logged_and_told(self, mod_api, author):
        response = mod_api("POST", f"/moderation/members/{author.handle}/warn", reason="Please keep it kind")
        assert response.status_code == 200
        assert response.get_json() == {"handle": "stiff_steve", "role": "member", "status": "active",
                                        "suspended_until": None, "joined_at": response.get_json()["joined_at"]}
        [entry] = entries()
        assert (entry.action, entry.target_type, entry.target_id) == ("warn", "member", author.id)
        [note] = notes_for(author)
        assert note.kind.value == "warned" and note.reason == "Please keep it kind"

    def test_suspend_until_a_date_ends_tokens_and_is_told_with_the_end(self, client, mod_api, author, api_headers):
        headers = api_headers(author)
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        until = (utcnow() + timedelta(days=7)).replace(microsecond=0)
        iso = until.isoformat().replace("+00:00", "Z")
        response = mod_api("POST", f"/moderation/members/{author.handle}/suspend", until=iso, reason="Cool off")
        assert response.status_code == 200
        assert response.get_json()["status"] == "suspended" and response.get_json()["suspended_until"] == iso
        assert client.get("/api/v1/me", headers=headers).status_code == 401
        [entry] = entries()
        assert entry.action == "suspend" and entry.details == {"until": iso} and entry.reason == "Cool off"
        [note] = notes_for(author)
        assert note.kind.value == "suspended" and note.reason == "Cool off"
        assert f"until {until:%-d %b %Y}" in note.message

    def test_indefinite_suspension_and_unsuspend(self, client, mod_api, author, api_headers):
        headers = api_headers(author)
        suspended = mod_api("POST", f"/moderation/members/{author.handle}/suspend", reason="Spam account")
        assert suspended.status_code == 200 and suspended.get_json()["suspended_until"] is None
        assert entries()[0].details == {"until": None}
        assert "until a moderator lifts it" in notes_for(author)[0].message
        lifted = mod_api("POST", f"/moderation/members/{author.handle}/unsuspend", reason="Appeal accepted")
        assert lifted.status_code == 200
        assert lifted.get_json()["status"] == "active" and lifted.get_json()["suspended_until"] is None
        assert client.get("/api/v1/me", headers=headers).status_code == 200
        assert [n.kind.value for n in notes_for(author)] == ["suspended", "unsuspended"]
        assert [e.action for e in entries()] == ["suspend", "unsuspend"]

    def test_session_ends_when_suspended(self, client, pages, moderator, author):
        pages.sign_in(author)
        assert client.get("/threads/new").status_code == 200
        actions.suspend(moderator, author.handle, None, "Spam")
        response = client.get("/threads/new")
        assert response.status_code == 302 and "/signin" in response.headers["Location"]

    @pytest.mark.parametrize("until, message", [
        ("2001-01-01T00:00:00Z", "future"), ("2999-01-01T00:00:00", "time zone"), ("next week", "valid")])
    def test_until_must_be_a_future_moment(self, mod_api, author, until, message):
        response = mod_api("POST", f"/moderation/members/{author.handle}/suspend", until=until, reason="x")
        assert response.status_code == 422 and message in " ".join(response.get_json()["errors"]["until"])
        db.session.expire_all()
        assert author.status == MemberStatus.active and entries() == []

    def test_suspending_twice_and_unsuspending_an_active_member_are_409(self, mod_api, author):
        assert mod_api("POST", f"/moderation/members/{author.handle}/unsuspend", reason="x").status_code == 409
        assert mod_api("POST", f"/moderation/members/{author.handle}/suspend", reason="x").status_code == 200
        again = mod_api("POST", f"/moderation/members/{author.handle}/suspend", reason="x")
        assert again.status_code == 409 and "already suspended" in again.get_json()["detail"]
        assert [e.action for e in entries()] == ["suspend"]

    def test_unknown_and_deleted_members_are_404(self, mod_api, make_member):
        make_member("gone_gary", status=MemberStatus.deleted)
        for handle in ("nobody_here", "gone_gary"):
            assert mod_api("POST", f"/moderation/members/{handle}/warn", reason="x").status_code == 404


class TestWhoActsOnWhom:
    @pytest.mark.parametrize("action", ["warn", "suspend", "unsuspend"])
    @pytest.mark.parametrize("role", [Role.moderator, Role.admin])
    def test_a_moderator_cannot_act_on_moderators_or_admins(self, client, moderator, api_headers, make_member,
                                                           role, action):
        other = make_member("higher_up", role=role, status=MemberStatus.suspended)
        response = client.post(f"/api/v1/moderation/members/{other.handle}/{action}", json={"reason": "x"},
                               headers=api_headers(moderator))
        assert response.status_code == 403 and entries() == []

    def test_an_admin_can_suspend_a_moderator(self, client, admin, moderator, api_headers):
        response = client.post(f"/api/v1/moderation/members/{moderator.handle}/suspend",
                               json={"reason": "Abused the role"}, headers=api_headers(admin))
        assert response.status_code == 200
        [entry] = entries()
        assert (entry.moderator_handle, entry.moderator_role, entry.member_handle) == ("admin_ada", "admin",
                                                                                       "mod_maria")

    @pytest.mark.parametrize("who", ["moderator", "admin"])
    def test_nobody_acts_on_themselves(self, client, api_headers, request, forum, who):
        me = request.getfixturevalue(who)
        headers = api_headers(me)
        own = forum.thread(me, title="My own announcement")
        assert client.post(f"/api/v1/moderation/members/{me.handle}/warn", json={"reason": "x"},
                           headers=headers).status_code == 403
        assert client.post(f"/api/v1/moderation/threads/{own.id}/pin", json={"reason": "x"},
                           headers=headers).status_code == 403
        assert entries() == []

    def test_a_moderator_cannot_lock_an_admins_thread_but_an_admin_can(self, client, forum, moderator, admin,
                                                                      make_member, api_headers):
        thread = forum.thread(make_member("other_admin", role=Role.admin), title="Rules of the forum")
        lock = f"/api/v1/moderation/threads/{thread.id}/lock"
        assert client.post(lock, json={"reason": "x"}, headers=api_headers(moderator)).status_code == 403
        assert client.post(lock, json={"reason": "x"}, headers=api_headers(admin)).status_code == 200

    def test_a_suspended_moderator_cannot_moderate(self, client, moderator, author, api_headers, admin):
        headers = api_headers(moderator)
        actions.suspend(admin, moderator.handle, None, "Stepping back")
        response = client.post(f"/api/v1/moderation/members/{author.handle}/warn", json={"reason": "x"},
                               headers=headers)
        assert response.status_code == 401


def test_the_change_its_audit_entry_and_notification_are_one_transaction(moderator, thread, author, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("notification store is down")
    monkeypatch.setattr(actions, "notify", broken)
    with pytest.raises(RuntimeError):
        actions.lock(moderator, thread.id, REASON)
    db.session.expire_all()
    assert db.session.get(Thread, thread.id).locked is False
    assert entries() == [] and notes_for(author) == []


def test_two_moderators_acting_at_once_write_one_change_and_one_entry(admin, thread, author):
    """The second moderator read the row before the first one's change landed (uncommitted, same session)."""
    actions.thread_to_moderate(admin, thread.id)  # loaded, unlocked, into the session
    db.session.execute(sa.update(Thread).where(Thread.id == thread.id).values(locked=True)
                       .execution_options(synchronize_session=False))
    with pytest.raises(Conflict):
        actions.lock(admin, thread.id, "Me too")
    actions.member_to_moderate(admin, author.handle)
    db.session.execute(sa.update(Member).where(Member.id == author.id).values(status=MemberStatus.suspended)
                       .execution_options(synchronize_session=False))
    with pytest.raises(Conflict):
        actions.suspend(admin, author.handle, None, "Me too")
    assert entries() == [] and notes_for(author) == []
