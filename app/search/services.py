"""Searching threads and posts: one service over either engine, inside the forum's visibility rules.

Nothing here stores or logs what was searched: the text lives in this request's memory only, goes to
the database as bound parameters of one read, and a database failure is reported without them.
"""
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload
from werkzeug.exceptions import ServiceUnavailable

from app.core.pagination import decode_cursor, encode_cursor
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.forum.models import Post, PostStatus, Thread, thread_tags
from app.forum.services import is_moderator, mark_readable, visible_to
from app.members.models import Member
from app.search.engines import MARK_END, MARK_START, current_engine
from app.search.models import SearchDocument, document_select
from app.search.query import SearchQuery, Vocabulary, parse
from app.vocabulary.models import Tag

log = logging.getLogger(__name__)

KINDS = ("threads", "posts")
SORTS = ("relevance", "new")
GONE = (PostStatus.removed, PostStatus.deleted)


@dataclass
class SearchHit:
    """A thread found (post None: its title, tags or opening post matched) or a reply found in it."""
    thread: Thread
    post: Post | None
    excerpt_html: Markup
    score: float


@dataclass
class SearchResults:
    items: list[SearchHit]
    next_cursor: str | None
    suggestions: list[str]
    tags: list[Tag] = field(default_factory=list)


def findable(viewer: Member | None) -> sa.ColumnElement:
    """What a viewer may find: exactly what the thread and post pages let them read.

    A post is found when get_post would show it and mark_readable lets its words be read (hidden posts:
    their author and moderators; removed and deleted ones: nobody, and their words are blank in the
    index). An opening post stands for its thread, so it follows the thread lists' rule as well.
    """
    if is_moderator(viewer):
        words = sa.true()
    elif viewer is None:
        words = Post.status != PostStatus.hidden
    else:
        words = sa.or_(Post.status != PostStatus.hidden, Post.author_id == viewer.id)
    return sa.and_(
        visible_to(Post, viewer), visible_to(Thread, viewer), words,
        sa.or_(Post.parent_id.is_not(None), visible_to(Thread, viewer, listed=True)),
        sa.or_(Post.parent_id.is_(None), Post.status.not_in(GONE)),
    )


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.utc)


def search(viewer: Member | None, text: str, tags: list[Tag] = (), kind: str | None = None,
           sort: str = "relevance", since: date | None = None, until: date | None = None,
           limit: int = 20, cursor: str | None = None) -> SearchResults:
    """Threads and posts matching every word of `text` (each widened by the vocabulary), best or newest first.

    Several tags: threads carrying all of them. A fixed number of queries whatever the results:
    the vocabulary, the search, the excerpts, the threads with their tags, the posts.
    """
    query = parse(text, Vocabulary.load())
    engine = current_engine()
    ranked = engine.ranked(query.terms, _threads_tagged(tags) if tags else None)
    by_score = sort == "relevance"
    after = decode_cursor(cursor, (float, int) if by_score else (datetime, int)) if cursor else None

    def page_over(candidates, order):
        """The page: candidates joined to their posts and threads, kept if findable and within the filters."""
        columns = [candidates.c.post_id, Post.thread_id, Post.parent_id, Post.created_at, candidates.c.score]
        if isinstance(candidates, sa.CTE):
            columns.append(sa.select(sa.func.count()).select_from(candidates).scalar_subquery().label("matches"))
        page = (sa.select(*columns).select_from(candidates).join(Post, Post.id == candidates.c.post_id)
                .join(Thread, Thread.id == Post.thread_id).where(findable(viewer)))
        page = _filtered(page, kind, since, until)
        if after is not None and not by_score:
            page = page.where(_after(order, candidates.c.post_id, after))
        return page.order_by(order.desc(), candidates.c.post_id.desc()).limit(limit + 1)

    if by_score:
        # Rank in the index alone, then join only the best few to check who may read them; only when the
        # filters or visibility leave fewer than a page of those is everything after the cursor joined.
        candidates = sa.select(ranked.c.post_id, ranked.c.score)
        if after is not None:
            candidates = candidates.where(_after(ranked.c.score, ranked.c.post_id, after))
        top_size = max(TOP_CANDIDATES, (limit + 1) * 4)
        # One candidate more than are looked at says whether any were left out (a CTE: ranked once).
        best = (candidates.order_by(ranked.c.score.desc(), ranked.c.post_id.desc()).limit(top_size + 1)
                .cte("best"))
        rows = _run(lambda: db.session.execute(page_over(best, best.c.score)).all())
        if len(rows) <= limit and (not rows or rows[0].matches > top_size):
            every = candidates.subquery("every")
            rows = _run(lambda: db.session.execute(page_over(every, every.c.score)).all())
    else:
        rows = _run(lambda: db.session.execute(page_over(ranked, Post.created_at)).all())
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(float(last.score) if by_score else last.created_at, last.post_id)
    return SearchResults(_hits(rows, query, engine, viewer), next_cursor, query.suggestions, query.tags)


