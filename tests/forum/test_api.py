import pytest
import sqlalchemy as sa

from app.extensions import db
from app.forum.models import Post, PostStatus, Thread
from app.members.models import Role


def ids(items):
    return [item["id"] for item in items]


@pytest.fixture
def author(make_member):
    return make_member("stiff_legs_sam")


class TestStartThread:
    def test_creates_thread_with_opening_post_and_resolves_synonyms(self, client, vocabulary, author, api_headers):
        response = client.post("/api/v1/threads", headers=api_headers(author), json={
            "title": "Lioresal made me sleepy", "body": "Anyone else *drowsy*?", "tags": ["Lioresal", "spasticity", "HEAT"]})
        assert response.status_code == 201, response.get_json()
        body = response.get_json()
        assert {t["slug"] for t in body["tags"]} == {"baclofen", "spasticity", "heat"}
        assert body["status"] == "published" and body["author"] == {"handle": "stiff_legs_sam"}
        assert body["reply_count"] == 0 and body["locked"] is False and body["pinned"] is False
        assert body["has_poll"] is False and body["polls"] == [] and body["next_cursor"] is None
        (opening,) = body["posts"]
        assert opening["depth"] == 0 and opening["parent_id"] is None
        assert opening["body_html"] == "<p>Anyone else <em>drowsy</em>?</p>\n"

    @pytest.mark.parametrize("change, field", [
        ({"title": "Hey"}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"tags": []}, "tags"),
        ({"tags": ["baclofen", "unicorn-dust"]}, "tags"),
        ({"tags": ["spasticity", "flexor-spasms", "extensor-spasms", "cramps", "clonus", "pain", "falls",
                   "fatigue", "heat"]}, "tags"),
        ({"body": ""}, "body"),
        ({"body": "x" * 20001}, "body"),
        ({"title": None}, "title"),
    ])
    def test_invalid_input_is_422_naming_the_field_and_writes_nothing(self, client, vocabulary, author,
                                                                      api_headers, change, field):
        payload = dict({"title": "Night spasms", "body": "Help", "tags": ["baclofen"]}, **change)
        response = client.post("/api/v1/threads", headers=api_headers(author), json=payload)
        assert response.status_code == 422
        assert field in response.get_json()["errors"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Thread)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Post)) == 0

    def test_unknown_tag_is_named(self, client, vocabulary, author, api_headers):
        response = client.post("/api/v1/threads", headers=api_headers(author),
                               json={"title": "Night spasms", "body": "Help", "tags": ["Lioresal", "moon dust"]})
        assert response.get_json()["errors"]["tags"] == ["Unknown tag: moon dust"]

    def test_needs_a_token(self, client, vocabulary):
        response = client.post("/api/v1/threads", json={"title": "Night spasms", "body": "Help", "tags": ["heat"]})
        assert response.status_code == 401

    @pytest.mark.parametrize("hostile, forbidden", [
        ("<script>alert(1)</script>", "<script"),
        ('<img src=x onerror="alert(1)">', "<img"),
        ("[click](javascript:alert(1))", 'href="javascript'),
        ('<a href="#" onclick="steal()">x</a>', "<a href"),
        ("![tracker](https://evil.example/pixel.png)", "<img"),
    ])
    def test_hostile_markdown_is_sanitized(self, client, vocabulary, author, api_headers, hostile, forbidden):
        response = client.post("/api/v1/threads", headers=api_headers(author),
                               json={"title": "Hostile body", "body": hostile, "tags": ["heat"]})
        html = response.get_json()["posts"][0]["body_html"]
        assert forbidden not in html


