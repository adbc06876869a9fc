"""Forum pages as a person with a browser meets them: reading, replying, editing, browsing."""
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.forum import services
from app.forum.models import Post, Thread
from app.members.models import MemberStatus, Role

POST_IDS = re.compile(r'<article id="post-(\d+)"')
THREAD_IDS = re.compile(r'<li class="thread-row" id="thread-(\d+)"')
OLDER = re.compile(r'<a class="button" href="([^"]+)">Older threads</a>')


def html_of(response) -> str:
    return response.get_data(as_text=True)


def post_ids(html: str) -> list[int]:
    return [int(i) for i in POST_IDS.findall(html)]


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


class Outline(HTMLParser):
    """Headings, labelled controls and their labels, as a screen reader would list them."""

    def __init__(self, html: str):
        super().__init__()
        self.headings: list[int] = []
        self.controls: list[str] = []
        self.labels: set[str] = set()
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag in ("input", "textarea", "select") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append(attrs.get("id") or f"<{tag} name={attrs.get('name')} without id>")


def assert_accessible_outline(html: str) -> None:
    outline = Outline(html)
    assert outline.headings.count(1) == 1 and outline.headings[0] == 1
    for before, after in zip(outline.headings, outline.headings[1:]):
        assert after <= before + 1, f"heading h{after} follows h{before}: {outline.headings}"
    unlabelled = [c for c in outline.controls if c not in outline.labels]
    assert not unlabelled, f"controls without a <label>: {unlabelled}"


@pytest.fixture
def carla(make_member):
    return make_member("clonus_carla")


@pytest.fixture
def sam(make_member):
    return make_member("StiffLegsSam")


@pytest.fixture
def thread(vocabulary, carla):
    return services.start_thread(carla, "Baclofen at night?", "Does it help with **night cramps**?", ["baclofen"])


def opening(thread) -> Post:
    return services.opening_post(thread)


def build_chain(thread, author, parent_id, length) -> list[Post]:
    posts = []
    for n in range(length):
        posts.append(services.reply(author, thread.id, f"step {n}", parent_id))
        parent_id = posts[-1].id
    return posts


# --- the tree --------------------------------------------------------------------------

