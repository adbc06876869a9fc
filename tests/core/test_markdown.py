"""Rendering and sanitizing of post bodies; needs no app or database."""
import re
from html.parser import HTMLParser

import pytest

from app.core.markdown import plain_text_excerpt, render_markdown

MEMBERS = {"alice": "Alice", "bob_smith": "Bob_Smith", "dee-dee": "Dee-Dee"}


def known(asked: set[str]) -> dict[str, str]:
    return {folded: MEMBERS[folded] for folded in asked if folded in MEMBERS}


class _Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str, name: str | None = None) -> list[dict]:
    parser = _Collect()
    parser.feed(html)
    return [attrs for tag, attrs in parser.tags if name is None or tag == name]


def tag_names(html: str) -> set[str]:
    parser = _Collect()
    parser.feed(html)
    return {tag for tag, _ in parser.tags}


def scheme_as_browser_sees(href: str) -> str:
    # Browsers drop tabs and newlines anywhere in a URL, and leading controls and spaces.
    cleaned = re.sub(r"[\t\n\r]", "", href).lstrip("".join(map(chr, range(33))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return match[1].lower() if match else ""


def test_emphasis_lists_and_code_render():
    html = render_markdown("*soft* and **firm**\n\n- one\n- two\n\n3. three\n4. four\n\nend of list\n\n    indented code\n")
    assert "<em>soft</em>" in html
    assert "<strong>firm</strong>" in html
    assert "<ul>\n<li>one</li>\n<li>two</li>\n</ul>" in html
    assert tags(html, "ol") == [{"start": "3"}]
    assert "<pre><code>indented code\n</code></pre>" in html


def test_fenced_code_stays_literal():
    html = render_markdown("```python\n**not bold** <b>x</b> @alice\n```", known)
    assert "<pre><code>**not bold** &lt;b&gt;x&lt;/b&gt; @alice\n</code></pre>" in html
    assert "language-" not in html  # class on code is not in the allow-list


def test_strikethrough_and_table():
    html = render_markdown("~~gone~~\n\n| dose | when |\n|--:|:--|\n| 5 mg | night |")
    assert "<del>gone</del>" in html
    assert {"table", "thead", "tbody", "tr", "th", "td"} <= tag_names(html)
    assert "style" not in html


@pytest.mark.parametrize("source", [
    "<script>alert(1)</script>",
    "before <script>alert(1)</script> after",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
])
def test_typed_script_is_escaped_never_a_tag(source):
    html = render_markdown(source)
    assert "script" not in tag_names(html)
    assert "&lt;/script&gt;" in html.lower()


@pytest.mark.parametrize("source", [
    "<img src=x onerror=alert(1)>",
    "text <img src=x onerror=alert(1)> text",
    '<div onclick="alert(1)">hi</div>',
    '<a href="javascript:alert(1)">x</a>',
])
def test_typed_html_with_event_handlers_is_escaped(source):
    html = render_markdown(source)
    assert tag_names(html) <= {"p"}
    assert all(not attrs for attrs in tags(html))
    assert "&lt;" in html


@pytest.mark.parametrize("source", [
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](java&#x09;script:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](&#x6A;avascript&#x3A;alert(1))",
    "[x](javascript&colon;alert(1))",
    "[x](%6Aavascript:alert(1))",
    "[x](<javascript:alert(1)>)",
    "[x][r]\n\n[r]: javascript:alert(1)",
    "<javascript:alert(1)>",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](data:image/png;base64,iVBORw0KGgo=)",
    "![x](javascript:alert(1))",
])
def test_dangerous_link_schemes_never_reach_an_href(source):
    html = render_markdown(source)
    for attrs in tags(html):
        for name in ("href", "src"):
            if name in attrs:
                assert scheme_as_browser_sees(attrs[name]) in ("", "http", "https", "mailto")


@pytest.mark.parametrize("source", ["[x](data:image/png;base64,iVBORw0KGgo=)", "[x](ftp://files.example/x)"])
def test_schemes_the_renderer_allows_are_still_stripped_by_the_allow_list(source):
    # The Markdown parser lets these through; the sanitizer must not.
    links = tags(render_markdown(source), "a")
    assert len(links) == 1
    assert "href" not in links[0]


def test_every_member_link_has_exactly_the_ugc_rel_and_no_target():
    html = render_markdown(
        "[nhs](https://www.nhs.uk \"NHS\") <https://mstrust.org.uk> https://example.org/a "
        "http://www.mssociety.org.uk <mailto:help@example.org> and config.py"
    )
    links = tags(html, "a")
    assert [a["href"] for a in links] == [
        "https://www.nhs.uk", "https://mstrust.org.uk", "https://example.org/a",
        "http://www.mssociety.org.uk", "mailto:help@example.org",
    ]
    assert all(a["rel"] == "nofollow ugc noopener" for a in links)
    assert all("target" not in a for a in links)
    assert links[0]["title"] == "NHS"


def test_images_become_links_to_the_image():
    html = render_markdown('![my *splint*](https://img.example/splint.png "t") ![](http://img.example/b.png)')
    assert "<img" not in html
    assert tags(html, "a") == [
        {"href": "https://img.example/splint.png", "rel": "nofollow ugc noopener"},
        {"href": "http://img.example/b.png", "rel": "nofollow ugc noopener"},
    ]
    assert ">my splint</a>" in html
    assert ">http://img.example/b.png</a>" in html  # no alt: the URL is the text


def test_image_without_http_source_is_only_its_alt_text():
    html = render_markdown("![a chart](data:image/png;base64,iVBORw0KGgo=) ![rel](/x.png)")
    assert html == "<p>a chart rel</p>\n"


def test_image_inside_a_link_does_not_nest_links():
    html = render_markdown("[![thumb](https://img.example/t.png)](https://example.org/full)")
    assert "<img" not in html
    assert tags(html, "a") == [{"href": "https://example.org/full", "rel": "nofollow ugc noopener"}]
    assert ">thumb</a>" in html


def test_headings_sit_below_the_page_headings():
    html = render_markdown("# Title\n\n## Part\n\n### Detail\n\n###### Small")
    assert "<h3>Title</h3>" in html
    assert "<h4>Part</h4>" in html
    assert "<h5>Detail</h5>" in html
    assert "<h6>Small</h6>" in html
    assert not {"h1", "h2"} & tag_names(html)


def test_mentions_link_known_members_with_their_own_spelling():
    html = render_markdown("thanks @ALICE and @bob_smith, (@dee-dee) and @nobody", known)
    assert '<a href="/members/Alice" class="mention">@Alice</a>' in html
    assert '<a href="/members/Bob_Smith" class="mention">@Bob_Smith</a>' in html
    assert '<a href="/members/Dee-Dee" class="mention">@Dee-Dee</a>' in html
    assert "and @nobody" in html
    assert len(tags(html, "a")) == 3
    assert all("rel" not in a for a in tags(html, "a"))


def test_a_mention_next_to_a_link_with_the_same_text_leaves_the_link_alone():
    html = render_markdown("@alice, see [@alice](https://example.org/alice)", known)
    assert [a["href"] for a in tags(html, "a")] == ["/members/Alice", "https://example.org/alice"]
    assert html.count('class="mention"') == 1


def test_mentions_stay_text_without_a_lookup():
    assert render_markdown("hi @alice") == "<p>hi @alice</p>\n"


def test_mentions_are_looked_up_once_with_folded_candidates():
    calls = []

    def spy(asked):
        calls.append(asked)
        return known(asked)

    render_markdown("@Alice @alice\n\n- @Bob_Smith\n- @ghost", spy)
    assert calls == [{"alice", "bob_smith", "ghost"}]


def test_no_lookup_when_nothing_looks_like_a_mention():
    calls = []
    render_markdown("write to a@alice.org", lambda asked: calls.append(asked) or {})
    assert calls == []


@pytest.mark.parametrize("source", [
    "`@alice`",
    "```\n@alice\n```",
    "    @alice",
    "[@alice](https://example.org)",
    "mail alice@alice.org",
    "plain a@alice.org",
    "https://social.example/@alice",
    "@al",
    "@" + "a" * 31,
    "@alice@example.org",
    "dee-@alice",
])
def test_mentions_are_not_found_in_code_links_emails_or_wrong_lengths(source):
    html = render_markdown(source, lambda asked: {h: h for h in asked} | known(asked))
    assert "mention" not in html


def test_excerpt_of_short_text_is_the_text_without_tags():
    html = render_markdown("**Baclofen** &amp; stretching\n\n- helps  at   night")
    assert plain_text_excerpt(html) == "Baclofen & stretching helps at night"


def test_excerpt_cuts_at_a_word_boundary():
    html = render_markdown("stretching every morning helps my calves")
    assert plain_text_excerpt(html, 20) == "stretching every…"
    assert plain_text_excerpt(html, 25) == "stretching every morning…"
    assert len(plain_text_excerpt(html, 25)) <= 25


def test_excerpt_cuts_a_single_long_word_hard():
    assert plain_text_excerpt("<p>" + "x" * 50 + "</p>", 10) == "x" * 9 + "…"
