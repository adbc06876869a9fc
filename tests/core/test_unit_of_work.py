"""The unit of work: whole or nothing, nested units join, side effects wait for the commit."""
import pytest
import sqlalchemy as sa

from app.core.unit_of_work import on_commit, unit_of_work
from app.extensions import db
from app.vocabulary.models import Tag, TagKind


def tag(slug: str) -> Tag:
    return Tag(slug=slug, name=slug.title(), kind=TagKind.topic, description="")


def slugs() -> list[str]:
    db.session.remove()
    return list(db.session.scalars(sa.select(Tag.slug).order_by(Tag.slug)))


def test_a_unit_commits_what_it_wrote(app):
    with unit_of_work():
        db.session.add(tag("sleep"))
    assert slugs() == ["sleep"]


def test_a_failure_inside_leaves_nothing_written(app):
    with pytest.raises(RuntimeError), unit_of_work():
        db.session.add(tag("sleep"))
        db.session.flush()
        raise RuntimeError("half way")
    assert slugs() == []


def test_a_nested_unit_joins_the_outer_one(app):
    with pytest.raises(RuntimeError), unit_of_work():
        with unit_of_work():
            db.session.add(tag("sleep"))
        # The inner unit has not committed on its own: the outer failure takes it back too.
        raise RuntimeError("after the inner unit")
    assert slugs() == []


def test_as_a_decorator(app):
    @unit_of_work()
    def add(slug):
        db.session.add(tag(slug))

    add("sleep")
    add("fatigue")
    assert slugs() == ["fatigue", "sleep"]


def test_side_effects_run_after_the_commit_and_never_after_a_rollback(app):
    sent = []
    with unit_of_work():
        db.session.add(tag("sleep"))
        on_commit(lambda: sent.append(slugs()))
        assert sent == []
    assert sent == [["sleep"]]

    with pytest.raises(RuntimeError), unit_of_work():
        on_commit(lambda: sent.append("rolled back"))
        raise RuntimeError
    with unit_of_work():
        pass
    assert sent == [["sleep"]]
