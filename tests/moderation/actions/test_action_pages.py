"""Moderator action pages as a moderator meets them, and the suspended member at the sign-in page."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.extensions import db
from app.forum.models import Thread
from app.members.models import MemberStatus
from app.moderation.actions import services as actions
from app.moderation.models import AuditEntry
from tests.forum.test_pages import assert_accessible_outline

REASON = "Keeping the thread on topic"


def html_of(response) -> str:
    return response.get_data(as_text=True)


def entries() -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))


@pytest.fixture
def author(make_member):
    return make_member("stiff_steve")


@pytest.fixture
def thread(forum, author):
    return forum.thread(author, title="Cooling vests in summer", tags=["cooling", "heat"])


@pytest.fixture
def post(forum, thread, make_member):
    return forum.reply(thread, make_member("rollator_rob"), "Ice packs on the **calves** help me")


# --- who may: every page, visitor and member ---------------------------------------------------

def _path(template, thread, post, author):
    return template.format(thread=thread.id, post=post.id, member=author.handle)


PAGE_ROUTES = [
    ("GET", "/mod/log"), ("GET", "/mod/threads/{thread}/lock"), ("POST", "/mod/threads/{thread}/lock"),
    ("POST", "/mod/threads/{thread}/unlock"), ("POST", "/mod/threads/{thread}/pin"),
    ("POST", "/mod/threads/{thread}/unpin"), ("GET", "/mod/threads/{thread}/retag"),
    ("POST", "/mod/threads/{thread}/retag"), ("GET", "/mod/posts/{post}"), ("GET", "/mod/posts/{post}/edit"),
    ("POST", "/mod/posts/{post}/edit"), ("GET", "/mod/members/{member}"), ("POST", "/mod/members/{member}/warn"),
    ("POST", "/mod/members/{member}/suspend"), ("POST", "/mod/members/{member}/unsuspend"),
]


@pytest.mark.parametrize("method, template", PAGE_ROUTES)
def test_pages_send_visitors_to_sign_in_and_refuse_members(client, pages, make_member, thread, post, author,
                                                           method, template):
    path = _path(template, thread, post, author)
    visitor = pages.post(path, {"reason": "Because"}, form_page="/signin") if method == "POST" else client.get(path)
    assert visitor.status_code == 302 and "/signin" in visitor.headers["Location"]
    pages.sign_in(make_member())
    data = {"reason": "Because", "tag": "heat", "body": "New words"}
    member = pages.post(path, data, form_page="/") if method == "POST" else client.get(path)
    assert member.status_code == 403
    assert entries() == [] and db.session.get(Thread, thread.id).locked is False


def test_page_forms_need_a_csrf_token(client, pages, moderator, thread):
    pages.sign_in(moderator)
    assert client.post(f"/mod/threads/{thread.id}/lock", data={"reason": REASON}).status_code == 400
    db.session.expire_all()
    assert not db.session.get(Thread, thread.id).locked and entries() == []


# --- the suspended member at the sign-in page ----------------------------------------------------

class TestSuspendedSignIn:
    def test_right_password_tells_until_when_and_why(self, client, pages, moderator, author):
        until = utcnow() + timedelta(days=3)
        actions.suspend(moderator, author.handle, until, "Repeated personal attacks")
        response = pages.post("/signin", {"login": author.handle, "password": "correct horse battery"})
        html = html_of(response)
        assert response.status_code == 403
        assert f"suspended until {until:%-d %b %Y}" in html and "Repeated personal attacks" in html
        assert 'value="stiff_steve"' in html  # the form keeps what was typed

    def test_wrong_password_reveals_nothing(self, pages, moderator, author):
        actions.suspend(moderator, author.handle, None, "Repeated personal attacks")
        response = pages.post("/signin", {"login": author.handle, "password": "not the password"})
        html = html_of(response)
        assert response.status_code == 401 and "suspended" not in html and "personal attacks" not in html

    def test_the_api_says_the_same(self, client, moderator, author):
        actions.suspend(moderator, author.handle, None, "Spam links")
        response = client.post("/api/v1/tokens", json={"login": author.handle, "password": "correct horse battery"})
        assert response.status_code == 403
        assert "until a moderator lifts" in response.get_json()["detail"] and "Spam links" in response.get_json()["detail"]


# --- the pages ------------------------------------------------------------------------------

class TestThreadTools:
    def test_moderators_see_labelled_tools_members_do_not(self, client, pages, make_member, moderator, thread, post):
        pages.sign_in(make_member())
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert "Moderator tools" not in html and "Edit as moderator" not in html
        client.post("/signout", data={"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', html)[1]})
        pages.sign_in(moderator)
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert "Moderator tools" in html and "Lock the thread</button>" in html and "Pin the thread</button>" in html
        assert f'href="/mod/posts/{post.id}/edit"' in html and f'href="/mod/threads/{thread.id}/retag"' in html
        assert_accessible_outline(html)

    def test_lock_from_the_thread_page(self, client, pages, moderator, thread):
        pages.sign_in(moderator)
        response = pages.post(f"/mod/threads/{thread.id}/lock", {"reason": REASON}, form_page=f"/threads/{thread.id}")
        assert response.status_code == 302 and response.headers["Location"] == f"/threads/{thread.id}"
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert "The thread is locked." in html and "Unlock the thread</button>" in html
        assert [e.action for e in entries()] == ["lock"]

    def test_a_missing_reason_shows_the_form_again(self, client, pages, moderator, thread):
        pages.sign_in(moderator)
        response = pages.post(f"/mod/threads/{thread.id}/pin", {"reason": "  "}, form_page=f"/threads/{thread.id}")
        html = html_of(response)
        assert response.status_code == 422 and "Give a reason" in html and "There is a problem" in html
        assert_accessible_outline(html)
        again = pages.post(f"/mod/threads/{thread.id}/lock", {"reason": REASON}, form_page=f"/threads/{thread.id}")
        assert again.status_code == 302
        twice = pages.post(f"/mod/threads/{thread.id}/lock", {"reason": "Once more"},
                           form_page=f"/mod/threads/{thread.id}/unlock")
        assert twice.status_code == 409 and "already locked" in html_of(twice) and 'value="Once more"' in html_of(twice)

    def test_retag_page(self, client, pages, moderator, thread):
        pages.sign_in(moderator)
        form = html_of(client.get(f"/mod/threads/{thread.id}/retag"))
        assert 'id="tag-heat" name="tag" value="heat" checked' in form
        assert_accessible_outline(form)
        refused = pages.post(f"/mod/threads/{thread.id}/retag", {"tags": "moon juice", "reason": "Tidy up"})
        html = html_of(refused)
        assert refused.status_code == 422 and "Unknown tag: moon juice" in html
        assert 'value="moon juice"' in html and 'value="Tidy up"' in html
        done = pages.post(f"/mod/threads/{thread.id}/retag", {"tags": "Lioresal", "reason": "Tidy up"})
        assert done.status_code == 302
        assert [t.slug for t in db.session.get(Thread, thread.id).tags] == ["baclofen"]


class TestEditPage:
    def test_edit_as_moderator_keeps_every_version(self, client, pages, moderator, post):
        pages.sign_in(moderator)
        form = html_of(client.get(f"/mod/posts/{post.id}/edit"))
        assert "Ice packs on the **calves** help me</textarea>" in form and "rollator_rob" in form
        assert_accessible_outline(form)
        refused = pages.post(f"/mod/posts/{post.id}/edit", {"body": "Shorter words", "reason": ""})
        assert refused.status_code == 422 and "Shorter words</textarea>" in html_of(refused)
        done = pages.post(f"/mod/posts/{post.id}/edit", {"body": "Shorter words", "reason": "Personal details"})
        assert done.status_code == 302 and done.headers["Location"] == f"/threads/{post.thread_id}#post-{post.id}"
        versions = html_of(client.get(f"/posts/{post.id}/revisions"))
        assert "Version 1 (the original)" in versions and "Version 2 (the latest)" in versions
        assert "By <a href=\"/members/mod_maria\">mod_maria</a>" in versions

    def test_no_edit_link_on_own_posts(self, client, pages, forum, moderator, thread):
        own = forum.reply(thread, moderator, "Moderator's own reply")
        pages.sign_in(moderator)
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert f'href="/mod/posts/{own.id}/edit"' not in html
        assert client.get(f"/mod/posts/{own.id}/edit").status_code == 403


class TestMemberPage:
    def test_standing_forms_and_history_never_the_email(self, client, pages, moderator, author):
        actions.warn(moderator, author.handle, "First warning")
        pages.sign_in(moderator)
        html = html_of(client.get(f"/mod/members/{author.handle}"))
        assert "<h1>Moderating stiff_steve</h1>" in html and "Active." in html
        assert 'for="warn-reason"' in html and 'type="date"' in html and 'for="suspend-until"' in html
        assert "Warned a member" in html and "First warning" in html
        assert "@example.org" not in html
        assert_accessible_outline(html)
        public = html_of(client.get(f"/members/{author.handle}"))
        assert "For moderators" in public and f'href="/mod/members/{author.handle}"' in public

    def test_suspend_with_a_date_then_lift_it(self, client, pages, moderator, author):
        pages.sign_in(moderator)
        day = (utcnow() + timedelta(days=10)).date()
        done = pages.post(f"/mod/members/{author.handle}/suspend", {"until": day.isoformat(), "reason": "Cool off"},
                          form_page=f"/mod/members/{author.handle}")
        assert done.status_code == 302
        db.session.expire_all()
        assert author.status == MemberStatus.suspended and author.suspended_until.date() == day
        html = html_of(client.get(f"/mod/members/{author.handle}"))
        assert "Suspended until <time" in html and "Lift the suspension" in html
        lifted = pages.post(f"/mod/members/{author.handle}/unsuspend", {"reason": "Appeal"})
        assert lifted.status_code == 302
        db.session.expire_all()
        assert author.status == MemberStatus.active and author.suspended_until is None

    def test_past_date_keeps_what_was_typed(self, client, pages, moderator, author):
        pages.sign_in(moderator)
        response = pages.post(f"/mod/members/{author.handle}/suspend", {"until": "2001-02-03", "reason": "Cool off"})
        html = html_of(response)
        assert response.status_code == 422 and "Choose a date in the future" in html
        assert 'value="2001-02-03"' in html and 'value="Cool off"' in html and 'href="#suspend-until"' in html
        assert_accessible_outline(html)
        db.session.expire_all()
        assert author.status == MemberStatus.active

    def test_a_bad_date_and_a_missing_reason_are_named_together(self, pages, moderator, author):
        pages.sign_in(moderator)
        response = pages.post(f"/mod/members/{author.handle}/suspend", {"until": "someday", "reason": ""})
        html = html_of(response)
        assert response.status_code == 422 and 'value="someday"' in html
        assert 'href="#suspend-until">Enter a date' in html and 'href="#suspend-reason">Give a reason' in html

    def test_a_moderator_sees_an_admin_but_no_forms(self, client, pages, moderator, admin):
        pages.sign_in(moderator)
        html = html_of(client.get(f"/mod/members/{admin.handle}"))
        assert "admin_ada is an admin: only an admin can act on moderators and admins." in html
        assert "Warn admin_ada</button>" not in html and "Suspend admin_ada</button>" not in html
        assert pages.post(f"/mod/members/{admin.handle}/warn", {"reason": "x"},
                          form_page=f"/mod/members/{admin.handle}").status_code == 403


def test_header_links_for_moderators(client, pages, moderator):
    pages.sign_in(moderator)
    html = html_of(client.get("/"))
    assert ">Moderation</a>" in html and ">Notifications</a>" in html


def test_moderator_tools_add_no_queries_per_post(client, pages, forum, moderator, make_member, count_queries):
    """The tools and the per-post "Edit as moderator" links use what the thread page already loaded."""
    others = [make_member() for _ in range(3)]
    counts = []
    pages.sign_in(moderator)
    for size in (3, 40):
        thread = forum.thread(make_member(), title=f"A thread of {size} replies")
        for n in range(size):
            forum.reply(thread, others[n % 3], f"Reply {n}")
        with count_queries() as q:
            html = html_of(client.get(f"/threads/{thread.id}"))
        assert html.count("Edit as moderator<") == size + 1
        counts.append(q.count)
    assert counts[0] == counts[1], counts
