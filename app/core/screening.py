"""What a text holds that moderation cares about: pure functions, no database, no app.

Screening reads what readers see, never the Markdown source: a post's rendered
HTML becomes plain text (`text_as_read`), and every text is normalized before
matching (`normalized`: NFKC, case-folded, invisible characters dropped, dashes
unified), so `zz&#98;lockword`, `zz*block*word`, zero-width characters and
fullwidth letters read as the word they show.

Watched words: a plain word or phrase matches whole words ignoring case, a
regular expression is used as written, against the normalized (case-folded) text,
ignoring case. Admins write the expressions, and one
that backtracks badly would stall every post, so they run under the `regex`
package's timeout within a budget per text; a pattern that runs out of time is
reported, and the caller holds the post for a moderator rather than letting it
through. Also: personal details (email addresses, phone numbers) and links out
of the site.

The forum calls these while a post is written; the moderation feature decides
what the findings mean (app/moderation/screening).
"""
import html as html_entities
import logging
import re
import time
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import regex
from linkify_it import LinkifyIt

log = logging.getLogger(__name__)

# Seconds one regular expression may spend on one text, and all of them together.
PATTERN_TIMEOUT = 0.05
TEXT_BUDGET = 0.25

PERSONAL_DETAILS_QUESTION = ("Your post seems to include an email address or phone number. "
                             "Anyone can read it. Post it anyway?")

# A watched word as the matcher needs it: (pattern, is_regex, action), action being "block", "review" or "crisis".
WatchedWordRow = tuple[str, bool, str]


# --- what readers see -----------------------------------------------------------------

# Elements after which readers see a break: "end my</p><p>life" still reads as two words.
_BREAKING_TAG = re.compile(r"</?(?:p|br|li|ul|ol|blockquote|pre|h[1-6]|hr|tr|td|th|table|thead|tbody)\b[^>]*>",
                           re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]*>")


def text_as_read(html: str | None) -> str:
    """The plain text readers see of rendered, sanitized post HTML: tags stripped (block ends become
    breaks), entities decoded once, as a browser shows them."""
    text = _ANY_TAG.sub("", _BREAKING_TAG.sub("\n", html or ""))
    return html_entities.unescape(text)


# A title is plain text, shown as typed; readers skip over emphasis marks in it as they would in a post.
_TITLE_MARKS = re.compile(r"[*~`]+")


def title_as_read(title: str | None) -> str:
    """A title as readers take it in: emphasis marks ("miracle *cure*") do not split the words."""
    return _TITLE_MARKS.sub("", title or "")


def normalized(text: str) -> str:
    """Text as it is compared: NFKC (fullwidth and other compatibility forms become plain letters),
    case-folded, invisible format characters (zero-width spaces and joiners, soft hyphens, direction
    marks) removed, and every kind of dash written "-"."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = "".join("" if unicodedata.category(c) == "Cf" else "-" if unicodedata.category(c) == "Pd" else c
                   for c in text)
    return unicodedata.normalize("NFKC", text)


# --- matching watched words ---------------------------------------------------------

def plain_word_pattern(words: str) -> str:
    """Whole words ignoring case; spaces, hyphens and underscores between words are interchangeable,
    as are apostrophes."""
    parts = [re.escape(part.replace("’", "'")).replace("'", "['’]")
             for part in re.split(r"[\s\-_]+", normalized(words)) if part]
    return r"(?<!\w)" + r"[\s\-_]+".join(parts) + r"(?!\w)"


@lru_cache(maxsize=2048)
def compiled(pattern: str, is_regex: bool):
    """The compiled pattern; raises regex.error for an expression that does not compile."""
    if is_regex:
        return regex.compile(pattern, regex.IGNORECASE)
    return re.compile(plain_word_pattern(pattern), re.IGNORECASE)


@dataclass(frozen=True)
class Match:
    pattern: str          # as the admin wrote it, for moderators
    text: str             # what the author wrote (normalized), for the author
    field: str = "body"   # where: "title" or "body"


@dataclass
class Screening:
    blocked: list[Match] = field(default_factory=list)
    review: list[Match] = field(default_factory=list)
    crisis: list[Match] = field(default_factory=list)
    too_slow: list[str] = field(default_factory=list)
    # field → email addresses and phone numbers found there
    personal_details: dict[str, set[str]] = field(default_factory=dict)


def match_words(words: list[WatchedWordRow], text: str, where: str = "body",
                found: Screening | None = None) -> Screening:
    """Matches the watched words in `text` (normalized first), adding what it finds to `found`."""
    found = found if found is not None else Screening()
    text = normalized(text)
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
            lists[getattr(action, "value", action)].append(Match(pattern, hit.group(0)[:60], where))
    return found


def screen_text(words: list[WatchedWordRow], texts: dict[str, str],
                earlier: dict[str, str] | None = None) -> Screening:
    """What the texts hold (field → the text as readers see it), checked against the watched words.

    With `earlier` (field → an edit's previous text), review and crisis words and personal details in
    that field count only when the edit brings them; block words count wherever they are.
    """
    found = Screening()
    earlier = earlier or {}
    for where, text in texts.items():
        now = match_words(words, text, where)
        details = personal_details(normalized(text))
        if where in earlier:
            before = match_words(words, earlier[where], where)
            old = {m.pattern for m in before.review + before.crisis}
            now.review = [m for m in now.review if m.pattern not in old]
            now.crisis = [m for m in now.crisis if m.pattern not in old]
            details -= personal_details(normalized(earlier[where]))
        found.blocked += now.blocked
        found.review += now.review
        found.crisis += now.crisis
        found.too_slow += now.too_slow
        if details:
            found.personal_details[where] = details
    return found


TITLE_PERSONAL_DETAILS = ("Titles are shown in every list and notification: leave email addresses and "
                          "phone numbers out of them (the post itself can hold them).")


def refusals(found: Screening, confirmed_personal_details: bool) -> dict[str, list[str]]:
    """Field errors that stop the post: block words (naming the title or the body), personal details in
    a title, and personal details in a body not yet confirmed."""
    errors: dict[str, list[str]] = {}
    for where, noun in (("title", "title"), ("body", "post")):
        blocked = [m for m in found.blocked if m.field == where]
        if blocked:
            quoted = " and ".join(dict.fromkeys(f"“{m.text}”" for m in blocked))
            verb = "isn't" if len(blocked) == 1 else "aren't"
            errors[where] = [(f"Your {noun} contains {quoted}, which {verb} allowed here. "
                              "Please change it and post again.")]
    if found.personal_details.get("title"):
        errors.setdefault("title", []).append(TITLE_PERSONAL_DETAILS)
    if found.personal_details.get("body") and not confirmed_personal_details:
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


# The addresses a post body would make links of (a scheme or "www."), found the same way in plain text.
_linkify = LinkifyIt().set({"fuzzy_link": False})


def links_in_text(text: str | None) -> set[str]:
    """Addresses in plain text such as a title, as the body's Markdown would link them."""
    text = normalized(text or "")
    return {m.url for m in (_linkify.match(text) or []) if _ABSOLUTE.match(m.url)}
