"""The audit log: every action listed newest first, filterable, paged, and never changed or removed."""
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.members.models import Role
from app.moderation.actions import services as actions
from app.moderation.models import AuditEntry
from tests.forum.test_pages import assert_accessible_outline

ENTRY_IDS = re.compile(r'<li class="audit-entry" id="entry-(\d+)">')
OLDER = re.compile(r'<a class="button" href="([^"]+)">Older entries</a>')


def html_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def history(forum, moderator, admin, make_member):
    """A few actions by two moderators about two members."""
    steve, rob = make_member("stiff_steve"), make_member("rollator_rob")
    thread = forum.thread(steve, title="Cooling vests in summer")
    post = forum.reply(thread, rob, "Ice packs help me")
    actions.lock(moderator, thread.id, "Heated")
    actions.warn(moderator, rob.handle, "Be kind")
    actions.moderator_edit(admin, post.id, "Ice packs help", "Trimmed")
    actions.suspend(admin, rob.handle, None, "Spam links")
    return {"thread": thread, "post": post, "steve": steve, "rob": rob}


def log_api(client, headers, query=""):
    response = client.get(f"/api/v1/moderation/log{query}", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


class TestApi:
    def test_entries_newest_first_in_the_contract_shape(self, client, api_headers, moderator, history):
        body = log_api(client, api_headers(moderator))
        assert body["next_cursor"] is None
        assert [e["action"] for e in body["items"]] == ["suspend", "edit", "warn", "lock"]
        lock = body["items"][-1]
        assert set(lock) >= {"id", "at", "moderator", "action", "target_type", "target_id", "reason"}
        assert lock["moderator"] == {"handle": "mod_maria", "role": "moderator"}
        assert (lock["target_type"], lock["target_id"], lock["reason"]) == ("thread", history["thread"].id, "Heated")
        assert lock["member"] == {"handle": "stiff_steve"} and lock["at"].endswith("Z")
        assert body["items"][0]["details"] == {"until": None}

    @pytest.mark.parametrize("query, expected", [
        ("?moderator=ADMIN_ADA", ["suspend", "edit"]),
        ("?action=warn", ["warn"]),
        ("?member=rollator_rob", ["suspend", "edit", "warn"]),
        ("?member=rollator_rob&moderator=mod_maria", ["warn"]),
        ("?member=nobody_here", []),
    ])
    def test_filters(self, client, api_headers, moderator, history, query, expected):
        assert [e["action"] for e in log_api(client, api_headers(moderator), query)["items"]] == expected

    def test_cursor_pages_through_every_entry_once(self, client, api_headers, moderator, history):
        headers, seen, cursor = api_headers(moderator), [], None
        while True:
            body = log_api(client, headers, f"?limit=3{'&cursor=' + cursor if cursor else ''}")
            seen += [e["id"] for e in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 4

    @pytest.mark.parametrize("query", ["limit=0", "limit=101", "cursor=garbage!", "action=" + "x" * 41])
    def test_bad_arguments_are_422(self, client, api_headers, moderator, query):
        response = client.get(f"/api/v1/moderation/log?{query}", headers=api_headers(moderator))
        assert response.status_code == 422 and response.mimetype == "application/problem+json"

    def test_the_log_is_in_the_openapi_description(self, client):
        spec = client.get("/api/v1/openapi.json").get_json()
        for path in ("/api/v1/moderation/log", "/api/v1/moderation/members/{handle}/suspend",
                     "/api/v1/moderation/threads/{thread_id}/lock", "/api/v1/moderation/posts/{post_id}"):
            assert path in spec["paths"], path


class TestAppendOnly:
    @pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
    @pytest.mark.parametrize("path", ["/api/v1/moderation/log", "/api/v1/moderation/log/{id}", "/mod/log/{id}"])
    def test_there_is_no_route_to_change_an_entry(self, client, api_headers, admin, history, method, path):
        [entry_id] = db.session.scalars(sa.select(AuditEntry.id).limit(1))
        response = client.open(path.format(id=entry_id), method=method, headers=api_headers(admin),
                               json={"reason": "rewritten"})
        assert response.status_code in (404, 405)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 4

    def test_the_orm_refuses_updates_and_deletes(self, history):
        entry = db.session.scalars(sa.select(AuditEntry)).first()
        entry.reason = "rewritten"
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
        entry = db.session.scalars(sa.select(AuditEntry)).first()
        db.session.delete(entry)
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == 4
        assert "rewritten" not in db.session.scalars(sa.select(AuditEntry.reason)).all()


class TestPage:
    def test_entries_in_words_with_labelled_filters(self, client, pages, moderator, history):
        pages.sign_in(moderator)
        html = html_of(client.get("/mod/log"))
        assert len(ENTRY_IDS.findall(html)) == 4
        assert "<strong>Locked a thread</strong>: <a href=\"/threads/" in html and "“Cooling vests in summer”" in html
        assert "a post in “Cooling vests in summer”" in html and "Reason: Spam links" in html
        assert "Member concerned: <a href=\"/mod/members/stiff_steve\">stiff_steve</a>" in html
        assert 'for="filter-moderator"' in html and 'for="filter-action"' in html and 'for="filter-member"' in html
        assert "@example.org" not in html
        assert_accessible_outline(html)

    def test_filters_narrow_the_list_and_stay_in_the_form(self, client, pages, moderator, history):
        pages.sign_in(moderator)
        html = html_of(client.get("/mod/log?member=rollator_rob&action=warn"))
        assert len(ENTRY_IDS.findall(html)) == 1 and "Reason: Be kind" in html
        assert 'value="rollator_rob"' in html and '<option value="warn" selected>' in html
        assert "Show every entry" in html
        empty = html_of(client.get("/mod/log?moderator=nobody_here"))
        assert "No entries match these filters." in empty

    def test_pager_keeps_the_filters(self, client, pages, moderator, make_member):
        members = [make_member() for _ in range(35)]
        for member in members:
            actions.warn(moderator, member.handle, "Mass warning")
        pages.sign_in(moderator)
        first = html_of(client.get("/mod/log?action=warn"))
        assert len(ENTRY_IDS.findall(first)) == 30
        older = OLDER.search(first)[1].replace("&amp;", "&")
        assert "action=warn" in older
        second = html_of(client.get(older))
        assert len(ENTRY_IDS.findall(second)) == 5 and "Back to the newest entries" in second

    def test_member_page_history_holds_only_their_entries(self, client, pages, moderator, history):
        pages.sign_in(moderator)
        html = html_of(client.get("/mod/members/stiff_steve"))
        assert len(ENTRY_IDS.findall(html)) == 1 and "Reason: Heated" in html and "Be kind" not in html


class TestQueryCounts:
    def grow(self, forum, moderator, make_member, count):
        for n in range(count):
            author = make_member()
            thread = forum.thread(author, title=f"Thread number {n}")
            post = forum.reply(thread, make_member(), "A reply")
            actions.lock(moderator, thread.id, "Heated")
            actions.moderator_edit(moderator, post.id, "Edited reply", "Tidy")
            actions.warn(moderator, author.handle, "Be kind")

    def test_page_and_api_are_constant_for_3_or_30_entries(self, client, pages, api_headers, forum, moderator,
                                                           make_member, count_queries):
        headers = api_headers(moderator)
        pages.sign_in(moderator)
        counts = []
        for size in (1, 10):  # three entries per round
            self.grow(forum, moderator, make_member, size)
            with count_queries() as page:
                assert client.get("/mod/log").status_code == 200
            with count_queries() as api:
                assert client.get("/api/v1/moderation/log?limit=100", headers=headers).status_code == 200
            counts.append((page.count, api.count))
        assert counts[0] == counts[1], counts
        assert counts[1][0] <= 6 and counts[1][1] <= 2, counts


def test_moderators_and_admins_only(client, api_headers, make_member):
    for role, status in ((Role.member, 403), (Role.moderator, 200), (Role.admin, 200)):
        assert client.get("/api/v1/moderation/log", headers=api_headers(make_member(role=role))).status_code == status
