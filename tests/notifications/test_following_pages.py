"""Follow, unfollow and mute on pages and the API, the Following page, and notification preferences."""
import pytest

from tests.forum.test_pages import assert_accessible_outline


@pytest.fixture
def member(make_member):
    return make_member("reader")


@pytest.fixture
def thread(forum, make_member):
    return forum.thread(make_member("opener"), title="Cooling vests in summer", tags=("heat",))


def html(response) -> str:
    return response.get_data(as_text=True)


class TestThreadButtons:
    def test_follow_then_mute_from_the_thread_page_by_plain_forms(self, client, pages, member, thread):
        pages.sign_in(member)
        page = html(client.get(f"/threads/{thread.id}"))
        assert ">Follow this thread</button>" in page and ">Mute this thread</button>" in page
        assert_accessible_outline(page)
        pages.post(f"/threads/{thread.id}/follow", {}, form_page=f"/threads/{thread.id}")
        page = html(client.get(f"/threads/{thread.id}"))
        assert ">Unfollow this thread</button>" in page and "You follow this thread" in page
        pages.post(f"/threads/{thread.id}/mute", {}, form_page=f"/threads/{thread.id}")
        page = html(client.get(f"/threads/{thread.id}"))
        assert ">Unmute this thread</button>" in page and ">Follow this thread</button>" in page

    def test_visitors_see_no_buttons_and_forms_need_csrf(self, client, member, thread):
        assert "Follow this thread" not in html(client.get(f"/threads/{thread.id}"))
        assert client.post(f"/threads/{thread.id}/follow").status_code in (302, 400)

    def test_an_unknown_action_or_thread_is_404(self, client, pages, member, thread):
        pages.sign_in(member)
        assert pages.post(f"/threads/{thread.id}/subscribe", {}, form_page="/").status_code == 404
        assert pages.post("/threads/99999/follow", {}, form_page="/").status_code == 404


class TestTags:
    def test_follow_a_tag_from_its_page_and_see_it_on_following(self, client, pages, member, thread):
        pages.sign_in(member)
        page = html(client.get("/tags/heat"))
        assert "Follow Heat" in page or "Follow heat" in page.lower()
        pages.post("/tags/heat/follow", {}, form_page="/tags/heat")
        pages.post(f"/threads/{thread.id}/follow", {}, form_page="/")
        following = html(client.get("/following"))
        assert "Cooling vests in summer" in following and 'href="/tags/heat"' in following
        assert_accessible_outline(following)
        pages.post("/tags/heat/unfollow", {}, form_page="/following")
        assert 'href="/tags/heat"' not in html(client.get("/following"))

    def test_api_follow_unknown_tag_is_404_problem(self, client, api_headers, member):
        response = client.put("/api/v1/tags/not-a-tag/follow", headers=api_headers(member))
        assert response.status_code == 404 and response.mimetype == "application/problem+json"

    def test_api_following_lists_threads_and_tags(self, client, api_headers, member, thread):
        headers = api_headers(member)
        assert client.put(f"/api/v1/threads/{thread.id}/follow", headers=headers).status_code == 204
        assert client.put("/api/v1/tags/heat/follow", headers=headers).status_code == 204
        body = client.get("/api/v1/me/following", headers=headers).get_json()
        assert [t["title"] for t in body["threads"]] == ["Cooling vests in summer"]
        assert [t["slug"] for t in body["tags"]] == ["heat"]
        assert client.delete(f"/api/v1/threads/{thread.id}/follow", headers=headers).status_code == 204
        assert client.get("/api/v1/me/following", headers=headers).get_json()["threads"] == []


class TestPreferences:
    def test_defaults_then_a_change_over_the_api(self, client, api_headers, member):
        headers = api_headers(member)
        body = client.get("/api/v1/me/preferences", headers=headers).get_json()
        assert body == {"auto_follow": True, "notifications": {
            "reply": "daily", "mention": "daily", "followed_thread": "app", "followed_tag": "weekly",
            "reaction": "app", "post_approved": "app", "moderator_message": "email"}}
        changed = client.put("/api/v1/me/preferences", headers=headers,
                             json={"notifications": {"mention": "email"}, "auto_follow": False}).get_json()
        assert changed["notifications"]["mention"] == "email" and changed["auto_follow"] is False
        assert changed["notifications"]["reply"] == "daily"

    @pytest.mark.parametrize("body,field", [({"notifications": {"mention": "hourly"}}, "notifications"),
                                            ({"notifications": {"post_hidden": "off"}}, "notifications.post_hidden"),
                                            ({"notifications": {"likes": "app"}}, "notifications.likes")])
    def test_unknown_kinds_and_deliveries_are_422(self, client, api_headers, member, body, field):
        response = client.put("/api/v1/me/preferences", headers=api_headers(member), json=body)
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
        assert any(name.startswith(field) for name in response.get_json()["errors"]), response.get_json()

    def test_the_page_has_native_radios_with_labels_and_saves(self, client, pages, member):
        pages.sign_in(member)
        page = html(client.get("/notifications/preferences"))
        assert page.count('type="radio"') == 7 * 5 and "<legend>Replies to my posts</legend>" in page
        assert 'id="reply-daily" name="reply" value="daily" checked' in page
        assert_accessible_outline(page)
        response = pages.post("/notifications/preferences", {"reply": "off", "auto_follow": "on"})
        assert response.status_code == 302
        assert 'id="reply-off" name="reply" value="off" checked' in html(client.get("/notifications/preferences"))

    def test_a_bad_choice_shows_the_form_again(self, client, pages, member):
        pages.sign_in(member)
        response = pages.post("/notifications/preferences", {"reply": "hourly"})
        assert response.status_code == 422 and "Choose among" in html(response)