TOP_CANDIDATES = 100


def _after(order, post_id, after: tuple):
    """Keyset: what comes after the cursor's (order value, post id) in descending order."""
    value, last_id = after
    return sa.or_(order < value, sa.and_(order == value, post_id < last_id))


def _threads_tagged(tags: list[Tag]) -> sa.Select:
    """Threads carrying every one of these tags (the engine narrows its matches to them before ranking)."""
    return (sa.select(thread_tags.c.thread_id).where(thread_tags.c.tag_id.in_([t.id for t in tags]))
            .group_by(thread_tags.c.thread_id).having(sa.func.count() == len({t.id for t in tags})))


def _filtered(page, kind: str | None, since: date | None, until: date | None):
    if kind == "threads":
        page = page.where(Post.parent_id.is_(None))
    elif kind == "posts":
        page = page.where(Post.parent_id.is_not(None))
    if since is not None:
        page = page.where(Post.created_at >= _start_of(since))
    if until is not None:
        page = page.where(Post.created_at < _start_of(until + timedelta(days=1)))
    return page


def _run(read: Callable):
    """The read, or a 503 whose log line carries no statement parameters (they hold the search)."""
    try:
        return read()
    except sa.exc.DBAPIError as error:
        db.session.rollback()
        log.error("A search failed in the database (%s); its words are not logged.", type(error.orig).__name__)
        raise ServiceUnavailable("Search is not available right now. Please try again in a moment.") from None


def _hits(rows, query: SearchQuery, engine, viewer: Member | None) -> list[SearchHit]:
    if not rows:
        return []
    ids = [row.post_id for row in rows]
    excerpts = _run(lambda: engine.excerpts(query.terms, ids))
    threads = {t.id: t for t in db.session.scalars(
        sa.select(Thread).options(selectinload(Thread.tags)).where(Thread.id.in_({row.thread_id for row in rows})))}
    reply_ids = [row.post_id for row in rows if row.parent_id is not None]
    posts = {p.id: p for p in db.session.scalars(sa.select(Post).where(Post.id.in_(reply_ids)))} if reply_ids else {}
    mark_readable(posts.values(), viewer)
    hits = []
    for row in rows:
        post = posts.get(row.post_id)
        if row.parent_id is not None and (post is None or not post.readable):
            continue  # the SQL already kept it out; the forum's own rule has the last word
        hits.append(SearchHit(threads[row.thread_id], post, excerpt_html(excerpts.get(row.post_id, "")),
                              float(row.score or 0.0)))
    return hits


# Markdown's own marks, which read as noise in a one-line excerpt.
MARKDOWN_NOISE = re.compile(r"[*_`#~]+|\[|\]\([^)\s]*\)|\]")


def excerpt_html(marked: str) -> Markup:
    """An excerpt as HTML: every character of the text escaped, then only the engine's marks made <mark>."""
    pieces = re.split(f"([{MARK_START}{MARK_END}])", " ".join(marked.split()))
    html, open_mark = [], False
    for piece in pieces:
        if piece == MARK_START:
            if not open_mark:
                html.append("<mark>")
            open_mark = True
        elif piece == MARK_END:
            if open_mark:
                html.append("</mark>")
            open_mark = False
        else:
            html.append(str(escape(MARKDOWN_NOISE.sub("", piece))))
    if open_mark:
        html.append("</mark>")
    return Markup("".join(html))


# --- the index ---------------------------------------------------------------------

REINDEX_BATCH = 20_000


def reindex(progress: Callable[[int, int], None] = lambda done, total: None) -> dict:
    """Rebuilds every document from the posts, then the engine's index; one transaction.

    `progress(done, total)` after each batch of posts. Returns {"documents", "engine", "bytes"}.
    """
    engine = current_engine()
    dialect = engine.name
    first, last = db.session.execute(sa.select(sa.func.min(Post.id), sa.func.max(Post.id))).one()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Post))
    with unit_of_work():
        db.session.execute(sa.delete(SearchDocument))
        insert = sa.text("INSERT INTO search_documents (post_id, thread_id, opening, title, tags, body) "
                         + document_select(dialect, "p", ", posts p") + " AND p.id >= :low AND p.id < :high")
        done = 0
        low = first or 0
        while first is not None and low <= last:
            done += db.session.execute(insert, {"low": low, "high": low + REINDEX_BATCH}).rowcount
            low += REINDEX_BATCH
            progress(done, total)
        engine.reindex()
    return {"documents": done, "engine": dialect, "bytes": engine.size_bytes()}
