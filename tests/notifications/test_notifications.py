"""Members' notifications: what moderators did and why, for their eyes only, read when they say so."""
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.members.models import Role
from app.notifications import services
from app.notifications.models import Notification, NotificationKind
from tests.conftest import csrf_token
from tests.forum.test_pages import assert_accessible_outline

NOTE_IDS = re.compile(r'<li class="notification[^"]*" id="notification-(\d+)">')


def html_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def steve(make_member):
    return make_member("stiff_steve")


@pytest.fixture
def thread(forum, steve):
    return forum.thread(steve, title="Cooling vests in summer")


def tell(member, count=1, kind=NotificationKind.warned, **links):
    for n in range(count):
        services.notify(member, kind, f"Message {n}", reason=f"Reason {n}", **links)
    db.session.commit()


def unread(member) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.member_id == member.id, Notification.read_at.is_(None)))


class TestApi:
    def test_own_notifications_newest_first_with_the_unread_count(self, client, api_headers, steve, make_member,
                                                                  thread):
        tell(steve, 2)
        tell(steve, 1, NotificationKind.thread_locked, thread_id=thread.id)
        tell(make_member("someone_else"), 3)
        body = client.get("/api/v1/me/notifications", headers=api_headers(steve)).get_json()
        assert body["unread_count"] == 3 and body["next_cursor"] is None
        assert [n["kind"] for n in body["items"]] == ["thread_locked", "warned", "warned"]
        newest = body["items"][0]
        assert newest["thread_id"] == thread.id and newest["reason"] == "Reason 0" and newest["read"] is False
        assert newest["created_at"].endswith("Z") and newest["read_at"] is None

    def test_a_post_notification_names_its_thread(self, client, api_headers, forum, steve, thread):
        post = forum.reply(thread, steve, "My reply")
        tell(steve, 1, NotificationKind.post_hidden, post_id=post.id)
        [item] = client.get("/api/v1/me/notifications", headers=api_headers(steve)).get_json()["items"]
        assert (item["post_id"], item["thread_id"]) == (post.id, thread.id)

    def test_paging_and_unread_filter(self, client, api_headers, steve):
        tell(steve, 5)
        headers = api_headers(steve)
        first = client.get("/api/v1/me/notifications?limit=3", headers=headers).get_json()
        second = client.get(f"/api/v1/me/notifications?limit=3&cursor={first['next_cursor']}", headers=headers).get_json()
        ids = [n["id"] for n in first["items"] + second["items"]]
        assert len(ids) == len(set(ids)) == 5 and ids == sorted(ids, reverse=True) and second["next_cursor"] is None
        client.post("/api/v1/me/notifications/read", headers=headers, json={"up_to": ids[2]})
        only_unread = client.get("/api/v1/me/notifications?unread=true", headers=headers).get_json()
        assert [n["id"] for n in only_unread["items"]] == ids[:2] and only_unread["unread_count"] == 2

    def test_mark_read_all_or_up_to_an_id(self, client, api_headers, steve, make_member):
        other = make_member()
        tell(steve, 3)
        tell(other, 2)
        headers = api_headers(steve)
        ids = [n["id"] for n in client.get("/api/v1/me/notifications", headers=headers).get_json()["items"]]
        partial = client.post("/api/v1/me/notifications/read", headers=headers, json={"up_to": ids[1]})
        assert partial.status_code == 200 and partial.get_json() == {"marked": 2, "unread_count": 1}
        everything = client.post("/api/v1/me/notifications/read", headers=headers)
        assert everything.get_json() == {"marked": 1, "unread_count": 0}
        assert unread(other) == 2  # nobody else's are touched

    @pytest.mark.parametrize("method, path", [("GET", "/api/v1/me/notifications"),
                                              ("POST", "/api/v1/me/notifications/read")])
    def test_anonymous_is_401(self, client, method, path):
        response = client.open(path, method=method)
        assert response.status_code == 401 and response.mimetype == "application/problem+json"

    @pytest.mark.parametrize("payload, field", [({"up_to": "soon"}, "up_to"), ({"everything": True}, "everything")])
    def test_bad_body_is_422(self, client, api_headers, steve, payload, field):
        tell(steve, 1)
        response = client.post("/api/v1/me/notifications/read", headers=api_headers(steve), json=payload)
        assert response.status_code == 422 and field in response.get_json()["errors"] and unread(steve) == 1


