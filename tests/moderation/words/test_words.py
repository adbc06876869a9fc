"""Watched words: the API and the admin page, who may do what, validation, the audit log, the seed."""
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.moderation.screening import data
from app.moderation.models import AuditEntry, WatchedAction, WatchedWord
from app.moderation.reason import REASON_MAX
from app.moderation.words.services import add_watched_word
from tests.forum.test_pages import assert_accessible_outline

URL = "/api/v1/moderation/watched-words"


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def html_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def word(admin):
    return add_watched_word(admin, "miracle cure", WatchedAction.review, reason="Spam wave")


# --- the API ----------------------------------------------------------------------------

class TestApiPermissions:
    @pytest.mark.parametrize("who, read, write", [
        (None, 401, 401), ("member", 403, 403), ("moderator", 200, 403), ("admin", 200, None)])
    def test_who_may_read_and_change_the_list(self, client, make_member, moderator, admin, api_headers, word,
                                              who, read, write):
        member = {"member": make_member(), "moderator": moderator, "admin": admin, None: None}[who]
        headers = api_headers(member) if member else {}
        assert client.get(URL, headers=headers).status_code == read
        added = client.post(URL, headers=headers, json={"pattern": "scam", "action": "block"})
        removed = client.delete(f"{URL}/{word.id}", headers=headers)
        if write is None:
            assert (added.status_code, removed.status_code) == (201, 204)
        else:
            assert (added.status_code, removed.status_code) == (write, write)
            assert added.mimetype == "application/problem+json"
            assert count(WatchedWord) == 1


