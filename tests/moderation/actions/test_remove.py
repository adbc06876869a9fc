"""A moderator removes someone else's post: with a reason, an audit entry and a word to its author."""
import re

import pytest
import sqlalchemy as sa

from app.core.errors import Conflict
from app.extensions import db
from app.forum.models import Post, PostStatus, Thread
from app.members.models import MemberStatus, Role
from app.moderation.actions import services as actions
from app.moderation.models import AuditEntry
from app.notifications.models import Notification
from tests.forum.test_pages import assert_accessible_outline

REASON = "Advertising a product for sale"


def entries() -> list[AuditEntry]:
    return list(db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))


def notes_for(member) -> list[Notification]:
    return list(db.session.scalars(sa.select(Notification).where(Notification.member_id == member.id)))


def html_of(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def author(make_member):
    return make_member("stiff_steve")


@pytest.fixture
def thread(forum, author):
    return forum.thread(author, title="Cooling vests in summer", tags=["cooling", "heat"])


@pytest.fixture
def writer(make_member):
    return make_member("rollator_rob")


@pytest.fixture
def post(forum, thread, writer):
    return forum.reply(thread, writer, "Buy my **miracle** cure today")


@pytest.fixture
def remove(client, api_headers):
    def call(post_id, who, **json):
        return client.post(f"/api/v1/moderation/posts/{post_id}/remove", headers=api_headers(who), json=json)
    return call


def unchanged(post, thread, reply_count=1) -> bool:
    db.session.expire_all()
    return (db.session.get(Post, post.id).status == PostStatus.published
            and db.session.get(Thread, thread.id).reply_count == reply_count and entries() == [])


# --- the API ---------------------------------------------------------------------------------

class TestRemoveOverTheApi:
    def test_the_post_is_blanked_in_place_counted_out_logged_and_told(self, client, forum, remove, moderator,
                                                                      thread, post, writer, make_member):
        answer = forum.reply(thread, make_member(), "Please take that down", parent=post)
        assert db.session.get(Thread, thread.id).reply_count == 2
        response = remove(post.id, moderator, reason=REASON)
        assert response.status_code == 200
        body = response.get_json()
        assert (body["id"], body["status"], body["body_html"], body["author"]) == (post.id, "removed", None, None)
        listed = client.get(f"/api/v1/threads/{thread.id}").get_json()
        assert listed["reply_count"] == 1
        assert [p["id"] for p in listed["posts"]] == [listed["posts"][0]["id"], post.id, answer.id]
        removed = listed["posts"][1]
        assert (removed["status"], removed["body_html"], removed["author"]) == ("removed", None, None)
        assert "miracle" not in str(listed) and listed["posts"][2]["body_html"] == "<p>Please take that down</p>\n"
        [entry] = entries()
        assert (entry.action, entry.target_type, entry.target_id, entry.reason) == ("remove", "post", post.id, REASON)
        assert (entry.moderator_handle, entry.member_handle) == ("mod_maria", "rollator_rob")
        assert entry.details == {"thread_id": thread.id, "was": "published"}
        [note] = notes_for(writer)
        assert note.kind.value == "post_removed" and note.reason == REASON
        assert (note.post_id, note.thread_id) == (post.id, thread.id) and "Cooling vests in summer" in note.message

    def test_the_audit_log_lists_it(self, client, remove, moderator, post, api_headers):
        remove(post.id, moderator, reason=REASON)
        log = client.get("/api/v1/moderation/log?action=remove", headers=api_headers(moderator)).get_json()
        [item] = log["items"]
        assert (item["target_type"], item["target_id"], item["reason"]) == ("post", post.id, REASON)
        assert item["member"] == {"handle": "rollator_rob"}

    def test_removing_twice_or_a_deleted_post_is_409(self, client, forum, remove, moderator, thread, post, writer,
                                                    api_headers):
        assert remove(post.id, moderator, reason=REASON).status_code == 200
        again = remove(post.id, moderator, reason="Once more")
        assert again.status_code == 409 and "already removed" in again.get_json()["detail"]
        deleted = forum.reply(thread, writer, "Never mind")
        assert client.delete(f"/api/v1/posts/{deleted.id}", headers=api_headers(writer)).status_code == 204
        refused = remove(deleted.id, moderator, reason=REASON)
        assert refused.status_code == 409 and "already deleted" in refused.get_json()["detail"]
        assert [e.action for e in entries()] == ["remove"] and len(notes_for(writer)) == 1

    def test_the_author_can_neither_edit_nor_delete_a_removed_post(self, client, remove, moderator, post, writer,
                                                                   api_headers):
        remove(post.id, moderator, reason=REASON)
        headers = api_headers(writer)
        assert client.patch(f"/api/v1/posts/{post.id}", headers=headers, json={"body": "Back"}).status_code == 409
        deleted = client.delete(f"/api/v1/posts/{post.id}", headers=headers)
        assert deleted.status_code == 409 and "already removed" in deleted.get_json()["detail"]
        db.session.expire_all()
        assert db.session.get(Post, post.id).status == PostStatus.removed

    @pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "   "}, {"reason": "x" * 1001}])
    def test_a_reason_is_required(self, remove, moderator, thread, post, writer, payload):
        response = remove(post.id, moderator, **payload)
        assert response.status_code == 422 and "reason" in response.get_json()["errors"]
        assert unchanged(post, thread) and notes_for(writer) == []

    def test_an_unknown_field_is_named(self, remove, moderator, thread, post):
        response = remove(post.id, moderator, reason=REASON, body="new words")
        assert response.status_code == 422 and "body" in response.get_json()["errors"]
        assert unchanged(post, thread)

    def test_anonymous_is_401_members_403_unknown_posts_404(self, client, remove, make_member, moderator, thread,
                                                           post):
        anonymous = client.post(f"/api/v1/moderation/posts/{post.id}/remove", json={"reason": REASON})
        assert anonymous.status_code == 401 and anonymous.mimetype == "application/problem+json"
        member = remove(post.id, make_member(), reason=REASON)
        assert member.status_code == 403 and member.mimetype == "application/problem+json"
        assert remove(999999, moderator, reason=REASON).status_code == 404
        assert unchanged(post, thread)

    def test_a_moderator_cannot_remove_an_admins_or_their_own_post_an_admin_can(self, forum, remove, moderator,
                                                                                admin, thread):
        admins = forum.reply(thread, admin, "Forum rules: be kind")
        own = forum.reply(thread, moderator, "Welcome everyone")
        assert remove(admins.id, moderator, reason=REASON).status_code == 403
        assert remove(own.id, moderator, reason=REASON).status_code == 403
        assert entries() == []
        assert remove(own.id, admin, reason=REASON).status_code == 200
        assert [(e.moderator_handle, e.member_handle) for e in entries()] == [("admin_ada", "mod_maria")]

    def test_removing_the_opening_post_takes_the_thread_from_the_public(self, client, remove, moderator, thread,
                                                                        author, api_headers):
        opening = client.get(f"/api/v1/threads/{thread.id}").get_json()["posts"][0]
        assert remove(opening["id"], moderator, reason="Spam").status_code == 200
        assert client.get(f"/api/v1/threads/{thread.id}").status_code == 404
        assert thread.id not in [t["id"] for t in client.get("/api/v1/threads").get_json()["items"]]
        seen = client.get(f"/api/v1/threads/{thread.id}", headers=api_headers(moderator)).get_json()
        assert seen["status"] == "removed" and seen["posts"][0]["body_html"] is None

    def test_a_held_post_leaves_the_reply_count_alone(self, remove, moderator, thread, post):
        post.status = PostStatus.pending_review
        db.session.execute(sa.update(Thread).where(Thread.id == thread.id).values(reply_count=0))
        db.session.commit()
        response = remove(post.id, moderator, reason=REASON)
        assert response.status_code == 200 and response.get_json()["status"] == "removed"
        assert db.session.get(Thread, thread.id).reply_count == 0
        assert entries()[0].details["was"] == "pending_review"

    def test_a_former_members_post_is_removed_without_a_notification(self, remove, moderator, post, writer):
        writer.status = MemberStatus.deleted
        db.session.commit()
        assert remove(post.id, moderator, reason=REASON).status_code == 200
        assert [e.action for e in entries()] == ["remove"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_the_removal_its_audit_entry_and_notification_are_one_transaction(moderator, thread, post, writer,
                                                                          monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("notification store is down")
    monkeypatch.setattr(actions, "notify", broken)
    with pytest.raises(RuntimeError):
        actions.remove_post(moderator, post.id, REASON)
    assert unchanged(post, thread) and notes_for(writer) == []


def test_two_moderators_removing_at_once_write_one_removal(admin, thread, post, writer):
    """The second moderator read the post before the first one's removal landed."""
    actions.post_to_moderate(admin, post.id)  # loaded, published, into the session
    db.session.execute(sa.update(Post).where(Post.id == post.id).values(status=PostStatus.removed)
                       .execution_options(synchronize_session=False))
    with pytest.raises(Conflict):
        actions.remove_post(admin, post.id, "Me too")
    assert entries() == [] and notes_for(writer) == []


# --- the page --------------------------------------------------------------------------------

class TestRemovePage:
    def test_confirm_then_remove_from_the_thread_page(self, client, pages, moderator, thread, post):
        pages.sign_in(moderator)
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert f'href="/mod/posts/{post.id}/remove">Remove as moderator<' in html
        form = html_of(client.get(f"/mod/posts/{post.id}/remove"))
        assert "<h1>Remove rollator_rob's post as a moderator?</h1>" in form
        assert "Buy my <strong>miracle</strong> cure today" in form  # the post is quoted
        assert 'for="reason"' in form and re.search(r'<textarea id="reason" name="reason" rows="4" required', form)
        assert_accessible_outline(form)
        done = pages.post(f"/mod/posts/{post.id}/remove", {"reason": REASON})
        assert done.status_code == 302 and done.headers["Location"] == f"/threads/{thread.id}#post-{post.id}"
        after = html_of(client.get(f"/threads/{thread.id}"))
        assert "The post is removed and its author is told your reason." in after
        assert "[removed by moderators]" in after and "miracle" not in after
        assert f'href="/mod/posts/{post.id}/remove"' not in after
        assert [(e.action, e.reason) for e in entries()] == [("remove", REASON)]
        db.session.expire_all()
        assert db.session.get(Thread, thread.id).reply_count == 0

    @pytest.mark.parametrize("reason, message", [("  ", "Give a reason"), ("x" * 1001, "under 1,000 characters")])
    def test_a_refused_reason_shows_the_form_again(self, pages, moderator, thread, post, reason, message):
        pages.sign_in(moderator)
        response = pages.post(f"/mod/posts/{post.id}/remove", {"reason": reason})
        html = html_of(response)
        assert response.status_code == 422 and message in html and 'href="#reason"' in html
        assert f">{reason}</textarea>" in html
        assert_accessible_outline(html)
        assert unchanged(post, thread)

    def test_a_removed_post_says_so_and_a_second_removal_is_409(self, client, pages, moderator, thread, post):
        pages.sign_in(moderator)
        form_page = f"/mod/posts/{post.id}/remove"
        token_page = html_of(client.get(form_page))
        token = re.search(r'name="csrf_token" value="([^"]+)"', token_page)[1]
        assert pages.post(form_page, {"reason": REASON}).status_code == 302
        page = client.get(form_page)
        assert page.status_code == 200 and "This post is already removed</h1>" in html_of(page)
        assert "<textarea" not in html_of(page)
        twice = client.post(form_page, data={"reason": "Once more", "csrf_token": token})
        assert twice.status_code == 409 and "This post is already removed." in html_of(twice)
        assert len(entries()) == 1

    def test_the_form_needs_a_csrf_token(self, client, pages, moderator, thread, post):
        pages.sign_in(moderator)
        assert client.post(f"/mod/posts/{post.id}/remove", data={"reason": REASON}).status_code == 400
        assert unchanged(post, thread)

    @pytest.mark.parametrize("method", ["GET", "POST"])
    def test_visitors_sign_in_and_members_are_refused(self, client, pages, make_member, thread, post, method):
        path = f"/mod/posts/{post.id}/remove"
        visitor = client.get(path) if method == "GET" else pages.post(path, {"reason": REASON}, form_page="/signin")
        assert visitor.status_code == 302 and "/signin" in visitor.headers["Location"]
        pages.sign_in(make_member())
        member = client.get(path) if method == "GET" else pages.post(path, {"reason": REASON}, form_page="/")
        assert member.status_code == 403
        assert unchanged(post, thread)

    def test_no_remove_link_or_page_for_an_admins_or_own_post(self, client, pages, forum, moderator, make_member,
                                                              thread):
        admins = forum.reply(thread, make_member("admin_alan", role=Role.admin), "Forum rules")
        own = forum.reply(thread, moderator, "Welcome")
        pages.sign_in(moderator)
        html = html_of(client.get(f"/threads/{thread.id}"))
        for post in (admins, own):
            assert f'href="/mod/posts/{post.id}/remove"' not in html
            assert client.get(f"/mod/posts/{post.id}/remove").status_code == 403
            assert pages.post(f"/mod/posts/{post.id}/remove", {"reason": REASON},
                              form_page=f"/threads/{thread.id}").status_code == 403
        assert f'href="/posts/{own.id}/delete"' in html and f'href="/posts/{admins.id}/delete"' not in html
        assert entries() == []


def test_remove_links_add_no_queries_per_post(client, pages, forum, moderator, make_member, count_queries):
    """Each post's "Remove as moderator" link uses what the thread page already loaded."""
    others = [make_member() for _ in range(3)]
    counts = []
    pages.sign_in(moderator)
    for size in (3, 40):
        thread = forum.thread(make_member(), title=f"A thread of {size} replies")
        for n in range(size):
            forum.reply(thread, others[n % 3], f"Reply {n}")
        actions.remove_post(moderator, forum.reply(thread, others[0], "Spam link").id, "Spam")
        with count_queries() as q:
            html = html_of(client.get(f"/threads/{thread.id}"))
        assert html.count("Remove as moderator<") == size + 1 and html.count("[removed by moderators]") == 1
        counts.append(q.count)
    assert counts[0] == counts[1], counts