class TestReplies:
    def test_tree_is_in_depth_first_order_oldest_sibling_first(self, client, forum, author, make_member):
        thread = forum.thread(author)
        other = make_member()
        a = forum.reply(thread, other, "a")
        b = forum.reply(thread, author, "b")
        a1 = forum.reply(thread, author, "a1", parent=a)
        a1x = forum.reply(thread, other, "a1x", parent=a1)
        b1 = forum.reply(thread, other, "b1", parent=b)
        a2 = forum.reply(thread, other, "a2", parent=a)
        body = client.get(f"/api/v1/threads/{thread.id}").get_json()
        opening = body["posts"][0]["id"]
        assert ids(body["posts"]) == [opening, a.id, a1.id, a1x.id, a2.id, b.id, b1.id]
        assert [p["depth"] for p in body["posts"]] == [0, 1, 2, 3, 2, 1, 2]
        assert body["reply_count"] == 6
        listed = client.get(f"/api/v1/threads/{thread.id}/posts").get_json()
        assert ids(listed["items"]) == ids(body["posts"])

    def test_reply_without_parent_answers_the_opening_post(self, client, forum, author, api_headers):
        thread = forum.thread(author)
        response = client.post(f"/api/v1/threads/{thread.id}/posts", headers=api_headers(author), json={"body": "Me too"})
        assert response.status_code == 201
        post = response.get_json()
        opening = client.get(f"/api/v1/threads/{thread.id}").get_json()["posts"][0]
        assert post["parent_id"] == opening["id"] and post["depth"] == 1

    def test_parent_from_another_thread_is_422(self, client, forum, author, api_headers):
        first, second = forum.thread(author), forum.thread(author)
        elsewhere = forum.reply(second, author)
        response = client.post(f"/api/v1/threads/{first.id}/posts", headers=api_headers(author),
                               json={"body": "x", "parent_id": elsewhere.id})
        assert response.status_code == 422 and "parent_id" in response.get_json()["errors"]

    def test_locked_thread_refuses_replies_with_409(self, client, forum, author, api_headers):
        thread = forum.thread(author)
        thread.locked = True
        db.session.commit()
        response = client.post(f"/api/v1/threads/{thread.id}/posts", headers=api_headers(author), json={"body": "x"})
        assert response.status_code == 409
        assert client.get(f"/api/v1/threads/{thread.id}").get_json()["locked"] is True

    def test_missing_thread_is_404(self, client, vocabulary, author, api_headers):
        assert client.post("/api/v1/threads/999/posts", headers=api_headers(author), json={"body": "x"}).status_code == 404
        assert client.get("/api/v1/threads/999").status_code == 404