class TestApi:
    def test_add_list_and_remove(self, client, admin, api_headers):
        headers = api_headers(admin)
        added = client.post(URL, headers=headers, json={"pattern": "  Buy   NOW ", "action": "block"})
        assert added.status_code == 201
        body = added.get_json()
        assert body["pattern"] == "buy now" and body["action"] == "block" and body["is_regex"] is False
        assert body["created_at"].endswith("Z")
        regex = client.post(URL, headers=headers, json={"pattern": r"(?i)\bcure[sd]?\b", "action": "crisis",
                                                       "is_regex": True, "reason": "Testing"})
        assert regex.status_code == 201 and regex.get_json()["pattern"] == r"(?i)\bcure[sd]?\b"
        listed = client.get(URL, headers=headers).get_json()
        assert [w["pattern"] for w in listed["items"]] == ["buy now", r"(?i)\bcure[sd]?\b"]
        assert listed["next_cursor"] is None
        crisis = client.get(f"{URL}?action=crisis", headers=headers).get_json()["items"]
        assert [w["action"] for w in crisis] == ["crisis"]
        assert client.delete(f"{URL}/{body['id']}", headers=headers).status_code == 204
        assert client.delete(f"{URL}/{body['id']}", headers=headers).status_code == 404
        assert [w["pattern"] for w in client.get(URL, headers=headers).get_json()["items"]] == [r"(?i)\bcure[sd]?\b"]

    def test_the_list_pages_by_cursor(self, client, admin, api_headers):
        for n in range(5):
            add_watched_word(admin, f"word{n}", WatchedAction.review)
        headers = api_headers(admin)
        first = client.get(f"{URL}?limit=3", headers=headers).get_json()
        second = client.get(f"{URL}?limit=3&cursor={first['next_cursor']}", headers=headers).get_json()
        assert [w["pattern"] for w in first["items"] + second["items"]] == [f"word{n}" for n in range(5)]
        assert second["next_cursor"] is None
        assert client.get(f"{URL}?cursor=nonsense", headers=headers).status_code == 422
        bad_action = client.get(f"{URL}?action=delete", headers=headers)
        assert bad_action.status_code == 422 and "action" in bad_action.get_json()["errors"]

    @pytest.mark.parametrize("payload, message", [
        ({"pattern": "(unclosed", "action": "block", "is_regex": True}, "not a valid regular expression"),
        ({"pattern": "x*", "action": "block", "is_regex": True}, "can match without any text"),
        ({"pattern": r"\b", "action": "review", "is_regex": True}, "can match without any text"),
        ({"pattern": "   ", "action": "block"}, "Write a word"),
        ({"pattern": "!!!", "action": "block"}, "at least one letter or digit"),
        ({"pattern": "x" * 201, "action": "block"}, "under 200 characters"),
    ])
    def test_a_bad_pattern_is_422_naming_pattern(self, client, admin, api_headers, payload, message):
        response = client.post(URL, headers=api_headers(admin), json=payload)
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
        assert message in " ".join(response.get_json()["errors"]["pattern"])
        assert count(WatchedWord) == 0 and count(AuditEntry) == 0

    @pytest.mark.parametrize("payload, field", [
        ({"pattern": "scam", "action": "delete"}, "action"), ({"pattern": "scam"}, "action"),
        ({"action": "block"}, "pattern"), ({"pattern": "scam", "action": "block", "colour": "red"}, "colour"),
        ({"pattern": "scam", "action": "block", "reason": "r" * (REASON_MAX + 1)}, "reason"),
    ])
    def test_other_bad_fields_are_422_naming_them(self, client, admin, api_headers, payload, field):
        response = client.post(URL, headers=api_headers(admin), json=payload)
        assert response.status_code == 422 and field in response.get_json()["errors"]

    @pytest.mark.parametrize("pattern, action", [("Miracle  Cure", "review"), ("miracle cure", "block")])
    def test_a_word_already_watched_is_a_conflict(self, client, admin, api_headers, word, pattern, action):
        response = client.post(URL, headers=api_headers(admin), json={"pattern": pattern, "action": action})
        assert response.status_code == 409 and "already on the list, as a review word" in response.get_json()["detail"]
        assert count(WatchedWord) == 1

    def test_a_regular_expression_and_a_plain_word_may_share_their_text(self, client, admin, api_headers, word):
        response = client.post(URL, headers=api_headers(admin),
                               json={"pattern": "miracle cure", "action": "block", "is_regex": True})
        assert response.status_code == 201

    def test_each_change_is_in_the_audit_log(self, client, admin, api_headers, word):
        word_id = word.id
        response = client.delete(f"{URL}/{word_id}", headers=api_headers(admin), json={"reason": "No longer a problem"})
        assert response.status_code == 204
        entries = list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))
        assert [(e.action, e.target_type, e.target_id, e.reason, e.moderator_handle) for e in entries] == [
            ("watched_word_add", "watched_word", word_id, "Spam wave", "admin_ada"),
            ("watched_word_remove", "watched_word", word_id, "No longer a problem", "admin_ada")]
        assert entries[1].details == {"pattern": "miracle cure", "is_regex": False, "action": "review"}

    def test_the_openapi_description_covers_the_endpoints(self, client):
        spec = client.get("/api/v1/openapi.json").get_json()
        paths = spec["paths"]
        assert {"get", "post"} <= set(paths["/api/v1/moderation/watched-words"])
        assert "delete" in paths["/api/v1/moderation/watched-words/{word_id}"]
        assert "confirm_personal_details" in spec["components"]["schemas"]["Reply"]["properties"]


# --- the page ---------------------------------------------------------------------------

