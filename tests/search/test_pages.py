"""The search box in every page's header and the /search page, without JavaScript."""
import re

import pytest


@pytest.fixture
def content(forum, make_member):
    author = make_member("alice")
    thread = forum.thread(author, title="Lioresal side effects", body="Baclofen made me drowsy for a week.")
    forum.reply(thread, author, body="Drowsy here too, it passed.")
    return thread


@pytest.mark.parametrize("path", ["/", "/tags", "/stats", "/signin", "/search"])
def test_every_page_has_a_labelled_search_box(client, vocabulary, path):
    html = client.get(path).get_data(as_text=True)
    form = re.search(r'<form class="site-search" method="get" action="/search" role="search">(.*?)</form>', html, re.S)
    assert form, path
    assert '<label for="site-search-q">Search Thaw</label>' in form.group(1)
    assert 'id="site-search-q" name="q"' in form.group(1) and 'type="submit"' in form.group(1)


def test_the_page_lists_results_with_marked_excerpts_and_offers_the_tag_and_its_statistics(client, content):
    html = client.get("/search", query_string={"q": "lioresal"}).get_data(as_text=True)
    assert 'href="/tags/baclofen"' in html and 'href="/stats/baclofen"' in html
    assert html.index('href="/stats/baclofen"') < html.index('id="results-heading"')
    assert "<mark>Baclofen</mark>" in html and "Lioresal side effects" in html
    assert "By <a href=\"/members/alice\">alice</a>" in html
    drowsy = client.get("/search", query_string={"q": "drowsy", "kind": "posts"}).get_data(as_text=True)
    assert "Reply in “Lioresal side effects”" in drowsy and f"#post-" in drowsy


def test_a_misspelling_offers_the_vocabulary_word(client, content):
    html = client.get("/search", query_string={"q": "baclofin"}).get_data(as_text=True)
    assert 'Did you mean <a href="/search?q=baclofen">baclofen</a>?' in html


def test_an_unusable_search_shows_the_form_again_with_the_message(client, content):
    response = client.get("/search", query_string={"q": "x" * 500, "sort": "new"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Keep a search under 300 characters" in html and 'value="new" checked' in html
    assert client.get("/search", query_string={"q": "the"}).status_code == 422


def test_the_page_pages_by_cursor(client, forum, make_member):
    author = make_member("alice")
    thread = forum.thread(author, title="Fatigue log", body="Fatigue today.", tags=["fatigue"])
    for n in range(25):
        forum.reply(thread, author, body=f"Fatigue again {n}.")
    first = client.get("/search", query_string={"q": "fatigue"}).get_data(as_text=True)
    more = re.search(r'<a class="button" href="([^"]+)">More results</a>', first)
    assert more and first.count('class="search-result"') == 20
    second = client.get(more.group(1).replace("&amp;", "&")).get_data(as_text=True)
    assert second.count('class="search-result"') == 6 and "Back to the first results" in second