class TestEditAndDelete:
    def test_author_edits_and_every_revision_is_kept(self, client, forum, author, api_headers):
        thread = forum.thread(author, body="first words")
        post_id = client.get(f"/api/v1/threads/{thread.id}").get_json()["posts"][0]["id"]
        headers = api_headers(author)
        response = client.patch(f"/api/v1/posts/{post_id}", headers=headers, json={"body": "second words"})
        assert response.status_code == 200
        assert response.get_json()["body_html"] == "<p>second words</p>\n" and response.get_json()["edited_at"]
        client.patch(f"/api/v1/posts/{post_id}", headers=headers, json={"body": "third words"})
        revisions = client.get(f"/api/v1/posts/{post_id}/revisions", headers=headers).get_json()["items"]
        assert [r["body_source"] for r in revisions] == ["first words", "second words", "third words"]
        assert revisions[0]["editor"] == {"handle": "stiff_legs_sam"}

    def test_others_may_not_edit_delete_or_read_revisions(self, client, forum, author, make_member, api_headers):
        thread = forum.thread(author)
        post = forum.reply(thread, author)
        stranger = api_headers(make_member())
        assert client.patch(f"/api/v1/posts/{post.id}", headers=stranger, json={"body": "mine now"}).status_code == 403
        assert client.delete(f"/api/v1/posts/{post.id}", headers=stranger).status_code == 403
        assert client.get(f"/api/v1/posts/{post.id}/revisions", headers=stranger).status_code == 403
        assert client.get(f"/api/v1/posts/{post.id}/revisions").status_code == 401
        assert client.patch(f"/api/v1/threads/{thread.id}", headers=stranger, json={"title": "Taken over"}).status_code == 403

    @pytest.mark.parametrize("role", [Role.moderator, Role.admin])
    def test_a_moderators_edit_and_delete_of_others_posts_are_audited_moderator_actions(
            self, client, forum, author, make_member, api_headers, role):
        from app.moderation.models import AuditEntry
        from app.notifications.models import Notification
        thread = forum.thread(author)
        post = forum.reply(thread, author, "my own words")
        moderator = api_headers(make_member("mod_maria", role=role))
        edit = client.patch(f"/api/v1/posts/{post.id}", headers=moderator, json={"body": "trimmed", "reason": "Rule 2"})
        assert edit.status_code == 200 and "trimmed" in edit.get_json()["body_html"]
        delete = client.delete(f"/api/v1/posts/{post.id}", headers=moderator)
        assert delete.status_code == 204
        db.session.expire_all()
        assert post.status == PostStatus.removed
        entries = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)).all()
        assert [(e.action, e.target_id, e.member_handle) for e in entries] == [
            ("edit", post.id, "stiff_legs_sam"), ("remove", post.id, "stiff_legs_sam")]
        assert entries[0].reason == "Rule 2" and "No reason given" in entries[1].reason
        told = db.session.scalars(sa.select(Notification.kind).where(Notification.member_id == author.id)).all()
        assert [k.value for k in told] == ["post_edited", "post_removed"]
        revisions = client.get(f"/api/v1/posts/{post.id}/revisions", headers=moderator).get_json()["items"]
        assert [r["editor"]["handle"] for r in revisions] == ["stiff_legs_sam", "mod_maria"]

    def test_a_moderator_cannot_edit_an_admins_post_through_the_plain_route(self, client, forum, make_member,
                                                                             api_headers):
        admin = make_member("admin_ada", role=Role.admin)
        post = forum.reply(forum.thread(admin), admin, "admin words")
        moderator = api_headers(make_member("mod_maria", role=Role.moderator))
        assert client.patch(f"/api/v1/posts/{post.id}", headers=moderator, json={"body": "x y z"}).status_code == 403
        assert client.delete(f"/api/v1/posts/{post.id}", headers=moderator).status_code == 403

    def test_a_moderator_edits_and_deletes_their_own_post(self, client, forum, author, make_member, api_headers):
        moderator = make_member("mod_maria", role=Role.moderator)
        post = forum.reply(forum.thread(author), moderator, "first go")
        headers = api_headers(moderator)
        assert client.patch(f"/api/v1/posts/{post.id}", headers=headers, json={"body": "second go"}).status_code == 200
        assert client.delete(f"/api/v1/posts/{post.id}", headers=headers).status_code == 204

    def test_deleted_post_keeps_its_place_and_replies_still_read(self, client, forum, author, make_member, api_headers):
        thread = forum.thread(author)
        other = make_member()
        post = forum.reply(thread, author, "regrettable")
        answer = forum.reply(thread, other, "an answer", parent=post)
        assert client.delete(f"/api/v1/posts/{post.id}", headers=api_headers(author)).status_code == 204
        body = client.get(f"/api/v1/threads/{thread.id}").get_json()
        deleted = body["posts"][1]
        assert deleted["id"] == post.id and deleted["status"] == "deleted"
        assert deleted["body_html"] is None and deleted["author"] is None
        assert body["posts"][2]["id"] == answer.id and body["posts"][2]["body_html"] == "<p>an answer</p>\n"
        assert body["reply_count"] == 1
        assert "regrettable" not in str(body)
        response = client.patch(f"/api/v1/posts/{post.id}", headers=api_headers(author), json={"body": "again"})
        assert response.status_code == 409

    def test_author_retitles_and_retags(self, client, forum, author, api_headers):
        thread = forum.thread(author)
        response = client.patch(f"/api/v1/threads/{thread.id}", headers=api_headers(author),
                                json={"title": "Tizanidine instead", "tags": ["Zanaflex"]})
        assert response.status_code == 200
        assert response.get_json()["title"] == "Tizanidine instead"
        assert [t["slug"] for t in response.get_json()["tags"]] == ["tizanidine"]
        bad = client.patch(f"/api/v1/threads/{thread.id}", headers=api_headers(author), json={"tags": ["nope"]})
        assert bad.status_code == 422


class TestVisibility:
    def test_pending_post_reaches_only_its_author_and_moderators(self, client, forum, author, make_member, api_headers):
        thread = forum.thread(author)
        writer = make_member()
        post = forum.reply(thread, writer, "waiting for review")
        post.status = PostStatus.pending_review
        db.session.commit()
        def listed(headers=None):
            return ids(client.get(f"/api/v1/threads/{thread.id}/posts", headers=headers or {}).get_json()["items"])
        assert post.id not in listed()
        assert post.id not in listed(api_headers(make_member()))
        assert post.id in listed(api_headers(writer))
        assert post.id in listed(api_headers(make_member(role=Role.moderator)))

    def test_hidden_post_is_blanked_for_others(self, client, forum, author, make_member, api_headers):
        thread = forum.thread(author)
        writer = make_member()
        post = forum.reply(thread, writer, "flagged words")
        post.status = PostStatus.hidden
        db.session.commit()
        items = client.get(f"/api/v1/threads/{thread.id}/posts").get_json()["items"]
        assert items[1]["status"] == "hidden" and items[1]["body_html"] is None and items[1]["author"] is None
        mine = client.get(f"/api/v1/threads/{thread.id}/posts", headers=api_headers(writer)).get_json()["items"]
        assert mine[1]["body_html"] == "<p>flagged words</p>\n"

    def test_pending_thread_is_404_for_others(self, client, forum, author, make_member, api_headers):
        thread = forum.thread(author)
        thread.status = PostStatus.pending_review
        db.session.commit()
        assert client.get(f"/api/v1/threads/{thread.id}").status_code == 404
        assert thread.id not in ids(client.get("/api/v1/threads").get_json()["items"])
        assert client.get(f"/api/v1/threads/{thread.id}", headers=api_headers(author)).status_code == 200


