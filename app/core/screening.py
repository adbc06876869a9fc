"""What a text holds that moderation cares about: pure functions, no database, no app.

Watched words: a plain word or phrase matches whole words ignoring case, a
regular expression is used as written. Admins write the expressions, and one
that backtracks badly would stall every post, so they run under the `regex`
package's timeout within a budget per text; a pattern that runs out of time is
reported, and the caller holds the post for a moderator rather than letting it
through. Also: personal details (email addresses, phone numbers) and links out
of the site.

The forum calls these while a post is written; the moderation feature decides
what the findings mean (app/moderation/screening).
"""
import logging
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache

import regex

log = logging.getLogger(__name__)

# Seconds one regular expression may spend on one text, and all of them together.
PATTERN_TIMEOUT = 0.05
TEXT_BUDGET = 0.25

PERSONAL_DETAILS_QUESTION = ("Your post seems to include an email address or phone number. "
                             "Anyone can read it. Post it anyway?")

# A watched word as the matcher needs it: (pattern, is_regex, action), action being "block", "review" or "crisis".
WatchedWordRow = tuple[str, bool, str]


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


def match_words(words: list[WatchedWordRow], text: str) -> Screening:
    found = Screening()
    lists = {"block": found.blocked, "review": found.review, "crisis": found.crisis}
    deadline = time.monotonic() + TEXT_BUDGET
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
            lists[getattr(action, "value", action)].append(Match(pattern, hit.group(0)[:60]))
    return found


def screen_text(words: list[WatchedWordRow], source: str, earlier: str | None = None) -> Screening:
    """What the text holds, checked against the given watched words.

    With `earlier` (an edit's previous text), review and crisis words and personal details count
    only when the edit brings them; block words count wherever they are.
    """
    found = match_words(words, source)
    found.personal_details = personal_details(source)
    if earlier is not None:
        before = match_words(words, earlier)
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