class TestPage:
    def test_visitors_are_sent_to_sign_in(self, client, pages):
        for response in (client.get("/notifications"), pages.post("/notifications/read", {}, form_page="/signin")):
            assert response.status_code == 302 and "/signin" in response.headers["Location"]

    def test_listed_newest_first_with_unread_in_words_and_reasons(self, client, pages, steve, thread):
        tell(steve, 2)
        tell(steve, 1, NotificationKind.thread_locked, thread_id=thread.id)
        pages.sign_in(steve)
        html = html_of(client.get("/notifications"))
        assert len(NOTE_IDS.findall(html)) == 3 and html.count(">Unread</strong>") == 3
        assert "You have 3 unread notifications." in html and "Reason given: Reason 0" in html
        [newest] = re.findall(r'href="(/notifications/\d+)"', html)
        assert "Notifications (3 unread)" in html
        assert_accessible_outline(html)
        opened = client.get(newest)
        assert opened.status_code == 302 and opened.headers["Location"] == f"/threads/{thread.id}"
        assert unread(steve) == 2

    def test_viewing_does_not_mark_them_read(self, client, pages, steve):
        tell(steve, 2)
        pages.sign_in(steve)
        client.get("/notifications")
        client.get("/notifications")
        assert unread(steve) == 2

    def test_mark_all_as_read_needs_csrf_and_keeps_newer_ones(self, client, pages, steve):
        tell(steve, 2)
        pages.sign_in(steve)
        page = html_of(client.get("/notifications"))
        assert "Mark all as read</button>" in page
        assert client.post("/notifications/read").status_code == 400 and unread(steve) == 2
        up_to = re.search(r'name="up_to" value="(\d+)"', page)[1]
        tell(steve, 1)  # arrives while the page is open
        response = client.post("/notifications/read", data={"csrf_token": csrf_token(client, "/notifications"),
                                                              "up_to": up_to})
        assert response.status_code == 302 and response.headers["Location"] == "/notifications"
        assert unread(steve) == 1
        html = html_of(client.get("/notifications"))
        assert html.count(">Unread</strong>") == 1 and "Notifications (1 unread)" in html

    def test_nothing_yet(self, client, pages, steve):
        pages.sign_in(steve)
        html = html_of(client.get("/notifications"))
        assert "Nothing here yet." in html and "Mark all as read" not in html
        assert ">Notifications</a>" in html  # no count when nothing is unread

    def test_older_pages(self, client, pages, steve):
        tell(steve, 25)
        pages.sign_in(steve)
        first = html_of(client.get("/notifications"))
        older = re.search(r'<a class="button" href="([^"]+)">Older notifications</a>', first)[1].replace("&amp;", "&")
        second = html_of(client.get(older))
        assert len(NOTE_IDS.findall(first)) == 20 and len(NOTE_IDS.findall(second)) == 5
        assert not set(NOTE_IDS.findall(first)) & set(NOTE_IDS.findall(second))


class TestHeader:
    def test_visitors_get_no_link_and_no_query(self, client, count_queries, vocabulary):
        with count_queries() as q:
            html = html_of(client.get("/tags"))
        assert "Notifications" not in html
        assert not [s for s in q.all if "notifications" in s]

    def test_one_query_for_signed_in_members_and_a_moderation_link_for_moderators(self, client, pages, steve,
                                                                                  count_queries, make_member):
        tell(steve, 3)
        pages.sign_in(steve)
        with count_queries() as q:
            html = html_of(client.get("/tags"))
        assert "Notifications (3 unread)" in html and ">Moderation</a>" not in html
        assert len([s for s in q.all if "FROM notifications" in s]) == 1
        client.post("/signout", data={"csrf_token": csrf_token(client, "/")})
        pages.sign_in(make_member(role=Role.moderator))
        assert ">Moderation</a>" in html_of(client.get("/"))


def test_page_queries_are_constant_for_3_or_30_notifications(client, pages, forum, steve, thread, count_queries):
    pages.sign_in(steve)
    counts = []
    for size in (3, 27):
        post = forum.reply(thread, steve, "Another reply")
        tell(steve, size // 3, NotificationKind.post_edited, post_id=post.id, thread_id=thread.id)
        tell(steve, size // 3, NotificationKind.post_hidden, post_id=post.id)
        tell(steve, size // 3, NotificationKind.warned)
        with count_queries() as q:
            assert client.get("/notifications").status_code == 200
        counts.append(q.count)
    assert counts[0] == counts[1] <= 3, counts
