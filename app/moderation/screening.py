"""What a post says that moderation cares about, checked as the post is written.

Watched words run on the Markdown source: a plain word or phrase matches whole
words ignoring case, a regular expression is used as written. Admins write the
expressions, and one that backtracks badly would stall every post, so they run
under the `regex` package's timeout within a budget per post; a pattern that
runs out of time holds the post for a moderator rather than letting it through.

Pre-moderation then decides whether a new post waits for a moderator, and
`record_verdict` opens the queue item and tells the author why, in the post's
own transaction.
"""
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

import regex
import sqlalchemy as sa
from flask import current_app

from app.core.db import utcnow
from app.extensions import db
from app.forum.models import Post, PostStatus
from app.members.models import Member
from app.moderation import data
from app.moderation.models import QueueKind, WatchedAction, WatchedWord
from app.moderation.queue import open_item
from app.notifications.models import NotificationKind
from app.notifications.services import notify

log = logging.getLogger(__name__)

# Seconds one regular expression may spend on one post, and all of them together.
PATTERN_TIMEOUT = 0.05
POST_BUDGET = 0.25

PERSONAL_DETAILS_QUESTION = ("Your post seems to include an email address or phone number. "
                             "Anyone can read it. Post it anyway?")
WORD_REASON = "It contains words that moderators read before a post is shown."


# --- matching watched words ---------------------------------------------------------

def plain_word_pattern(words: str) -> str:
    """Whole words ignoring case; spaces and hyphens between words are interchangeable, as are apostrophes."""
    parts = [re.escape(part.replace("’", "'")).replace("'", "['’]")
             for part in re.split(r"[\s\-]+", words) if part]
    return r"(?<!\w)" + r"[\s\-]+".join(parts) + r"(?!\w)"


