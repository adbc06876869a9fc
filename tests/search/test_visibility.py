"""Search shows exactly what the thread and post pages show, to each viewer, and changes show at once."""
import pytest

from app.core.errors import NotFound
from app.forum import services as forum_services
from app.forum.models import PostStatus
from app.search import services as search_services
from tests.search.conftest import found


def _page_shows_words(post_id: int, viewer) -> bool:
    """Whether the post page lets this viewer read the post's words (get_post, then mark_readable)."""
    try:
        return forum_services.get_post(post_id, viewer).readable
    except NotFound:
        return False


@pytest.mark.parametrize("status", list(PostStatus))
def test_a_reply_is_found_by_exactly_those_who_can_read_it_on_its_page(forum, make_member, moderator, set_status,
                                                                       api_headers, search_api, status):
    author, other = make_member("author"), make_member("other")
    thread = forum.thread(make_member("starter"), title="Night routines", body="What do you do?", tags=["pain"])
    reply = forum.reply(thread, author, body="Quinine water before bed, for what it is worth.")
    set_status(reply, status)
    viewers = {"visitor": None, "author": author, "other": other, "moderator": moderator}
    for name, viewer in viewers.items():
        headers = api_headers(viewer) if viewer else None
        finds = (thread.id, reply.id) in found(search_api(headers, q="quinine"))
        assert finds == _page_shows_words(reply.id, viewer), (status, name)
    # the rules the pages follow, spelled out
    expected = {PostStatus.published: {"visitor", "author", "other", "moderator"},
                PostStatus.pending_review: {"author", "moderator"},
                PostStatus.hidden: {"author", "moderator"},
                PostStatus.removed: set(), PostStatus.deleted: set()}[status]
    assert {name for name, viewer in viewers.items()
            if search_services.search(viewer, "quinine").items} == expected


@pytest.mark.parametrize("status, shown_to", [
    (PostStatus.published, {"visitor", "author", "other", "moderator"}),
    (PostStatus.pending_review, {"author", "moderator"}),
    (PostStatus.hidden, {"author", "moderator"}),  # out of thread lists while moderators look at it
    (PostStatus.removed, {"author", "moderator"}),  # as its page: the author and moderators, by title only
])
def test_a_thread_is_found_as_thread_lists_show_it(forum, make_member, moderator, set_status, status, shown_to):
    author, other = make_member("author"), make_member("other")
    thread = forum.thread(author, title="Magnesium for spasms?", body="Magnesium at night?", tags=["pain"])
    opening = forum_services.opening_post(thread)
    set_status(opening, status)
    viewers = {"visitor": None, "author": author, "other": other, "moderator": moderator}
    assert {name for name, viewer in viewers.items() if search_services.search(viewer, "magnesium").items} == shown_to
    if status == PostStatus.removed:
        assert [h.thread.id for h in search_services.search(moderator, "spasms").items] == [thread.id]


def test_removed_and_deleted_words_are_not_found_even_by_moderators(forum, make_member, moderator, set_status):
    author = make_member("author")
    thread = forum.thread(author, title="Weekly check-in", body="How was your week?", tags=["pain"])
    removed = forum.reply(thread, author, body="Zolpidem story, removed later.")
    set_status(removed, PostStatus.removed)
    assert search_services.search(moderator, "zolpidem").items == []
    assert search_services.search(author, "zolpidem").items == []


def test_edits_deletions_approvals_and_retitles_show_in_the_very_next_search(forum, make_member, set_status,
                                                                             search_api, api_headers):
    author = make_member("author")
    thread = forum.thread(author, title="Splints at night", body="Resting splints for my ankles.", tags=["pain"])
    reply = forum.reply(thread, author, body="Cushions helped my walking.")
    assert found(search_api(q="cushions")) == [(thread.id, reply.id)]

    forum_services.edit_post(author, reply.id, "Trampoline sessions helped my walking.")
    assert found(search_api(q="cushions")) == []
    assert found(search_api(q="trampoline")) == [(thread.id, reply.id)]

    forum_services.update_thread(author, thread.id, title="Night splints and trampoline")
    assert found(search_api(q="splints night", kind="threads")) == [(thread.id, None)]
    forum_services.update_thread(author, thread.id, tag_refs=["tizanidine"])
    assert found(search_api(q="zanaflex")) == [(thread.id, None)]
    assert found(search_api(q="pain", kind="threads")) == []

    forum_services.delete_post(author, reply.id)
    assert found(search_api(q="trampoline")) == [(thread.id, None)]  # the title still says it; the reply is gone

    held = forum.reply(thread, author, body="Physiotherapy twice weekly.")
    set_status(held, PostStatus.pending_review)
    assert found(search_api(q="physiotherapy")) == []
    assert found(search_api(api_headers(author), q="physiotherapy")) == [(thread.id, held.id)]
    set_status(held, PostStatus.published)  # a moderator approves it
    assert found(search_api(q="physiotherapy")) == [(thread.id, held.id)]


@pytest.mark.parametrize("erase_posts", [False, True])
def test_an_erased_account_shows_in_the_very_next_search(forum, make_member, client, api_headers, search_api,
                                                         erase_posts):
    from tests.conftest import PASSWORD
    author = make_member("leaving")
    thread = forum.thread(make_member("starter"), title="Weekly chat", body="Anyone around?", tags=["pain"])
    reply = forum.reply(thread, author, body="Hydrotherapy pools are warm enough for me.")
    assert found(search_api(q="hydrotherapy")) == [(thread.id, reply.id)]
    response = client.delete("/api/v1/me", json={"password": PASSWORD, "erase_posts": erase_posts},
                             headers=api_headers(author))
    assert response.status_code == 204, response.get_data(as_text=True)
    if erase_posts:
        assert found(search_api(q="hydrotherapy")) == []
    else:
        item = search_api(q="hydrotherapy").json["items"][0]
        assert item["post"]["id"] == reply.id and item["post"]["author"] is None  # "a former member"


def test_a_readable_match_ranked_below_many_unreadable_ones_is_still_found(forum, make_member, set_status,
                                                                          search_api, monkeypatch):
    """Only the best candidates are joined first; when too few of them may be shown, all of them are."""
    monkeypatch.setattr(search_services, "TOP_CANDIDATES", 5)
    author = make_member("author")
    thread = forum.thread(author, title="Weekly thread", body="Post what you like.", tags=["pain"])
    for n in range(12):
        held = forum.reply(thread, author, body=f"Tramadol tramadol tramadol, take {n}.")
        set_status(held, PostStatus.pending_review)
    shown = forum.reply(thread, author, body="Someone mentioned tramadol once; a long reply about many other things.")
    first = search_api(q="tramadol", limit=1)
    assert found(first) == [(thread.id, shown.id)] and first.json["next_cursor"] is None
