import pytest

from app.core.errors import InvalidInput
from app.vocabulary import data
from app.vocabulary.services import fold, resolve_tags, seed_vocabulary


def test_tags_lists_the_whole_vocabulary_with_synonyms(client, vocabulary):
    items = client.get("/api/v1/tags").get_json()["items"]
    assert len(items) == sum(len(v) for v in data.TAGS_BY_KIND.values())
    baclofen = next(t for t in items if t["slug"] == "baclofen")
    assert baclofen["kind"] == "treatment" and baclofen["description"]
    assert "Lioresal" in baclofen["synonyms"]
    assert set(baclofen) == {"slug", "name", "kind", "description", "synonyms"}


@pytest.mark.parametrize("kind", ["symptom", "treatment", "trigger", "topic"])
def test_tags_filter_by_kind(client, vocabulary, kind):
    items = client.get(f"/api/v1/tags?kind={kind}").get_json()["items"]
    assert items and {t["kind"] for t in items} == {kind}
    assert len(items) == len(data.TAGS_BY_KIND[kind])


def test_unknown_kind_is_422(client, vocabulary):
    response = client.get("/api/v1/tags?kind=mood")
    assert response.status_code == 422
    assert "kind" in response.get_json()["errors"]


def test_product_vocabulary_is_shipped(client, vocabulary):
    slugs = {t["slug"] for t in client.get("/api/v1/tags").get_json()["items"]}
    assert {"spasticity", "clonus", "hand-spasticity", "baclofen", "intrathecal-baclofen", "botulinum-toxin",
            "selective-dorsal-rhizotomy", "heat", "full-bladder", "skin-wound"} <= slugs
    side_effects = {s["slug"] for s in client.get("/api/v1/side-effects").get_json()["items"]}
    assert {"drowsiness", "muscle-weakness", "dizziness", "fatigue", "difficulty-sleeping", "nausea", "dry-mouth",
            "confusion", "mood-changes"} == side_effects


@pytest.mark.parametrize("ref, slug", [
    ("Lioresal", "baclofen"), ("zanaflex", "tizanidine"), ("AMPYRA", "dalfampridine"), ("Lyrica", "pregabalin"),
    ("ITB pump", "intrathecal-baclofen"), ("cbd", "cannabis"), ("baclofen", "baclofen"),
    ("Tizanidine", "tizanidine"), ("  the   claw ", "hand-spasticity"),
])
def test_brand_and_everyday_names_resolve_to_the_canonical_tag(app, vocabulary, ref, slug):
    assert [t.slug for t in resolve_tags([ref])] == [slug]


def test_resolve_keeps_order_and_drops_repeats(app, vocabulary):
    assert [t.slug for t in resolve_tags(["heat", "Lioresal", "baclofen", "clonus"])] == ["heat", "baclofen", "clonus"]


def test_unknown_tags_are_named(app, vocabulary):
    with pytest.raises(InvalidInput) as error:
        resolve_tags(["baclofen", "unicorn dust", "moonbeams"])
    assert error.value.errors == {"tags": ["Unknown tag: unicorn dust", "Unknown tag: moonbeams"]}


def test_no_name_means_two_different_tags():
    seen: dict[str, str] = {}
    for entries in data.TAGS_BY_KIND.values():
        for slug, name, _, synonyms in entries:
            for key in {slug, fold(name), *map(fold, synonyms)}:
                assert seen.setdefault(key, slug) == slug, f"{key!r} names both {seen[key]} and {slug}"


def test_seed_is_idempotent_and_updates_changes(app, monkeypatch):
    first = seed_vocabulary()
    assert first["added"] == sum(len(v) for v in data.TAGS_BY_KIND.values()) + len(data.SIDE_EFFECTS)
    assert seed_vocabulary() == {"added": 0, "updated": 0}
    changed = [("heat", "Heat", "New words.", ["hot weather", "sauna"])] + data.TRIGGERS[1:]
    monkeypatch.setitem(data.TAGS_BY_KIND, "trigger", changed)
    assert seed_vocabulary() == {"added": 0, "updated": 1}
    heat = resolve_tags(["sauna"])[0]
    assert heat.slug == "heat" and heat.description == "New words."
    assert sorted(s.name for s in heat.synonyms) == ["hot weather", "sauna"]