class TestThreadPage:
    def test_posts_show_depth_first_with_siblings_oldest_first(self, client, thread, carla, sam):
        root = opening(thread)
        a = services.reply(sam, thread.id, "A")
        b = services.reply(carla, thread.id, "B")
        a1 = services.reply(carla, thread.id, "A1", a.id)
        b1 = services.reply(sam, thread.id, "B1", b.id)
        a2 = services.reply(sam, thread.id, "A2", a.id)
        a1x = services.reply(sam, thread.id, "A1x", a1.id)
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert post_ids(html) == [root.id, a.id, a1.id, a1x.id, a2.id, b.id, b1.id]
        assert f'id="post-{a1x.id}" class="post post--depth-3"' in html
        # Each reply says whom it answers, so the order reads without seeing the indentation.
        assert f'replied to <a href="#post-{a1.id}">clonus_carla</a>' in html.split(f'id="post-{a1x.id}"')[1]

    def test_every_post_shows_author_time_and_a_reply_link(self, client, thread, carla, sam):
        reply = services.reply(sam, thread.id, "Try a *warm bath* first.")
        html = html_of(client.get(f"/threads/{thread.id}"))
        article = html.split(f'id="post-{reply.id}"')[1].split("</article>")[0]
        assert f'aria-labelledby="post-{reply.id}-title"' in html
        assert '<a href="/members/StiffLegsSam">StiffLegsSam</a>' in article
        assert "<time datetime=" in article and "<em>warm bath</em>" in article
        assert (f'href="/threads/{thread.id}/reply/{reply.id}">Reply'
                '<span class="visually-hidden"> to StiffLegsSam&#39;s post</span>') in article
        assert "Edit" not in article  # a visitor may not edit
        assert_accessible_outline(html)

    def test_edited_mark_links_to_revisions_for_the_author_only(self, client, pages, thread, carla, sam):
        services.edit_post(carla, opening(thread).id, "Does it help? (edited)")
        assert "· edited" in html_of(client.get(f"/threads/{thread.id}"))
        assert "/revisions" not in html_of(client.get(f"/threads/{thread.id}"))
        pages.sign_in(carla)
        assert f'href="/posts/{opening(thread).id}/revisions"' in html_of(client.get(f"/threads/{thread.id}"))

    def test_replies_deeper_than_the_cap_continue_on_their_own_page(self, app, client, thread, sam):
        cap = app.config["THREAD_MAX_DEPTH"]
        chain = build_chain(thread, sam, None, cap + 2)  # depths 1 .. cap + 2
        at_cap, deeper = chain[cap - 1], chain[cap:]
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert post_ids(html) == [opening(thread).id] + [p.id for p in chain[:cap]]
        assert f'href="/threads/{thread.id}/posts/{at_cap.id}">Continue this conversation' in html
        more = html_of(client.get(f"/threads/{thread.id}/posts/{at_cap.id}"))
        assert post_ids(more) == [at_cap.id] + [p.id for p in deeper]
        assert f'id="post-{at_cap.id}" class="post post--depth-0"' in more  # indentation starts afresh
        assert f'href="/threads/{thread.id}#post-{at_cap.id}"' in more and "Back to the whole thread" in more
        assert '">Continue this conversation<span' not in more  # the chain ends within this page's cap

    def test_continue_page_of_another_threads_post_is_404(self, client, thread, carla):
        other = services.start_thread(carla, "Another thread", "Hello", ["heat"])
        assert client.get(f"/threads/{thread.id}/posts/{opening(other).id}").status_code == 404

    def test_long_threads_show_more_replies_by_cursor(self, client, thread, sam, monkeypatch):
        monkeypatch.setattr("app.forum.views.POSTS_PER_PAGE", 3)
        replies = [services.reply(sam, thread.id, f"reply {n}") for n in range(4)]
        first = html_of(client.get(f"/threads/{thread.id}"))
        link = re.search(r'<a class="button" href="([^"]+)">Show more replies</a>', first)
        assert post_ids(first) == [opening(thread).id] + [r.id for r in replies[:2]]
        second = html_of(client.get(link.group(1).replace("&amp;", "&")))
        assert post_ids(second) == [r.id for r in replies[2:]]
        assert "Show more replies" not in second

    def test_unknown_thread_is_404(self, client, vocabulary):
        assert client.get("/threads/999").status_code == 404


class TestLockedThread:
    def test_locked_thread_has_no_reply_form_and_refuses_replies(self, client, pages, thread, sam):
        thread.locked = True
        db.session.commit()
        pages.sign_in(sam)
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert "This thread is locked." in html and "Locked</span>" in html
        assert 'action="/threads/%d/reply"' % thread.id not in html and ">Reply<" not in html
        before = count(Post)
        response = pages.post(f"/threads/{thread.id}/reply", {"body": "Let me in"}, form_page=f"/threads/{thread.id}")
        assert response.status_code == 409
        assert "This thread is locked: it can be read but takes no new replies." in html_of(response)
        response = pages.post(f"/threads/{thread.id}/reply/{opening(thread).id}", {"body": "Let me in"},
                              form_page=f"/threads/{thread.id}")
        assert response.status_code == 409 and "takes no new replies" in html_of(response)
        assert count(Post) == before


# --- replying --------------------------------------------------------------------------

