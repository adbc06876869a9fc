"""Loading the vocabulary and resolving what people type to canonical tags."""
from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.core.errors import InvalidInput
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.vocabulary import data
from app.vocabulary.models import SideEffect, Tag, TagKind, TagSynonym


def fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def list_tags(kind: TagKind | None = None) -> list[Tag]:
    query = sa.select(Tag).options(selectinload(Tag.synonyms)).order_by(Tag.kind, Tag.name)
    if kind is not None:
        query = query.where(Tag.kind == kind)
    return list(db.session.scalars(query))


def list_side_effects() -> list[SideEffect]:
    return list(db.session.scalars(sa.select(SideEffect).order_by(SideEffect.name)))


def tag_by_slug(slug: str) -> Tag | None:
    return db.session.scalar(sa.select(Tag).where(Tag.slug == slug.lower()))


def resolve_tags(refs: Iterable[str], field: str = "tags") -> list[Tag]:
    """Canonical tags for slugs, names or synonyms, in the order given, without repeats.

    Raises a 422 naming every reference that matches nothing.
    """
    refs = [r for r in refs if isinstance(r, str) and r.strip()]
    keys = {fold(r) for r in refs}
    found: dict[str, Tag] = {}
    if keys:
        for tag in db.session.scalars(sa.select(Tag).where(sa.or_(Tag.slug.in_(keys), sa.func.lower(Tag.name).in_(keys)))):
            found[tag.slug] = tag
            found[fold(tag.name)] = tag
        for synonym in db.session.scalars(
            sa.select(TagSynonym).options(selectinload(TagSynonym.tag)).where(TagSynonym.name_key.in_(keys))
        ):
            found[synonym.name_key] = synonym.tag
    unknown = [r for r in refs if fold(r) not in found]
    if unknown:
        raise InvalidInput({field: [f"Unknown tag: {r}" for r in unknown]},
                           "Some tags are not in Thaw's vocabulary.")
    tags: list[Tag] = []
    for ref in refs:
        tag = found[fold(ref)]
        if tag not in tags:
            tags.append(tag)
    return tags


@unit_of_work()
def seed_vocabulary(progress: Callable[[str], None] = lambda slug: None) -> dict[str, int]:
    """Adds or updates every shipped tag, synonym and side effect, in one transaction."""
    existing = {t.slug: t for t in db.session.scalars(sa.select(Tag).options(selectinload(Tag.synonyms)))}
    counts = {"added": 0, "updated": 0}
    for kind, entries in data.TAGS_BY_KIND.items():
        for slug, name, description, synonyms in entries:
            tag = existing.get(slug)
            if tag is None:
                tag = Tag(slug=slug)
                db.session.add(tag)
                counts["added"] += 1
            elif (tag.name, tag.kind, tag.description) != (name, TagKind(kind), description):
                counts["updated"] += 1
            tag.name, tag.kind, tag.description = name, TagKind(kind), description
            _sync_synonyms(tag, synonyms)
            progress(slug)
    side_effects = {s.slug: s for s in db.session.scalars(sa.select(SideEffect))}
    for slug, name, description in data.SIDE_EFFECTS:
        effect = side_effects.get(slug)
        if effect is None:
            effect = SideEffect(slug=slug)
            db.session.add(effect)
            counts["added"] += 1
        effect.name, effect.description = name, description
        progress(slug)
    return counts


def _sync_synonyms(tag: Tag, names: list[str]) -> None:
    wanted = {fold(n): n for n in names}
    for synonym in list(tag.synonyms):
        if synonym.name_key not in wanted:
            tag.synonyms.remove(synonym)
    have = {s.name_key for s in tag.synonyms}
    for key, name in wanted.items():
        if key not in have:
            tag.synonyms.append(TagSynonym(name=name, name_key=key))


def vocabulary_size() -> int:
    return sum(len(entries) for entries in data.TAGS_BY_KIND.values()) + len(data.SIDE_EFFECTS)
