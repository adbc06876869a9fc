"""The demo's statistics crowd: deterministic, loaded once, and enough for a release with real numbers."""
import sqlalchemy as sa

from app.experiences.models import ExperienceReport, ExperienceSideEffect, experience_symptoms
from app.extensions import db
from app.members.models import Member
from app.ops import demo
from app.ops.demo_statistics import CROWD_SIZE, HANDLE_PREFIX, build_demo_statistics
from app.vocabulary.models import Tag


def crowd_reports() -> list[tuple]:
    return list(db.session.execute(
        sa.select(Member.handle, Tag.slug, ExperienceReport.effect, ExperienceReport.share_in_stats)
        .join(ExperienceReport, ExperienceReport.member_id == Member.id)
        .join(Tag, Tag.id == ExperienceReport.treatment_id)
        .where(Member.handle_key.like(f"{HANDLE_PREFIX}%")).order_by(Member.handle, Tag.slug)).all())


def test_the_crowd_is_the_same_every_time_and_added_once(vocabulary):
    added = build_demo_statistics()
    first = crowd_reports()
    assert added == len(first) > 2 * CROWD_SIZE and build_demo_statistics() == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Member)) == CROWD_SIZE
    assert sum(share for *_, share in first) / len(first) > 0.85
    # Explicit deletes: SQLite may not enforce ON DELETE CASCADE.
    crowd = sa.select(Member.id).where(Member.handle_key.like(f"{HANDLE_PREFIX}%"))
    reports = sa.select(ExperienceReport.id).where(ExperienceReport.member_id.in_(crowd))
    db.session.execute(sa.delete(experience_symptoms).where(experience_symptoms.c.report_id.in_(reports)))
    db.session.execute(sa.delete(ExperienceSideEffect).where(ExperienceSideEffect.report_id.in_(reports)))
    db.session.execute(sa.delete(ExperienceReport).where(ExperienceReport.member_id.in_(crowd)))
    db.session.execute(sa.delete(Member).where(Member.handle_key.like(f"{HANDLE_PREFIX}%")))
    db.session.commit()
    build_demo_statistics()
    assert [tuple(row) for row in crowd_reports()] == [tuple(row) for row in first]


def test_the_demo_release_publishes_several_treatments_with_useful_intervals(vocabulary):
    release = demo.build_demo_release()
    assert release.epsilon == 1.0
    published = [row for row in release.treatments if not row.suppressed]
    assert len(published) >= 6
    useful = [row for row in published if row.ci_high - row.ci_low < 0.2]
    assert {"baclofen", "stretching", "tizanidine"} <= {row.treatment_slug for row in useful}