class TestReplying:
    def test_reply_page_quotes_the_parent_and_lands_on_the_new_post(self, client, pages, thread, carla, sam):
        parent = services.reply(carla, thread.id, "I take **10 mg** at bedtime.")
        pages.sign_in(sam)
        page = html_of(client.get(f"/threads/{thread.id}/reply/{parent.id}"))
        assert "<h1>Reply to clonus_carla</h1>" in page and "<strong>10 mg</strong>" in page
        assert_accessible_outline(page)
        response = pages.post(f"/threads/{thread.id}/reply/{parent.id}", {"body": "Same here."})
        reply = db.session.scalar(sa.select(Post).order_by(Post.id.desc()))
        assert response.status_code == 302
        assert response.headers["Location"] == f"/threads/{thread.id}#post-{reply.id}"
        assert reply.parent_id == parent.id
        assert post_ids(html_of(client.get(f"/threads/{thread.id}")))[-1] == reply.id

    def test_empty_reply_is_shown_again_with_a_message(self, pages, client, thread, sam):
        pages.sign_in(sam)
        response = pages.post(f"/threads/{thread.id}/reply/{opening(thread).id}", {"body": "   "})
        assert response.status_code == 422 and "Write something first." in html_of(response)

    def test_too_long_reply_keeps_the_text(self, app, pages, thread, sam):
        pages.sign_in(sam)
        body = "spasm " * (app.config["POST_MAX_CHARS"] // 5)
        response = pages.post(f"/threads/{thread.id}/reply", {"body": body}, form_page=f"/threads/{thread.id}")
        assert response.status_code == 422
        assert "Keep it under 20,000 characters" in html_of(response) and body.strip() in html_of(response)

    def test_bottom_form_answers_the_opening_post(self, client, pages, thread, sam):
        pages.sign_in(sam)
        assert "<h1>Reply to the thread</h1>" in html_of(client.get(f"/threads/{thread.id}/reply"))
        response = pages.post(f"/threads/{thread.id}/reply", {"body": "Welcome!"}, form_page=f"/threads/{thread.id}")
        reply = db.session.scalar(sa.select(Post).order_by(Post.id.desc()))
        assert response.status_code == 302 and reply.parent_id == opening(thread).id

    def test_reply_past_the_cap_lands_on_the_conversation_page(self, app, pages, thread, sam):
        deepest = build_chain(thread, sam, None, app.config["THREAD_MAX_DEPTH"])[-1]
        pages.sign_in(sam)
        response = pages.post(f"/threads/{thread.id}/reply/{deepest.id}", {"body": "Deeper still"})
        reply = db.session.scalar(sa.select(Post).order_by(Post.id.desc()))
        assert response.headers["Location"] == f"/threads/{thread.id}/posts/{deepest.id}#post-{reply.id}"

    def test_visitors_are_asked_to_sign_in(self, client, thread):
        assert "to reply." in html_of(client.get(f"/threads/{thread.id}"))
        response = client.get(f"/threads/{thread.id}/reply/{opening(thread).id}")
        assert response.status_code == 302 and "/signin" in response.headers["Location"]

    def test_reply_without_csrf_token_is_refused(self, client, pages, thread, sam):
        pages.sign_in(sam)
        before = count(Post)
        response = client.post(f"/threads/{thread.id}/reply", data={"body": "forged"})
        assert response.status_code == 400 and "This form has expired" in html_of(response)
        assert count(Post) == before


# --- starting a thread -----------------------------------------------------------------

class TestStartThread:
    def test_form_labels_every_control_and_suggests_tags_and_synonyms(self, client, pages, vocabulary, carla):
        pages.sign_in(carla)
        html = html_of(client.get("/threads/new"))
        assert_accessible_outline(html)
        assert 'list="tag-suggestions"' in html and '<datalist id="tag-suggestions">' in html
        assert '<option value="Oral baclofen">' in html and '<option value="Lioresal">Oral baclofen</option>' in html
        assert '<legend>Treatments</legend>' in html and 'type="checkbox" id="tag-baclofen" name="tag"' in html

    def test_rejected_form_keeps_everything_typed(self, client, pages, vocabulary, carla):
        pages.sign_in(carla)
        response = pages.post("/threads/new", {"title": "Hi", "body": "My *legs* lock at night",
                                               "tags": "Lioresal, unicorn dust", "tag": ["cramps", "heat"]})
        html = html_of(response)
        assert response.status_code == 422
        assert "Use 5 to 150 characters." in html and "Unknown tag: unicorn dust" in html  # every problem at once
        assert 'value="Hi"' in html and "My *legs* lock at night</textarea>" in html
        assert 'value="Lioresal, unicorn dust"' in html
        assert 'id="tag-cramps" name="tag" value="cramps" checked' in html
        assert 'id="tag-heat" name="tag" value="heat" checked' in html
        assert 'id="tag-clonus" name="tag" value="clonus">' in html
        assert count(Thread) == 0

    def test_no_tags_at_all_is_explained(self, pages, vocabulary, carla):
        pages.sign_in(carla)
        response = pages.post("/threads/new", {"title": "Stiff mornings", "body": "Anyone else?", "tags": ""})
        assert response.status_code == 422 and "Choose at least one tag." in html_of(response)

    def test_synonyms_and_ticked_boxes_become_canonical_tags(self, client, pages, vocabulary, carla):
        pages.sign_in(carla)
        response = pages.post("/threads/new", {"title": "Lioresal and night cramps", "body": "My story",
                                               "tags": "Lioresal, night cramps", "tag": ["heat", "baclofen"]})
        thread = db.session.scalar(sa.select(Thread))
        assert response.status_code == 302 and response.headers["Location"] == f"/threads/{thread.id}"
        assert {t.slug for t in thread.tags} == {"baclofen", "cramps", "heat"}  # named twice, kept once
        html = html_of(client.get(response.headers["Location"]))
        assert '<a class="tag-chip tag-chip--treatment" href="/tags/baclofen">Oral baclofen</a>' in html
        assert '<a class="tag-chip tag-chip--symptom" href="/tags/cramps">Cramps</a>' in html

    def test_tag_page_link_preticks_its_tag(self, client, pages, vocabulary, carla):
        pages.sign_in(carla)
        html = html_of(client.get("/threads/new?tag=clonus"))
        assert 'id="tag-clonus" name="tag" value="clonus" checked' in html

    def test_form_without_csrf_token_writes_nothing(self, client, pages, vocabulary, carla):
        pages.sign_in(carla)
        response = client.post("/threads/new", data={"title": "A real title", "body": "Body", "tags": "heat"})
        assert response.status_code == 400
        assert count(Thread) == 0 and count(Post) == 0

    def test_visitors_are_sent_to_sign_in(self, client, vocabulary):
        response = client.get("/threads/new")
        assert response.status_code == 302 and "/signin?next=" in response.headers["Location"]


# --- editing and deleting --------------------------------------------------------------

class TestEditAndDelete:
    @pytest.fixture
    def post(self, thread, sam):
        return services.reply(sam, thread.id, "My **first** words")

    @pytest.mark.parametrize("path", ["/posts/{post}/edit", "/posts/{post}/delete", "/posts/{post}/revisions",
                                      "/threads/{thread}/edit"])
    def test_another_member_may_not_open_the_forms(self, client, pages, make_member, thread, post, path):
        pages.sign_in(make_member("rollator_rob"))
        assert client.get(path.format(post=post.id, thread=thread.id)).status_code == 403

    @pytest.mark.parametrize("path, data", [("/posts/{post}/edit", {"body": "hijacked"}),
                                            ("/posts/{post}/delete", {}),
                                            ("/threads/{thread}/edit", {"title": "Hijacked title", "tags": "heat"})])
    def test_another_member_may_not_change_anything(self, pages, make_member, thread, post, path, data):
        pages.sign_in(make_member("rollator_rob"))
        response = pages.post(path.format(post=post.id, thread=thread.id), data, form_page="/")
        assert response.status_code == 403
        db.session.expire_all()
        assert post.body_source == "My **first** words" and post.status.value == "published"
        assert thread.title == "Baclofen at night?"

    @pytest.mark.parametrize("path", ["/posts/{post}/edit", "/posts/{post}/delete", "/threads/{thread}/edit"])
    def test_visitors_are_sent_to_sign_in(self, client, thread, post, path):
        response = client.get(path.format(post=post.id, thread=thread.id))
        assert response.status_code == 302 and "/signin" in response.headers["Location"]

    @pytest.mark.parametrize("path", ["/posts/{post}/edit", "/posts/{post}/delete"])
    def test_a_moderator_is_sent_to_the_audited_actions(self, client, pages, make_member, thread, post, path):
        pages.sign_in(make_member("mod_maria", role=Role.moderator))
        path = path.format(post=post.id)
        opened = client.get(path)
        assert opened.status_code == 403 and "Edit as moderator or Remove as moderator" in html_of(opened)
        sent = pages.post(path, {"body": "trimmed"}, form_page=f"/threads/{thread.id}")
        assert sent.status_code == 403
        db.session.expire_all()
        assert post.body_source == "My **first** words" and post.status.value == "published"
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert f'href="/posts/{post.id}/edit"' not in html and f'href="/posts/{post.id}/delete"' not in html
        assert f'href="/mod/posts/{post.id}/edit"' in html and f'href="/mod/posts/{post.id}/remove"' in html

    def test_author_can_edit(self, client, pages, thread, post, sam):
        pages.sign_in(sam)
        form = html_of(client.get(f"/posts/{post.id}/edit"))
        assert "My **first** words</textarea>" in form
        assert_accessible_outline(form)
        response = pages.post(f"/posts/{post.id}/edit", {"body": "My *second* words"})
        assert response.status_code == 302
        assert response.headers["Location"] == f"/threads/{thread.id}#post-{post.id}"
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert "My <em>second</em> words" in html and "· edited" in html

    def test_empty_edit_keeps_the_form(self, pages, post, sam):
        pages.sign_in(sam)
        response = pages.post(f"/posts/{post.id}/edit", {"body": ""})
        assert response.status_code == 422 and "Write something first." in html_of(response)
        db.session.expire_all()
        assert post.body_source == "My **first** words"

    def test_deleted_post_keeps_its_place_and_its_replies(self, client, pages, thread, post, sam, carla):
        answer = services.reply(carla, thread.id, "Replying to Sam", post.id)
        pages.sign_in(sam)
        confirm = html_of(client.get(f"/posts/{post.id}/delete"))
        assert "Delete this post</button>" in confirm and "<strong>first</strong>" in confirm
        response = pages.post(f"/posts/{post.id}/delete", {})
        assert response.status_code == 302
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert post_ids(html) == [opening(thread).id, post.id, answer.id]
        assert "[deleted]" in html and "My <strong>first</strong> words" not in html
        assert "Replying to Sam" in html
        assert f'replied to <a href="#post-{post.id}">a deleted post</a>' in html

    def test_delete_without_csrf_token_is_refused(self, client, pages, post, sam):
        pages.sign_in(sam)
        assert client.post(f"/posts/{post.id}/delete").status_code == 400
        db.session.expire_all()
        assert post.status.value == "published"

    def test_author_changes_title_and_tags_by_synonym(self, client, pages, thread, carla):
        pages.sign_in(carla)
        form = html_of(client.get(f"/threads/{thread.id}/edit"))
        assert 'value="Baclofen at night?"' in form and 'value="baclofen" checked' in form
        response = pages.post(f"/threads/{thread.id}/edit", {"title": "Baclofen and Zanaflex at night",
                                                             "tags": "Zanaflex", "tag": ["baclofen"]})
        assert response.status_code == 302
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert "<h1>Baclofen and Zanaflex at night</h1>" in html
        assert 'href="/tags/tizanidine">Tizanidine</a>' in html and 'href="/tags/baclofen"' in html

    def test_thread_edit_with_unknown_tag_keeps_what_was_typed(self, pages, thread, carla):
        pages.sign_in(carla)
        response = pages.post(f"/threads/{thread.id}/edit", {"title": "New", "tags": "moonbeams"})
        html = html_of(response)
        assert response.status_code == 422
        assert 'value="New"' in html and 'value="moonbeams"' in html and "Unknown tag: moonbeams" in html


class TestRevisions:
    @pytest.fixture
    def post(self, thread, sam):
        post = services.reply(sam, thread.id, "Version **one**")
        services.edit_post(sam, post.id, "Version **two**")
        return post

    @pytest.mark.parametrize("who", ["author", "moderator"])
    def test_author_and_moderator_see_every_version_oldest_first(self, client, pages, make_member, post, sam, who):
        pages.sign_in(sam if who == "author" else make_member("mod_maria", role=Role.moderator))
        html = html_of(client.get(f"/posts/{post.id}/revisions"))
        assert html.index("Version <strong>one</strong>") < html.index("Version <strong>two</strong>")
        assert "Version 1 (the original)" in html and "Version 2 (the latest)" in html
        assert 'By <a href="/members/StiffLegsSam">StiffLegsSam</a>' in html
        assert_accessible_outline(html)

    def test_other_members_get_403(self, client, pages, make_member, post):
        pages.sign_in(make_member("rollator_rob"))
        response = client.get(f"/posts/{post.id}/revisions")
        assert response.status_code == 403 and "Version <strong>one</strong>" not in html_of(response)


# --- browsing --------------------------------------------------------------------------

def start(author, title, tags, **changes) -> Thread:
    thread = services.start_thread(author, title, f"About {title}", tags)
    for name, value in changes.items():
        setattr(thread, name, value)
    db.session.commit()
    return thread


class TestTagPages:
    def test_browse_lists_kinds_with_descriptions_synonyms_and_counts(self, client, vocabulary, carla):
        start(carla, "Baclofen one", ["baclofen", "cramps"])
        start(carla, "Baclofen two", ["Lioresal"])
        html = html_of(client.get("/tags"))
        assert re.findall(r'<h2 id="\w+">(\w+)</h2>', html) == ["Symptoms", "Treatments", "Triggers", "Topics"]
        assert re.search(r'href="/tags/baclofen">Oral baclofen</a>\s*<span class="tag-index__count">2 threads</span>',
                         html)
        assert re.search(r'href="/tags/cramps">Cramps</a>\s*<span class="tag-index__count">1 thread</span>', html)
        assert re.search(r'href="/tags/heat">Heat</a>\s*<span class="tag-index__count">0 threads</span>', html)
        assert "Also called Fleqsuvy, Lioresal" in html
        assert_accessible_outline(html)

    def test_tag_page_shows_pinned_threads_first(self, client, vocabulary, carla):
        old_pinned = start(carla, "House rules for baclofen", ["baclofen"], pinned=True)
        newer = start(carla, "Newer baclofen thread", ["baclofen"])
        newest = start(carla, "Newest baclofen thread", ["baclofen"], locked=True)
        start(carla, "Off-topic thread", ["heat"])
        html = html_of(client.get("/tags/baclofen"))
        assert [int(i) for i in THREAD_IDS.findall(html)] == [old_pinned.id, newest.id, newer.id]
        assert html.index('id="pinned-heading"') < html.index(f'id="thread-{old_pinned.id}"')
        assert "Pinned</span>" in html and "Locked</span>" in html
        assert "Also called" in html and "not medical advice" in html.split("<main")[1].split("<footer")[0]
        assert_accessible_outline(html)

    def test_tag_page_sorts_by_newest(self, client, vocabulary, carla, sam):
        first = start(carla, "First baclofen thread", ["baclofen"])
        second = start(carla, "Second baclofen thread", ["baclofen"])
        services.reply(sam, first.id, "Bumping the first")
        assert [int(i) for i in THREAD_IDS.findall(html_of(client.get("/tags/baclofen")))] == [first.id, second.id]
        assert [int(i) for i in THREAD_IDS.findall(html_of(client.get("/tags/baclofen?sort=new")))] == \
            [second.id, first.id]

    def test_symptom_page_has_no_treatment_note(self, client, vocabulary):
        main = html_of(client.get("/tags/clonus")).split("<main")[1].split("<footer")[0]
        assert "<h1>Clonus</h1>" in main and "not medical advice" not in main

    def test_unknown_tag_is_404(self, client, vocabulary):
        assert client.get("/tags/unicorn-dust").status_code == 404


class TestHomePage:
    def test_home_lists_active_threads_with_their_details(self, client, vocabulary, carla, sam):
        quiet = start(carla, "A quiet thread", ["heat"])
        busy = start(carla, "A busy thread", ["baclofen", "cramps"], pinned=True)
        services.reply(sam, quiet.id, "Now it is active")
        html = html_of(client.get("/"))
        assert [int(i) for i in THREAD_IDS.findall(html)] == [quiet.id, busy.id]
        row = html.split(f'id="thread-{busy.id}"')[1].split("</li>\n</ol>")[0]
        assert f'<a href="/threads/{busy.id}">A busy thread</a>' in row and "Pinned</span>" in row
        assert 'href="/tags/cramps">Cramps</a>' in row and '<a href="/members/clonus_carla">' in row
        assert "0 replies" in row and "<time datetime=" in row
        assert "1 reply, latest <time" in html
        assert_accessible_outline(html)

    def test_filter_by_several_tags_shows_threads_with_all_of_them(self, client, vocabulary, carla):
        both = start(carla, "Baclofen for cramps", ["baclofen", "cramps"])
        start(carla, "Baclofen only", ["baclofen"])
        start(carla, "Cramps only", ["cramps"])
        html = html_of(client.get("/threads?tag=baclofen&tag=cramps"))
        assert [int(i) for i in THREAD_IDS.findall(html)] == [both.id]
        assert 'id="filter-baclofen" name="tag" value="baclofen" checked' in html
        assert "<details class=\"filters\" open>" in html
        assert "Recently active threads tagged Oral baclofen and Cramps</h2>" in html
        # Synonyms work in the address too.
        assert THREAD_IDS.findall(html_of(client.get("/threads?tag=Lioresal&tag=night+cramps"))) == [str(both.id)]

    def test_filter_with_unknown_tag_says_so(self, client, vocabulary):
        response = client.get("/threads?tag=moonbeams")
        assert response.status_code == 422 and "Unknown tag: moonbeams" in html_of(response)

    def test_filter_form_works_without_javascript(self, client, vocabulary):
        html = html_of(client.get("/"))
        form = html.split('<details class="filters">')[1].split("</details>")[0]
        assert '<form method="get" action="/threads"' in form
        assert '<legend>Symptoms</legend>' in form and '<legend>Order threads by</legend>' in form
        assert 'type="radio" id="sort-new" name="sort" value="new"' in form
        assert_accessible_outline(html)

    @pytest.mark.parametrize("sort", ["active", "new"])
    def test_paging_visits_every_thread_exactly_once(self, client, vocabulary, carla, sam, sort):
        threads = [start(carla, f"Thread number {n}", ["heat", "baclofen"] if n % 2 else ["heat"])
                   for n in range(45)]
        for thread in threads[::7]:  # activity reorders some of them
            services.reply(sam, thread.id, "bump")
        seen, url, pages_seen = [], f"/threads?tag=heat&sort={sort}", 0
        while url:
            html = html_of(client.get(url))
            seen += [int(i) for i in THREAD_IDS.findall(html)]
            older = OLDER.search(html)
            url = older.group(1).replace("&amp;", "&") if older else None
            pages_seen += 1
            if url:
                assert "tag=heat" in url and f"sort={sort}" in url  # the filter carries over
        assert sorted(seen) == sorted(t.id for t in threads) and len(seen) == len(set(seen))
        assert pages_seen == 3


class TestMemberPage:
    def test_member_page_shows_handle_and_threads_but_never_the_email(self, client, vocabulary, make_member):
        maria = make_member("mod_maria", role=Role.moderator)
        thread = start(maria, "Welcome to Thaw", ["newly-diagnosed"])
        html = html_of(client.get("/members/MOD_MARIA"))
        assert "<h1>mod_maria</h1>" in html and "Member since <time" in html and "Moderator" in html
        assert f'<a href="/threads/{thread.id}">Welcome to Thaw</a>' in html
        assert "mod_maria@example.org" not in html and "@example.org" not in html
        assert_accessible_outline(html)

    def test_mentions_link_to_the_member_page(self, client, thread, carla, sam):
        services.reply(sam, thread.id, "Ask @clonus_carla about it")
        html = html_of(client.get(f"/threads/{thread.id}"))
        assert '<a href="/members/clonus_carla" class="mention">@clonus_carla</a>' in html
        assert client.get("/members/clonus_carla").status_code == 200

    def test_missing_and_deleted_members_are_404(self, client, make_member):
        make_member("gone_gary", status=MemberStatus.deleted)
        assert client.get("/members/gone_gary").status_code == 404
        assert client.get("/members/nobody_here").status_code == 404


# --- performance -----------------------------------------------------------------------

class TestQueryCounts:
    """Pages cost the same number of SQL statements however long they are."""

    def queries(self, client, count_queries, path) -> int:
        with count_queries() as q:
            assert client.get(path).status_code == 200
        return q.count

    def busy_thread(self, author, others, posts: int) -> Thread:
        thread = services.start_thread(author, f"A thread of {posts} posts", "Opening", ["baclofen", "heat"])
        parent = None
        for n in range(posts - 1):
            reply = services.reply(others[n % len(others)], thread.id, f"Reply {n} to @{author.handle}",
                                   parent if n % 3 else None)
            parent = reply.id if n % 9 else None  # branches and chains, some past the cap
        services.edit_post(author, services.opening_post(thread).id, "Opening, edited")
        services.delete_post(reply.author, reply.id)
        return thread

    @pytest.mark.parametrize("signed_in", [False, True])
    def test_thread_page(self, client, pages, count_queries, vocabulary, make_member, signed_in):
        carla, others = make_member("clonus_carla"), [make_member() for _ in range(4)]
        small, large = self.busy_thread(carla, others, 5), self.busy_thread(carla, others, 60)
        if signed_in:
            pages.sign_in(carla)
        assert len(post_ids(html_of(client.get(f"/threads/{large.id}")))) > 30
        few = self.queries(client, count_queries, f"/threads/{small.id}")
        many = self.queries(client, count_queries, f"/threads/{large.id}")
        # signed in: + the header's unread-notification count and the follow buttons' state; everyone: + reaction counts
        assert few == many <= (7 if signed_in else 4)

    def test_home_and_tag_pages(self, client, count_queries, vocabulary, make_member):
        authors = [make_member() for _ in range(5)]
        for n in range(3):
            start(authors[n], f"Early thread {n}", ["baclofen", "cramps"], pinned=n == 0)
        few = {path: self.queries(client, count_queries, path)
               for path in ("/", "/threads?tag=baclofen&tag=cramps", "/tags/baclofen", "/tags", "/members/member1")}
        for n in range(27):
            start(authors[n % 5], f"Later thread {n}", ["baclofen", "cramps", "heat"], pinned=n % 10 == 0)
        many = {path: self.queries(client, count_queries, path) for path in few}
        assert few == many
        # A treatment's tag page also reads the latest statistics release and its row (2 queries).
        assert many["/"] <= 4 and many["/tags/baclofen"] <= 8 and many["/tags"] <= 3
