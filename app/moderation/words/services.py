"""Watched words: moderators read the list, admins add and remove words. Each change is in the audit log.

The crisis word list is the watched words with the action `crisis`; Thaw ships a default one (data.py).
"""
import regex
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core.errors import Conflict, InvalidInput, NotFound
from app.core.pagination import Page, decode_cursor, page_of
from app.core.schemas import rule_errors
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.members.models import Member
from app.moderation.audit import services as audit
from app.moderation.screening import data
from app.moderation.models import WatchedAction, WatchedWord
from app.moderation.words.schemas import PATTERN_RULE
from app.moderation.rules import require_admin, require_moderator
from app.core.screening import PATTERN_TIMEOUT, compiled

# A pattern is tried on this before it is saved: one that matches it with no text at all would catch every post.
_PROBE = "A sample post: I tried baclofen 10 mg, then stretching. It helped!"

ACTION_LABELS = {
    WatchedAction.block: "Block: the post is refused",
    WatchedAction.review: "Review: the post waits for a moderator",
    WatchedAction.crisis: "Crisis: the post stays up, moderators are alerted and the author sees support",
}


def list_watched_words(viewer: Member | None, action: WatchedAction | None = None) -> list[WatchedWord]:
    """Every watched word, grouped by action then alphabetical, for the admin page."""
    require_moderator(viewer)
    query = sa.select(WatchedWord).order_by(WatchedWord.action, sa.func.lower(WatchedWord.pattern), WatchedWord.id)
    if action is not None:
        query = query.where(WatchedWord.action == action)
    return list(db.session.scalars(query))


def watched_words_page(viewer: Member | None, action: WatchedAction | None = None, limit: int = 20,
                       cursor: str | None = None) -> Page:
    """Watched words, oldest first, by keyset on the id."""
    require_moderator(viewer)
    query = sa.select(WatchedWord).order_by(WatchedWord.id).limit(limit + 1)
    if action is not None:
        query = query.where(WatchedWord.action == action)
    if cursor:
        (after,) = decode_cursor(cursor, (int,))
        query = query.where(WatchedWord.id > after)
    return page_of(list(db.session.scalars(query)), limit, lambda word: (word.id,))


def _checked_pattern(pattern: str, is_regex: bool) -> str:
    pattern = (pattern or "").strip() if is_regex else " ".join((pattern or "").split()).lower()
    errors = rule_errors(PATTERN_RULE, pattern)
    if errors:
        raise InvalidInput({"pattern": errors})
    if not is_regex:
        if not any(ch.isalnum() for ch in pattern):
            raise InvalidInput({"pattern": ["A word needs at least one letter or digit."]})
        return pattern
    try:
        matcher = compiled(pattern, True)
        empty = any(m.end() == m.start() for m in matcher.finditer(_PROBE, timeout=PATTERN_TIMEOUT))
        empty = empty or matcher.search("", timeout=PATTERN_TIMEOUT) is not None
    except regex.error as error:
        raise InvalidInput({"pattern": [f"This is not a valid regular expression: {error}."]})
    except TimeoutError:
        raise InvalidInput({"pattern": ["This regular expression is too slow to check posts with. "
                                        "Try a simpler one."]})
    if empty:
        raise InvalidInput({"pattern": ["This expression can match without any text, so it would catch "
                                        "every post. Make it match at least one character."]})
    return pattern


def _same_pattern(pattern: str, is_regex: bool) -> WatchedWord | None:
    return db.session.scalar(sa.select(WatchedWord).where(WatchedWord.pattern == pattern,
                                                          WatchedWord.is_regex.is_(is_regex)))


def add_watched_word(actor: Member | None, pattern: str, action: WatchedAction, is_regex: bool = False,
                     reason: str = "") -> WatchedWord:
    """Adds a word (plain words are kept in lower case: they match ignoring case). 409 if already watched."""
    actor = require_admin(actor)
    pattern = _checked_pattern(pattern, is_regex)
    action = WatchedAction(action)
    existing = _same_pattern(pattern, is_regex)
    if existing is not None:
        raise Conflict(f"“{pattern}” is already on the list, as a {existing.action.value} word. "
                       "Remove it first to change what it does.")
    word = WatchedWord(pattern=pattern, is_regex=is_regex, action=action, created_by_id=actor.id)
    try:
        with unit_of_work():
            db.session.add(word)
            db.session.flush()
            audit.record(actor, "watched_word_add", "watched_word", word.id, reason or "No reason given",
                         details=_details(word))
    except IntegrityError:  # added by another admin a moment ago; the unit has rolled back
        raise Conflict(f"“{pattern}” is already on the list.")
    return word


def remove_watched_word(actor: Member | None, word_id: int, reason: str = "") -> WatchedWord:
    actor = require_admin(actor)
    word = db.session.get(WatchedWord, word_id)
    if word is None:
        raise NotFound("There is no such watched word.")
    with unit_of_work():
        audit.record(actor, "watched_word_remove", "watched_word", word.id, reason or "No reason given",
                     details=_details(word))
        db.session.delete(word)
    return word


def _details(word: WatchedWord) -> dict:
    return {"pattern": word.pattern, "is_regex": word.is_regex, "action": word.action.value}


def seed_crisis_words() -> int:
    """Adds the shipped crisis words that are missing (safe to run again); returns how many it added."""
    present = set(db.session.scalars(sa.select(WatchedWord.pattern).where(WatchedWord.is_regex.is_(False))))
    missing = [word for word in dict.fromkeys(w.lower() for w in data.CRISIS_WORDS) if word not in present]
    with unit_of_work():
        db.session.add_all(WatchedWord(pattern=word, is_regex=False, action=WatchedAction.crisis) for word in missing)
    return len(missing)
