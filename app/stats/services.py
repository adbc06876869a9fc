"""Statistics releases: publishing them, and reading the stored snapshots.

Every read serves stored numbers only; only `publish_release` aggregates
members' data (through app/stats/release.py), once per release.
"""
from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from app.core.errors import InvalidInput, NotAllowed, NotFound
from app.extensions import db
from app.members.models import Member
from app.stats import privacy
from app.stats import release as computing
from app.stats.models import StatsRelease, TreatmentStats
from app.vocabulary.models import Tag, TagKind
from app.vocabulary.services import resolve_tags

SORTS = {
    # The interval's lower bound: three happy members do not outrank three hundred mostly happy ones.
    # Without a share (everyone "too early to tell") a treatment goes last, on every database:
    # PostgreSQL would put NULL first in a descending order, SQLite last.
    "lower_bound": (TreatmentStats.ci_low.desc().nulls_last(), TreatmentStats.members.desc(),
                    TreatmentStats.treatment_name),
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


def latest_treatment_stats(treatment_ref: str) -> TreatmentStats:
    """A treatment's numbers in the latest release: 404 for an unknown treatment or before any release."""
    tag = treatment_by_ref(treatment_ref)
    if tag is None or tag.kind != TagKind.treatment:
        raise NotFound(f"There is no treatment called {treatment_ref!r}.")
    current = latest_release()
    if current is None:
        raise NotFound("No statistics release has been published yet.")
    stats = db.session.scalar(sa.select(TreatmentStats).where(
        TreatmentStats.release_id == current.id, TreatmentStats.treatment_id == tag.id))
    if stats is None:
        raise NotFound(f"The statistics release {current.id} has no numbers for {tag.name}: "
                       "nobody had shared an experience of it.")
    # Callers show which release this is; the one in hand spares a query.
    set_committed_value(stats, "release", current)
    return stats


# --- publishing ---------------------------------------------------------------------

def publish_release(admin: Member | None, epsilon: float | None = None,
                    progress: Callable[[str], None] | None = None) -> StatsRelease:
    """Computes and stores a new release in one transaction.

    `admin` is None when the command line or a schedule publishes; `epsilon`
    defaults to STATS_EPSILON. `progress` hears the name of each step as it starts.
    """
    if admin is not None and not admin.is_admin:
        raise NotAllowed("Only an admin can publish a statistics release.")
    config = current_app.config
    epsilon = config["STATS_EPSILON"] if epsilon is None else epsilon
    try:
        plan = privacy.noise_plan(float(epsilon))
    except (TypeError, ValueError):
        raise InvalidInput({"epsilon": [privacy.EPSILON_RULE]})
    step = progress or (lambda _: None)
    min_members, min_cell = config["STATS_MIN_MEMBERS"], config["STATS_MIN_CELL"]
    try:
        step("counting statements")
        tallies = computing.tally_statements()
        vocabulary = computing.load_vocabulary([t.treatment_id for t in tallies])
        step("adding noise")
        rows = computing.build_treatment_stats(tallies, vocabulary, plan, min_members, min_cell)
        step("saving")
        published = sum(not row["suppressed"] for row in rows)
        snapshot = StatsRelease(created_by_id=admin.id if admin else None, epsilon=plan.epsilon,
                                min_members=min_members, min_cell=min_cell, mechanism=plan.describe(),
                                treatments_published=published, treatments_suppressed=len(rows) - published)
        db.session.add(snapshot)
        db.session.flush()
        if rows:
            # One executemany for all treatments (the ORM would split it wherever a column is null).
            db.session.execute(sa.insert(TreatmentStats.__table__),
                               [dict(row, release_id=snapshot.id) for row in rows])
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return snapshot