class TestLists:
    @pytest.mark.parametrize("sort", ["active", "new"])
    def test_paging_visits_every_thread_exactly_once(self, client, forum, author, sort):
        made = [forum.thread(author, title=f"Thread number {i}").id for i in range(23)]
        forum.reply(db.session.get(Thread, made[0]), author)  # most recently active now
        seen, cursor = [], None
        while True:
            query = f"/api/v1/threads?sort={sort}&limit=7" + (f"&cursor={cursor}" if cursor else "")
            body = client.get(query).get_json()
            seen += ids(body["items"])
            cursor = body["next_cursor"]
            if not cursor:
                break
        assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
        expected_first = made[0] if sort == "active" else made[-1]
        assert seen[0] == expected_first

    def test_several_tags_mean_all_of_them(self, client, forum, author):
        both = forum.thread(author, tags=["baclofen", "cramps"])
        forum.thread(author, tags=["baclofen"])
        forum.thread(author, tags=["cramps", "heat"])
        body = client.get("/api/v1/threads?tag=Lioresal&tag=cramps").get_json()
        assert ids(body["items"]) == [both.id]

    def test_posts_paging_keeps_display_order(self, client, forum, author):
        thread = forum.thread(author)
        parent = None
        for i in range(12):
            post = forum.reply(thread, author, f"post {i}", parent=parent if i % 3 else None)
            parent = post
        expected = ids(client.get(f"/api/v1/threads/{thread.id}/posts?limit=100").get_json()["items"])
        seen, cursor = [], None
        while True:
            body = client.get(f"/api/v1/threads/{thread.id}/posts?limit=5" + (f"&cursor={cursor}" if cursor else "")).get_json()
            seen += ids(body["items"])
            if not (cursor := body["next_cursor"]):
                break
        assert seen == expected and len(seen) == 13

    @pytest.mark.parametrize("query", ["limit=0", "limit=101", "cursor=garbage!", "sort=popular", "tag=unknown-thing"])
    def test_bad_list_arguments_are_422(self, client, vocabulary, query):
        response = client.get(f"/api/v1/threads?{query}")
        assert response.status_code == 422 and response.mimetype == "application/problem+json"


class TestQueryCounts:
    def test_thread_endpoint_is_constant_whatever_the_thread_size(self, client, forum, author, make_member,
                                                                 count_queries, api_headers):
        headers = api_headers(author)
        counts = []
        for size in (5, 120):
            thread = forum.thread(author)
            members = [make_member() for _ in range(4)]
            parent = None
            for i in range(size):
                parent = forum.reply(thread, members[i % 4], f"reply {i}", parent=parent if i % 2 else None)
            with count_queries() as queries:
                response = client.get(f"/api/v1/threads/{thread.id}?limit=100", headers=headers)
            assert response.status_code == 200
            counts.append(queries.count)
        assert counts[0] == counts[1] <= 7, counts  # 7: the posts' reaction counts are one query

    def test_thread_list_is_constant_whatever_its_length(self, client, forum, make_member, count_queries):
        counts = []
        for size in (3, 30):
            for i in range(size):
                forum.thread(make_member(), tags=["heat", "cramps", "baclofen"][: 1 + i % 3])
            with count_queries() as queries:
                assert client.get("/api/v1/threads?limit=100").status_code == 200
            counts.append(queries.count)
        assert counts[0] == counts[1] <= 4, counts


def test_a_burst_of_writes_is_429_per_member(client, forum, author, make_member, api_headers, app):
    app.config["WRITE_RATE_LIMIT"] = "3 per minute"
    thread = forum.thread(author)
    headers = api_headers(author)
    for i in range(3):
        assert client.post(f"/api/v1/threads/{thread.id}/posts", headers=headers, json={"body": f"{i}"}).status_code == 201
    response = client.post(f"/api/v1/threads/{thread.id}/posts", headers=headers, json={"body": "one more"})
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    other = api_headers(make_member())
    assert client.post(f"/api/v1/threads/{thread.id}/posts", headers=other, json={"body": "mine"}).status_code == 201
