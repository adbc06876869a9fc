"""Me too, thank you, sending support: counts for everyone, who reacted for nobody but the reacting member."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.forum.models import Post, PostStatus
from app.notifications.models import Notification, NotificationKind
from tests.forum.test_pages import assert_accessible_outline


@pytest.fixture
def author(make_member):
    return make_member("writer")


@pytest.fixture
def post(forum, author, make_member):
    thread = forum.thread(make_member("opener"), title="Cramps after a hot shower")
    return forum.reply(thread, author, "Cold water on my calves stops it.")


def react(client, headers, post_id, kind="me_too", method="put"):
    return getattr(client, method)(f"/api/v1/posts/{post_id}/reactions/{kind}", headers=headers)


class TestApi:
    def test_one_of_each_per_member_undoable_with_counts(self, client, api_headers, post, make_member):
        first, second = api_headers(make_member()), api_headers(make_member())
        assert react(client, first, post.id).get_json() == {"me_too": 1, "thanks": 0, "support": 0,
                                                            "mine": ["me_too"]}
        assert react(client, first, post.id).get_json()["me_too"] == 1  # pressing again counts once
        react(client, first, post.id, "support")
        body = react(client, second, post.id).get_json()
        assert body == {"me_too": 2, "thanks": 0, "support": 1, "mine": ["me_too"]}
        assert react(client, first, post.id, method="delete").get_json() == {
            "me_too": 1, "thanks": 0, "support": 1, "mine": ["support"]}

    def test_posts_show_counts_and_only_the_callers_own(self, client, api_headers, post, make_member):
        reactor, other = make_member(), make_member()
        react(client, api_headers(reactor), post.id, "thanks")
        thread = client.get(f"/api/v1/threads/{post.thread_id}", headers=api_headers(other)).get_json()
        [shown] = [p for p in thread["posts"] if p["id"] == post.id]
        assert shown["reactions"] == {"me_too": 0, "thanks": 1, "support": 0} and shown["my_reactions"] == []
        mine = client.get(f"/api/v1/threads/{post.thread_id}", headers=api_headers(reactor)).get_json()
        assert [p["my_reactions"] for p in mine["posts"] if p["id"] == post.id] == [["thanks"]]
        anonymous = client.get(f"/api/v1/threads/{post.thread_id}").get_json()
        assert reactor.handle not in str(anonymous) and reactor.handle not in str(thread)

    def test_not_on_ones_own_post(self, client, api_headers, post, author):
        response = react(client, api_headers(author), post.id)
        assert response.status_code == 403 and response.content_type == "application/problem+json"

    @pytest.mark.parametrize("status", [PostStatus.hidden, PostStatus.deleted, PostStatus.removed])
    def test_not_on_hidden_or_deleted_posts(self, client, api_headers, post, make_member, status):
        db.session.get(Post, post.id).status = status
        db.session.commit()
        response = react(client, api_headers(make_member()), post.id)
        assert response.status_code == 409 and response.content_type == "application/problem+json"
        assert db.session.scalar(sa.text("select count(*) from reactions")) == 0

    def test_not_on_a_post_one_may_not_read(self, app, client, api_headers, forum, make_member):
        app.config.update(HOLD_FIRST_POSTS=1)
        held = forum.thread(make_member("newbie"), title="Held for review")
        assert held.status == PostStatus.pending_review
        post_id = db.session.scalar(sa.select(Post.id).where(Post.thread_id == held.id))
        assert react(client, api_headers(make_member()), post_id).status_code == 404

    def test_unknown_kind_is_404(self, client, api_headers, post, make_member):
        assert react(client, api_headers(make_member()), post.id, "love").status_code == 404

    def test_rate_limited(self, app, client, api_headers, post, make_member):
        app.config["REACTION_RATE_LIMIT"] = "3 per minute"
        headers = api_headers(make_member())
        codes = [react(client, headers, post.id, kind, method).status_code
                 for kind, method in [("me_too", "put"), ("me_too", "delete"), ("thanks", "put"), ("support", "put")]]
        assert codes == [200, 200, 200, 429]

    def test_the_author_hears_in_one_notification_without_names(self, client, api_headers, post, author,
                                                                make_member):
        reactors = [make_member(f"reactor{n}") for n in range(3)]
        for reactor in reactors:
            react(client, api_headers(reactor), post.id, "support")
        react(client, api_headers(reactors[0]), post.id, "thanks")
        notes = [n for n in client.get("/api/v1/me/notifications", headers=api_headers(author)).get_json()["items"]
                 if n["kind"] == "reaction"]
        assert [n["message"] for n in notes] == ["4 reactions to your post in 'Cramps after a hot shower'"]
        assert not any(r.handle in str(notes) for r in reactors)

    def test_no_notification_for_a_member_who_turned_it_off(self, client, api_headers, post, author, make_member):
        client.put("/api/v1/me/preferences", headers=api_headers(author), json={"notifications": {"reaction": "off"}})
        react(client, api_headers(make_member()), post.id)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification).where(
            Notification.kind == NotificationKind.reaction)) == 0


class TestPage:
    def test_buttons_with_words_counts_in_words_and_undo_by_keyboard(self, client, pages, post, make_member):
        member = make_member("reader")
        pages.sign_in(member)
        page = client.get(f"/threads/{post.thread_id}").get_data(as_text=True)
        assert ">Me too</button>" in page and ">Thank you</button>" in page and ">Sending support</button>" in page
        assert_accessible_outline(page)
        pages.post(f"/posts/{post.id}/reactions/me_too", {},
                   form_page=f"/threads/{post.thread_id}")
        page = client.get(f"/threads/{post.thread_id}").get_data(as_text=True)
        assert "1 member said me too." in page and 'aria-pressed="true"' in page
        pages.post(f"/posts/{post.id}/reactions/me_too", {"undo": "1"},
                   form_page=f"/threads/{post.thread_id}")
        page = client.get(f"/threads/{post.thread_id}").get_data(as_text=True)
        assert "said me too" not in page and 'aria-pressed="true"' not in page

    def test_the_author_sees_counts_but_no_buttons_on_their_own_post(self, client, pages, api_headers, post,
                                                                      author, make_member):
        for _ in range(4):
            react(client, api_headers(make_member()), post.id)
        pages.sign_in(author)
        page = client.get(f"/threads/{post.thread_id}").get_data(as_text=True)
        assert "4 members said me too." in page
        assert f'action="/posts/{post.id}/reactions/me_too"' not in page

    def test_a_refused_reaction_on_a_page_is_a_clear_4xx(self, client, pages, post, author):
        pages.sign_in(author)
        response = pages.post(f"/posts/{post.id}/reactions/thanks", {},
                              form_page=f"/threads/{post.thread_id}")
        assert response.status_code == 403 and "your own post" in response.get_data(as_text=True)

