"""Statistics releases: reading the stored snapshots.

Every read serves stored numbers only; nothing here aggregates members' data.
"""
import sqlalchemy as sa

from app.core.errors import InvalidInput, NotFound
from app.extensions import db
from app.stats.models import StatsRelease, TreatmentStats
from app.vocabulary.models import Tag, TagKind
from app.vocabulary.services import resolve_tags

SORTS = {
    # The interval's lower bound: three happy members do not outrank three hundred mostly happy ones.
    "lower_bound": (TreatmentStats.ci_low.desc(), TreatmentStats.members.desc(), TreatmentStats.treatment_name),
    "members": (TreatmentStats.members.desc(), TreatmentStats.treatment_name),
    "name": (TreatmentStats.treatment_name,),
}


def latest_release() -> StatsRelease | None:
    return db.session.scalar(sa.select(StatsRelease).order_by(StatsRelease.id.desc()).limit(1))


def list_releases() -> list[StatsRelease]:
    return list(db.session.scalars(sa.select(StatsRelease).order_by(StatsRelease.id.desc())))


def release_treatments(release: StatsRelease, sort: str = "lower_bound") -> list[TreatmentStats]:
    """Published treatments in the chosen order, then the suppressed ones by name."""
    order = SORTS.get(sort, SORTS["lower_bound"])
    return list(db.session.scalars(
        sa.select(TreatmentStats).where(TreatmentStats.release_id == release.id)
        .order_by(TreatmentStats.suppressed, *order, TreatmentStats.id)
    ))


def treatment_by_ref(ref: str) -> Tag | None:
    try:
        (tag,) = resolve_tags([ref], field="treatment")
    except (InvalidInput, ValueError):
        return None
    return tag


def release_treatment(release: StatsRelease, treatment_ref: str) -> TreatmentStats:
    """One treatment's numbers in a release; the reference may be a slug or a synonym."""
    tag = treatment_by_ref(treatment_ref)
    if tag is None or tag.kind != TagKind.treatment:
        raise NotFound(f"There is no treatment called {treatment_ref!r}.")
    stats = db.session.scalar(sa.select(TreatmentStats).where(
        TreatmentStats.release_id == release.id, TreatmentStats.treatment_id == tag.id))
    if stats is None:
        raise NotFound(f"The statistics release {release.id} has no numbers for {tag.name}.")
    return stats
