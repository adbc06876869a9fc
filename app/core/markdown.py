"""Markdown for posts: CommonMark in, HTML that is safe to store and show out.

The renderer never lets typed HTML through, and bleach then checks what the
renderer made against an allow-list, so a bug in either one alone does not
open a hole.
"""
import re
from html import unescape
from collections.abc import Callable, Iterator

import bleach
from bleach import html5lib_shim
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

USER_LINK_REL = "nofollow ugc noopener"

# Post headings sit below the page's own h1/h2; shifting by two keeps the
# writer's hierarchy. <del> is the element the allow-list knows for strikethrough.
_RETAG = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "s": "del"}

# Same alphabet and length as registration. The look-behind keeps e-mail
# addresses (a@b.org) and words like "x-@y" from reading as mentions.
_MENTION = re.compile(r"(?<![\w@-])@([A-Za-z0-9_-]{3,30})(?![\w@-])")


def _image_as_link(self, tokens, idx, options, env) -> str:
    # Embedding a stranger's image would tell its host who reads the thread
    # and when; a link lets each reader decide.
    token = tokens[idx]
    alt = escapeHtml(self.renderInlineAsText(token.children, options, env))
    src = token.attrGet("src") or ""
    if token.meta.get("in_link") or not src.lower().startswith(("http://", "https://")):
        return alt  # an <a> inside an <a> is invalid, and other schemes are not worth a link
    return f'<a href="{escapeHtml(src)}">{alt or escapeHtml(src)}</a>'


# Bare URLs become links (linkify) because members paste addresses rather
# than write [text](url); doing it here, not in bleach, means the mention pass
# sees them as links and leaves "https://example.social/@bob" alone.
_md = MarkdownIt("commonmark", {"html": False, "linkify": True}).enable(
    ["strikethrough", "table", "linkify"]
)
# Only addresses with a scheme or "www." become links: "config.py" or "e.g." are not domains to members.
_md.linkify.set({"fuzzy_link": False})
_md.add_render_rule("image", _image_as_link)


def _allowed_link_attribute(tag: str, name: str, value: str) -> bool:
    # "class" is how templates tell a mention from a link a member typed.
    return name in ("href", "title", "rel") or (name == "class" and value == "mention")


class _UserLinkRel(html5lib_shim.Filter):
    """Marks links written by members so search engines do not credit them."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                attrs = token["data"]
                if attrs.get((None, "class")) != "mention":
                    attrs[(None, "rel")] = USER_LINK_REL
            yield token


_cleaner = bleach.Cleaner(
    tags={
        "p", "br", "strong", "em", "del", "code", "pre", "blockquote", "ul", "ol", "li",
        "a", "h3", "h4", "h5", "h6", "hr", "table", "thead", "tbody", "tr", "th", "td",
    },
    attributes={"a": _allowed_link_attribute, "ol": ["start"]},
    protocols={"http", "https", "mailto"},
    # Anything unexpected comes from the renderer, not the member (whose HTML
    # is already escaped), so dropping the tag and keeping its text is kinder.
    strip=True,
    filters=[_UserLinkRel],
)
_text_only = bleach.Cleaner(tags=set(), strip=True)


def _with_link_depth(children: list[Token]) -> Iterator[tuple[Token, int]]:
    depth = 0
    for child in children:
        depth += child.type == "link_open"
        yield child, depth
        depth -= child.type == "link_close"


def _adjust(tokens: list[Token]) -> None:
    for token in tokens:
        token.tag = _RETAG.get(token.tag, token.tag)
        for child, depth in _with_link_depth(token.children or []):
            child.tag = _RETAG.get(child.tag, child.tag)
            if child.type == "image":
                child.meta["in_link"] = depth > 0


def _mention_candidates(tokens: list[Token]) -> Iterator[tuple[Token, Token]]:
    """Text a mention may live in: inline text outside links (code is never "text")."""
    for token in tokens:
        for child, depth in _with_link_depth(token.children or []):
            if depth == 0 and child.type == "text":
                yield token, child


def _split_mentions(text: Token, canonical: dict[str, str]) -> list[Token]:
    pieces: list[Token] = []
    start = 0
    for match in _MENTION.finditer(text.content):
        handle = canonical.get(match[1].casefold())
        if handle is None:
            continue
        pieces += [
            Token("text", "", 0, content=text.content[start:match.start()]),
            Token("link_open", "a", 1, attrs={"href": f"/members/{handle}", "class": "mention"}),
            Token("text", "", 0, content="@" + handle),
            Token("link_close", "a", -1),
        ]
        start = match.end()
    if not pieces:
        return [text]
    return pieces + [Token("text", "", 0, content=text.content[start:])]


def _link_mentions(tokens: list[Token], known_handles: Callable[[set[str]], dict[str, str]]) -> None:
    places = list(_mention_candidates(tokens))
    wanted = {m[1].casefold() for _, text in places for m in _MENTION.finditer(text.content)}
    # One lookup per post, however many mentions it holds.
    canonical = known_handles(wanted) if wanted else {}
    if not canonical:
        return
    free = {id(text) for _, text in places}
    for inline in {id(inline): inline for inline, _ in places}.values():
        inline.children = [
            piece for child in inline.children
            for piece in (_split_mentions(child, canonical) if id(child) in free else [child])
        ]


def render_markdown(
    source: str, known_handles: Callable[[set[str]], dict[str, str]] | None = None
) -> str:
    """Safe HTML for a post body.

    known_handles takes case-folded handles and answers {folded: handle} for
    the members that exist; only those mentions become links.
    """
    tokens = _md.parse(source)
    _adjust(tokens)
    if known_handles is not None:
        _link_mentions(tokens, known_handles)
    return _cleaner.clean(_md.renderer.render(tokens, _md.options, {}))


def plain_text_excerpt(html: str, length: int = 200) -> str:
    """Plain text (not HTML: templates escape it) of at most `length` characters."""
    text = " ".join(unescape(_text_only.clean(html)).split())
    if len(text) <= length:
        return text
    room = max(length - 1, 1)  # leave room for the ellipsis
    head = text[:room + 1]  # one more, to see whether a word ends exactly at the cut
    cut = head.rsplit(" ", 1)[0] if " " in head else text[:room]
    return cut.rstrip(" ,;:") + "…"