@lru_cache(maxsize=2048)
def compiled(pattern: str, is_regex: bool):
    """The compiled pattern; raises regex.error for an expression that does not compile."""
    if is_regex:
        return regex.compile(pattern)
    return re.compile(plain_word_pattern(pattern), re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    pattern: str   # as the admin wrote it, for moderators
    text: str      # what the author wrote, for the author


@dataclass
class Screening:
    blocked: list[Match] = field(default_factory=list)
    review: list[Match] = field(default_factory=list)
    crisis: list[Match] = field(default_factory=list)
    too_slow: list[str] = field(default_factory=list)
    personal_details: set[str] = field(default_factory=set)


def watched_words() -> list[tuple[str, bool, WatchedAction]]:
    return db.session.execute(sa.select(WatchedWord.pattern, WatchedWord.is_regex, WatchedWord.action)
                              .order_by(WatchedWord.id)).all()


def _match_words(words, text: str) -> Screening:
    found = Screening()
    lists = {WatchedAction.block: found.blocked, WatchedAction.review: found.review,
             WatchedAction.crisis: found.crisis}
    deadline = time.monotonic() + POST_BUDGET
    for pattern, is_regex, action in words:
        try:
            matcher = compiled(pattern, is_regex)
        except regex.error:
            log.error("watched word %r does not compile; skipped", pattern)
            continue
        if is_regex:
            left = deadline - time.monotonic()
            try:
                if left <= 0:
                    raise TimeoutError
                hit = matcher.search(text, timeout=min(PATTERN_TIMEOUT, left))
            except TimeoutError:
                log.warning("watched word %r ran out of time on a post", pattern)
                found.too_slow.append(pattern)
                continue
        else:
            hit = matcher.search(text)
        if hit is not None:
            lists[action].append(Match(pattern, hit.group(0)[:60]))
    return found


def screen_text(source: str, earlier: str | None = None) -> Screening:
    """What the text holds, in one query for the watched words however many there are.

    With `earlier` (an edit's previous text), review and crisis words and personal details count
    only when the edit brings them; block words count wherever they are.
    """
    words = watched_words()
    found = _match_words(words, source)
    found.personal_details = personal_details(source)
    if earlier is not None:
        before = _match_words(words, earlier)
        old = {m.pattern for m in before.review + before.crisis}
        found.review = [m for m in found.review if m.pattern not in old]
        found.crisis = [m for m in found.crisis if m.pattern not in old]
        found.personal_details -= personal_details(earlier)
    return found


def refusals(found: Screening, confirmed_personal_details: bool) -> dict[str, list[str]]:
    """Field errors that stop the post: block words, and personal details not yet confirmed."""
    errors: dict[str, list[str]] = {}
    if found.blocked:
        quoted = " and ".join(dict.fromkeys(f"“{m.text}”" for m in found.blocked))
        verb = "isn't" if len(found.blocked) == 1 else "aren't"
        errors["body"] = [(f"Your post contains {quoted}, which {verb} allowed here. "
                           "Please change it and post again.")]
    if found.personal_details and not confirmed_personal_details:
        errors["confirm_personal_details"] = [PERSONAL_DETAILS_QUESTION]
    return errors


# --- personal details ----------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}(?![\w\-])")
# A run of digits with the separators phone numbers use. Bounded, so no post can make it slow;
# never inside a word, a link, a time (10:30) or a decimal (2.5), nor next to a unit (10mg, 3x).
_NUMBER_RUN = re.compile(r"(?<![\w/:,.+=?&#%@\-])\+?\(?\d[\d ().\-]{3,28}\d(?![\w/:%@\-]|[.,]\d)")
_DIGITS = re.compile(r"\d+")


def _pieces(run: str):
    """Splits a run of digits where a separator is not one a phone number would use ("1998 - 2004")."""
    groups, seps = [], []
    last = None
    for digits in _DIGITS.finditer(run):
        if last is not None:
            sep = run[last.end():digits.start()]
            core = sep.replace("(", "").replace(")", "")
            if len(core) > 1 or (core == "" and sep == ""):
                yield groups, seps
                groups, seps = [], []
            else:
                seps.append(core)
        groups.append(digits.group())
        last = digits
    yield groups, seps


def _is_phone(groups: list[str], seps: list[str], international: bool) -> bool:
    digits = "".join(groups)
    if not 7 <= len(digits) <= 15:
        return False
    international = international or digits.startswith("00")
    if len(groups) == 1:
        # "+33612345678", or a national number written without spaces ("07700900123").
        return international or (digits[0] == "0" and 10 <= len(digits) <= 11)
    if international:
        return True
    sizes = [len(g) for g in groups]
    if len(sizes) == 3 and (sizes[0] == 4 and max(sizes[1:]) <= 2 or max(sizes[:2]) <= 2 and sizes[2] in (2, 4)):
        return False  # a date: 2024-03-15, 15.03.2024, 15 03 2024
    if all(len(g) == 4 and g[:2] in ("19", "20") for g in groups):
        return False  # years: 1998-2004
    if "." in seps and (len(groups) == 2 or (len(groups) == 4 and max(sizes) <= 3)):
        return False  # a decimal or an IP address
    if groups[0][0] != "0" and sizes[0] <= 2 and all(s == 3 for s in sizes[1:]):
        return False  # thousands: 1 000 000
    if all(g.endswith("0") and not g.startswith("0") for g in groups):
        return False  # round quantities: 100 200 300
    if max(sizes) <= 2:
        return digits[0] == "0" and len(groups) >= 4  # "06 12 34 56 78", not "5 10 15 20 25"
    return True


def personal_details(text: str) -> set[str]:
    """Email addresses (lower case) and phone numbers (digits only) that the text seems to hold."""
    found = {m.group().lower() for m in _EMAIL.finditer(text)}
    for run in _NUMBER_RUN.finditer(text):
        international = run.group().startswith("+")
        for groups, seps in _pieces(run.group()):
            if _is_phone(groups, seps, international):
                found.add("".join(groups))
            international = False
    return found


# --- links ---------------------------------------------------------------------------

_ANCHOR_HREF = re.compile(r'<a\s[^>]*?href="([^"]*)"')
_ABSOLUTE = re.compile(r"^(?:[a-z][a-z0-9+.\-]*:|//)", re.IGNORECASE)


def external_links(html: str | None) -> set[str]:
    """Links out of Thaw in rendered post HTML; mentions and links within the site do not count."""
    return {href for href in _ANCHOR_HREF.findall(html or "") if _ABSOLUTE.match(href)}


# --- pre-moderation ------------------------------------------------------------------

@dataclass(frozen=True)
class Hold:
    cause: str    # for the moderator, in the queue
    reason: str   # for the author, in the notification


@dataclass
class Verdict:
    holds: list[Hold] = field(default_factory=list)
    crisis: list[Match] = field(default_factory=list)

    @property
    def status(self) -> PostStatus:
        return PostStatus.pending_review if self.holds else PostStatus.published


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


def premoderate(author: Member, found: Screening, html: str, earlier_html: str | None = None) -> Verdict:
    """Whether a post waits for a moderator, and why; its crisis words. `earlier_html` marks an edit.

    Moderators are never held. Crisis words never hold a post: they make an urgent queue item.
    """
    verdict = Verdict(crisis=list(found.crisis))
    if author.is_moderator:
        return verdict
    editing = earlier_html is not None
    if not editing and _is_new_member(author):
        verdict.holds.append(_first_posts_hold())
    young = utcnow() - author.joined_at < timedelta(hours=current_app.config["NEW_MEMBER_LINK_HOURS"])
    if young and external_links(html) - external_links(earlier_html):
        verdict.holds.append(Hold(f"Link from a member who joined {_joined_ago(author)}",
                                  "Links from accounts less than a day old are checked first, to keep spam out."))
    for match in found.review:
        verdict.holds.append(Hold(f"Matched watched word “{match.pattern}”", WORD_REASON))
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


def record_verdict(post: Post, verdict: Verdict, edited: bool = False) -> None:
    """Opens the post's queue item and tells its author why it waits, in the caller's transaction.

    Sets `post.support`: the crisis support text for the author when the post has crisis words, else None.
    """
    held = "; ".join(hold.cause for hold in verdict.holds)
    if verdict.crisis:
        cause = "Crisis words " + ", ".join(f"“{m.pattern}”" for m in verdict.crisis)
        open_item(post, QueueKind.crisis, cause + (f". Also held: {held}" if held else ""), urgent=True)
    elif verdict.holds:
        open_item(post, QueueKind.pending_post, held)
    if verdict.holds:
        reasons = " ".join(dict.fromkeys(hold.reason for hold in verdict.holds))
        notify(post.author, NotificationKind.post_held, _held_message(post, edited),
               f"{reasons} A moderator will look at it soon; until then only you and the moderators can see it.",
               post_id=post.id, thread_id=post.thread_id)
    post.support = support_text() if verdict.crisis else None
