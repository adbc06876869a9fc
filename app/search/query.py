"""What a member typed, read as a search: words and "quoted phrases", each widened by the vocabulary.

Nothing typed reaches an engine as syntax. The text is cut into words (letters and digits) and phrases;
operators (`OR`, `NEAR`, `*`, `-`, brackets, stray quotes) are only punctuation here, so no input can
make a query the engines refuse. Each word or phrase that names a tag (its slug, name or a synonym,
as resolve_tags reads them) stands for all of them: "Lioresal" finds posts saying baclofen.
"""
import difflib
import re
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.core.errors import InvalidInput
from app.extensions import db
from app.vocabulary.models import Tag, TagSynonym
from app.vocabulary.services import fold

MAX_QUERY_CHARS = 300
MAX_TERMS = 12
# Longest vocabulary name looked for in a run of words ("intrathecal baclofen pump" is three).
LONGEST_NAME = 4

# Words too common to narrow anything (PostgreSQL's English list drops them too; SQLite keeps
# them, so they are dropped here for both engines alike).
STOP_WORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her
here hers herself him himself his how i if in into is it its itself just me more most my myself no nor not
now of off on once only or other our ours ourselves out over own same she should so some such than that
the their theirs them themselves then there these they this those through to too under until up very was we
were what when where which while who whom why will with would you your yours yourself yourselves near
""".split())

WORD = re.compile(r"[^\W_]+")


class UnusableQuery(InvalidInput):
    def __init__(self, message: str):
        super().__init__({"q": [message]}, "This search cannot be run as written.")


@dataclass
class Term:
    """One thing every result must contain: any of its spellings (each a word or a phrase of words)."""
    typed: tuple[str, ...]
    spellings: list[tuple[str, ...]]
    tag: Tag | None = None


@dataclass
class SearchQuery:
    terms: list[Term]
    tags: list[Tag] = field(default_factory=list)       # vocabulary the query named, in order
    suggestions: list[str] = field(default_factory=list)


@dataclass
class Vocabulary:
    """Every tag by each name it answers to (folded), loaded in one query."""
    by_name: dict[tuple[str, ...], Tag]
    words: set[str]

    @classmethod
    def load(cls) -> "Vocabulary":
        rows = db.session.execute(sa.select(Tag, TagSynonym.name).outerjoin(TagSynonym, TagSynonym.tag_id == Tag.id))
        by_name: dict[tuple[str, ...], Tag] = {}
        for tag, synonym in rows:
            for name in (tag.slug.replace("-", " "), tag.name, synonym):
                if name:
                    by_name.setdefault(words_of(name), tag)
        words = {word for name in by_name for word in name}
        return cls(by_name, words)

    def names_of(self, tag: Tag) -> list[tuple[str, ...]]:
        return [name for name, named in self.by_name.items() if named is tag]


def words_of(text: str) -> tuple[str, ...]:
    return tuple(WORD.findall(fold(text)))


def _pieces(text: str) -> list[tuple[tuple[str, ...], bool]]:
    """(words, quoted) in order: text between paired double quotes is a phrase; an unpaired quote is ignored."""
    parts = text.split('"')
    if len(parts) % 2 == 0:  # an odd number of quotes: the last one pairs with nothing
        parts[-2:] = [parts[-2] + " " + parts[-1]]
    pieces = []
    for index, part in enumerate(parts):
        words = words_of(part)
        if index % 2 and words:
            pieces.append((words, True))
        else:
            pieces.extend(((word,), False) for word in words)
    return pieces


def parse(text: str, vocabulary: Vocabulary) -> SearchQuery:
    """The terms of a search, or a 422 naming `q` that says what to change."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_CHARS:
        raise UnusableQuery(f"Keep a search under {MAX_QUERY_CHARS} characters (this one has {len(text):,}).")
    pieces = _pieces(text)
    if not pieces:
        raise UnusableQuery("Type a word or two to search for, such as a symptom or a treatment.")
    terms: list[Term] = []
    i = 0
    while i < len(pieces):
        words, quoted = pieces[i]
        taken, tag = 1, None
        if not quoted:  # the longest run of plain words that names a tag ("itb pump")
            for size in range(min(LONGEST_NAME, len(pieces) - i), 0, -1):
                run = pieces[i:i + size]
                if all(not q for _, q in run):
                    name = tuple(w for ws, _ in run for w in ws)
                    tag = vocabulary.by_name.get(name)
                    if tag is not None:
                        words, taken = name, size
                        break
        else:
            tag = vocabulary.by_name.get(words)
        i += taken
        if tag is None and not quoted and (words[0] in STOP_WORDS or len(words[0]) < 2 and not words[0].isdigit()):
            continue
        spellings = [words] + [name for name in vocabulary.names_of(tag) if name != words] if tag else [words]
        terms.append(Term(words, spellings, tag))
    if not terms:
        raise UnusableQuery("Those words are too common to search for: add one that says more, "
                            "such as a symptom or a treatment.")
    if len(terms) > MAX_TERMS:
        raise UnusableQuery(f"Use at most {MAX_TERMS} words: every one must appear in what is found.")
    tags = []
    for term in terms:
        if term.tag is not None and term.tag not in tags:
            tags.append(term.tag)
    return SearchQuery(terms, tags, _suggestions(terms, vocabulary))


def _suggestions(terms: list[Term], vocabulary: Vocabulary) -> list[str]:
    """"Did you mean baclofen?": the query again with each word close to a vocabulary word replaced."""
    known = sorted(vocabulary.words)
    changed, words = False, []
    for term in terms:
        if term.tag is not None or len(term.typed) != 1 or len(term.typed[0]) < 4 or term.typed[0] in vocabulary.words:
            words.append(" ".join(term.typed) if len(term.typed) == 1 else f'"{" ".join(term.typed)}"')
            continue
        word = term.typed[0]
        close = [c for c in difflib.get_close_matches(word, known, n=3, cutoff=0.8)
                 # a plural or a longer form is the same word, not a misspelling
                 if not (c.startswith(word) or word.startswith(c))]
        if close:
            words.append(close[0])
            changed = True
        else:
            words.append(word)
    return [" ".join(words)] if changed else []