class TestPage:
    def test_anonymous_visitors_are_sent_to_sign_in_and_members_refused(self, client, pages, make_member, word):
        assert client.get("/mod/words").status_code == 302
        assert "/signin" in client.get("/mod/words").headers["Location"]
        pages.sign_in(make_member())
        assert client.get("/mod/words").status_code == 403
        assert pages.post(f"/mod/words/{word.id}/remove", {}, form_page="/").status_code == 403
        assert count(WatchedWord) == 1

    def test_moderators_read_the_list_but_cannot_change_it(self, client, pages, moderator, word):
        pages.sign_in(moderator)
        page = client.get("/mod/words")
        html = html_of(page)
        assert page.status_code == 200 and "miracle cure" in html and "Only admins can change it" in html
        assert 'name="pattern"' not in html and "/remove" not in html
        assert pages.post("/mod/words", {"pattern": "scam", "action": "block"}).status_code == 403
        assert pages.post(f"/mod/words/{word.id}/remove", {}, form_page="/mod/words").status_code == 403
        assert count(WatchedWord) == 1

    def test_admins_add_with_radios_and_a_checkbox_and_remove_with_a_button(self, client, pages, admin, word):
        pages.sign_in(admin)
        page = html_of(client.get("/mod/words"))
        assert_accessible_outline(page)
        assert "<legend>What happens when a post matches</legend>" in page
        assert re.search(r'<input type="radio" id="action" name="action" value="block"', page)
        assert re.search(r'id="action-review" name="action" value="review"\s*checked', page)
        added = pages.post("/mod/words", {"pattern": r"\d{3}-pills", "action": "block", "is_regex": "1",
                                          "reason": "Spam"})
        assert added.status_code == 302
        stored = db.session.scalar(sa.select(WatchedWord).where(WatchedWord.action == WatchedAction.block))
        assert stored.is_regex and stored.pattern == r"\d{3}-pills"
        listing = html_of(client.get("/mod/words"))
        assert "“\\d{3}-pills” is now a block word." in listing and "Regular expression" in listing
        shown = listing.index('<code class="watched-word__pattern">\\d{3}-pills</code>')
        assert listing.index("Blocked words (1)") < shown < listing.index("Review words (1)")
        word_id = word.id
        removed = pages.post(f"/mod/words/{word_id}/remove", {}, form_page="/mod/words")
        assert removed.status_code == 302 and count(WatchedWord, WatchedWord.id == word_id) == 0
        assert "“miracle cure” is no longer watched." in html_of(client.get("/mod/words"))

    def test_a_bad_expression_is_shown_again_with_what_was_typed(self, client, pages, admin):
        pages.sign_in(admin)
        response = pages.post("/mod/words", {"pattern": "(pills", "action": "crisis", "is_regex": "1",
                                             "reason": "Why not"})
        html = html_of(response)
        assert response.status_code == 422 and "not a valid regular expression" in html
        assert 'value="(pills"' in html and 'value="Why not"' in html
        assert re.search(r'value="crisis"\s*checked', html) and re.search(r'id="is_regex"[^>]*checked', html)
        assert_accessible_outline(html)
        assert count(WatchedWord) == 0

    def test_a_form_without_its_csrf_token_is_refused(self, client, pages, admin):
        pages.sign_in(admin)
        assert client.post("/mod/words", data={"pattern": "scam", "action": "block"}).status_code == 400
        assert count(WatchedWord) == 0

    def test_the_page_costs_the_same_queries_however_long_the_list(self, client, pages, admin, count_queries):
        pages.sign_in(admin)
        counts = []
        for total in (3, 60):
            while count(WatchedWord) < total:
                add_watched_word(admin, f"word{count(WatchedWord)}", list(WatchedAction)[count(WatchedWord) % 3])
            with count_queries() as queries:
                assert client.get("/mod/words").status_code == 200
            counts.append(queries.count)
        assert counts[0] == counts[1], counts


# --- the seed ---------------------------------------------------------------------------

def test_seed_adds_the_crisis_words_once(runner):
    first = runner.invoke(args=["seed"])
    assert first.exit_code == 0 and f"Crisis words ready: {len(data.CRISIS_WORDS)} added." in first.output
    second = runner.invoke(args=["seed"])
    assert "Crisis words ready: 0 added." in second.output
    assert count(WatchedWord, WatchedWord.action == WatchedAction.crisis) == len(data.CRISIS_WORDS)
