"""Screening for moderation: what a new or edited post's words and author mean for it.

The text itself is checked by the pure functions of app/core/screening.py
against the watched words, read here in one query: the title as written and
the body as readers see it (its rendered HTML as text), both normalized. Pre-moderation then
decides whether the post waits for a moderator, and `record_verdict` opens
the queue item and tells the author why, in the post's own transaction.
`ModerationScreen` offers all this to the forum, which registers nothing
itself: the moderation feature registers it at start-up.
"""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core.db import utcnow
from app.core.screening import (Screening, external_links, links_in_text, screen_text, text_as_read,
                                title_as_read)
from app.extensions import db
from app.forum.models import Post, PostStatus
from app.forum.screening import Hold, PostScreen, Verdict
from app.members.models import Member
from app.moderation.models import QueueKind, WatchedWord
from app.moderation.queue.services import open_item
from app.moderation.screening import data
from app.notifications.models import NotificationKind
from app.notifications.services import notify

WORD_REASON = "It contains words that moderators read before a post is shown."


def watched_words() -> list[tuple]:
    return db.session.execute(sa.select(WatchedWord.pattern, WatchedWord.is_regex, WatchedWord.action)
                              .order_by(WatchedWord.id)).all()


class ModerationScreen(PostScreen):
    """The forum's screen once moderation is installed: watched words, pre-moderation, crisis handling."""

    def screen(self, writer: Member, source: str | None, html: str | None, earlier: Post | None = None,
               moderating: bool = False, title: str | None = None, earlier_title: str | None = None) -> Verdict:
        texts, before = {}, {}
        if title is not None:
            texts["title"] = title_as_read(title)
            if earlier_title is not None:
                before["title"] = title_as_read(earlier_title)
        if html is not None:
            texts["body"] = text_as_read(html)
            if earlier is not None:
                before["body"] = text_as_read(earlier.body_html)
        found = screen_text(watched_words(), texts, before)
        if moderating:
            # A moderator's change to someone else's words is itself moderation: only block words count.
            return Verdict(found=found)
        new_links = (external_links(html) - external_links(earlier.body_html if earlier is not None else None)
                     if html is not None else set())
        if title is not None:
            new_links |= links_in_text(title) - links_in_text(earlier_title)
        editing = earlier is not None or earlier_title is not None
        return premoderate(writer, found, new_links, editing)

    def record(self, post: Post, verdict: Verdict, edited: bool = False) -> str | None:
        return record_verdict(post, verdict, edited)

    def support_text(self) -> str:
        return support_text()


# --- pre-moderation ------------------------------------------------------------------

def _is_new_member(author: Member) -> bool:
    first_posts = current_app.config["HOLD_FIRST_POSTS"]
    if first_posts <= 0:
        return False
    published = db.session.scalar(sa.select(sa.func.count(Post.id)).where(
        Post.author_id == author.id, Post.status == PostStatus.published))
    return published < first_posts


def _first_posts_hold() -> Hold:
    count = current_app.config["HOLD_FIRST_POSTS"]
    cause = "First post of a new member" if count == 1 else f"One of the first {count} posts of a new member"
    return Hold(cause, "A moderator reads the first posts of every new member before they are shown.")


def _joined_ago(author: Member) -> str:
    hours = int((utcnow() - author.joined_at).total_seconds() // 3600)
    if hours < 1:
        return "less than an hour ago"
    return "1 hour ago" if hours == 1 else f"{hours} hours ago"


def premoderate(author: Member, found: Screening, new_links: set[str], editing: bool = False) -> Verdict:
    """Whether a post waits for a moderator, and why; its crisis words. `new_links` are the links out of
    Thaw the title and body bring (all of them for a new post, the added ones for an edit).

    Moderators are never held. Crisis words never hold a post: they make an urgent queue item.
    """
    verdict = Verdict(found=found, crisis=list(found.crisis))
    if author.is_moderator:
        return verdict
    if not editing and _is_new_member(author):
        verdict.holds.append(_first_posts_hold())
    young = utcnow() - author.joined_at < timedelta(hours=current_app.config["NEW_MEMBER_LINK_HOURS"])
    if young and new_links:
        verdict.holds.append(Hold(f"Link from a member who joined {_joined_ago(author)}",
                                  "Links from accounts less than a day old are checked first, to keep spam out."))
    for match in found.review:
        where = " in the title" if match.field == "title" else ""
        verdict.holds.append(Hold(f"Matched watched word “{match.pattern}”{where}", WORD_REASON))
    for pattern in found.too_slow:
        verdict.holds.append(Hold(f"Watched word “{pattern}” took too long to check", WORD_REASON))
    return verdict


def support_text() -> str:
    """CRISIS_SUPPORT_TEXT, or the shipped text; "\\n" typed in a one-line environment variable is a new line."""
    configured = (current_app.config.get("CRISIS_SUPPORT_TEXT") or "").replace("\\n", "\n").strip()
    return configured or data.CRISIS_SUPPORT_TEXT


def _held_message(post: Post, edited: bool) -> str:
    title = post.thread.title
    if edited:
        return f"Your edited post in “{title}” is waiting for a moderator."
    if post.parent_id is None:
        return f"Your new thread “{title}” is waiting for a moderator."
    return f"Your reply in “{title}” is waiting for a moderator."


def record_verdict(post: Post, verdict: Verdict, edited: bool = False) -> str | None:
    """Opens the post's queue item and tells its author why it waits, in the caller's transaction.

    Returns the crisis support text for the author when the post has crisis words, else None.
    """
    held = "; ".join(hold.cause for hold in verdict.holds)
    if verdict.crisis:
        cause = "Crisis words " + ", ".join(
            f"“{m.pattern}”" + (" in the title" if m.field == "title" else "") for m in verdict.crisis)
        open_item(post, QueueKind.crisis, cause + (f". Also held: {held}" if held else ""), urgent=True)
    elif verdict.holds:
        open_item(post, QueueKind.pending_post, held)
    if verdict.holds:
        reasons = " ".join(dict.fromkeys(hold.reason for hold in verdict.holds))
        notify(post.author, NotificationKind.post_held, _held_message(post, edited),
               f"{reasons} A moderator will look at it soon; until then only you and the moderators can see it.",
               post_id=post.id, thread_id=post.thread_id)
    return support_text() if verdict.crisis else None
