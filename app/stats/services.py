"""Statistics releases: publishing them, and reading the stored snapshots.

Every read serves stored numbers only; only `publish_release` aggregates
members' data (through app/stats/release.py), once per release.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm.attributes import set_committed_value

from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput, NotAllowed, NotFound
from app.core.unit_of_work import unit_of_work
from app.extensions import db
from app.members.models import Member
from app.stats import privacy
from app.stats import release as computing
from app.stats.models import PrivacySpend, StatsRelease, TreatmentStats
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


# --- by symptom ----------------------------------------------------------------------
# "Which treatments helped members with cramps?" is answered from what a release already
# publishes (each treatment's symptom counts), so it spends no budget of its own: a count per
# (treatment, symptom, rating) would need its own noise, and far more members per cell to show.

def symptom_tag(ref: str) -> Tag:
    """The symptom a reference names (slug, name or synonym); 422 naming `symptom` for anything else."""
    (tag,) = resolve_tags([ref], field="symptom")
    if tag.kind != TagKind.symptom:
        raise InvalidInput({"symptom": [f"{tag.name} is a {tag.kind.value}, not a symptom."]})
    return tag


def for_symptom(rows: list[TreatmentStats], symptom: Tag) -> list[tuple[TreatmentStats, dict]]:
    """The published treatments whose members named this symptom, each with that symptom's published
    cell, in the order given (so the page's sort applies)."""
    found = []
    for row in rows:
        if row.suppressed:
            continue
        cell = next((cell for cell in row.symptoms or [] if cell.get("slug") == symptom.slug), None)
        if cell is not None:
            found.append((row, cell))
    return found


def treatment_by_ref(ref: str) -> Tag | None:
    try:
        (tag,) = resolve_tags([ref], field="treatment")
    except (InvalidInput, ValueError):
        return None
    return tag


def treatment_tag(ref: str) -> Tag:
    """The treatment a reference (slug or synonym) names; NotFound for anything else."""
    tag = treatment_by_ref(ref)
    if tag is None or tag.kind != TagKind.treatment:
        raise NotFound(f"There is no treatment called {ref!r}.")
    return tag


def release_treatment(release: StatsRelease | None, treatment_ref: str) -> TreatmentStats:
    """One treatment's numbers in a release; the reference may be a slug or a synonym.

    Every treatment of the vocabulary has an answer: one the release has no row for (there is no
    release yet, or the treatment joined the vocabulary after it) reads as suppressed, never as a
    404, so that a 404 can only mean "not a treatment".
    """
    tag = treatment_tag(treatment_ref)
    stats = None
    if release is not None:
        stats = db.session.scalar(sa.select(TreatmentStats).where(
            TreatmentStats.release_id == release.id, TreatmentStats.treatment_id == tag.id))
    if stats is None:
        stats = TreatmentStats(treatment_id=tag.id, treatment_slug=tag.slug, treatment_name=tag.name,
                               **computing.SUPPRESSED)
    # Callers show which release this is; the one in hand spares a query.
    set_committed_value(stats, "release", release)
    return stats


def latest_treatment_stats(treatment_ref: str) -> TreatmentStats:
    """A treatment's numbers in the latest release: 404 only for what is not a treatment."""
    return release_treatment(latest_release(), treatment_ref)


# --- the privacy budget -------------------------------------------------------------

BUDGET_WINDOW = timedelta(days=365)
TOLERANCE = 1e-9  # four releases of 0.1 must fit a budget of 0.4 despite binary fractions


@dataclass(frozen=True)
class BudgetStatus:
    """The privacy budget as of `now`: what the releases of the last 365 days spent and what is left."""
    budget: float
    spent: float
    now: datetime
    spends: tuple[tuple[datetime, float], ...]  # (spent_at, epsilon) in the window, oldest first

    @property
    def remaining(self) -> float:
        return max(0.0, self.budget - self.spent)

    def allows(self, epsilon: float) -> bool:
        return self.spent + epsilon <= self.budget + TOLERANCE

    def next_possible(self, epsilon: float) -> datetime | None:
        """When a release spending `epsilon` fits the budget again; None if it never can."""
        if epsilon > self.budget + TOLERANCE:
            return None
        if self.allows(epsilon):
            return self.now
        needed, freed = self.spent + epsilon - self.budget, 0.0
        for spent_at, spent in self.spends:
            freed += spent
            if freed >= needed - TOLERANCE:
                return spent_at + BUDGET_WINDOW
        return None  # unreachable: freeing everything frees `spent` >= `needed`


def budget_status(now: datetime | None = None) -> BudgetStatus:
    now = now or utcnow()
    spends = tuple((at, eps) for at, eps in db.session.execute(
        sa.select(PrivacySpend.spent_at, PrivacySpend.epsilon)
        .where(PrivacySpend.spent_at > now - BUDGET_WINDOW).order_by(PrivacySpend.spent_at)).all())
    return BudgetStatus(current_app.config["STATS_EPSILON_BUDGET"], math.fsum(e for _, e in spends), now, spends)


def budget_summary() -> dict:
    """The budget as the API and the transparency page show it."""
    status = budget_status()
    epsilon = current_app.config["STATS_EPSILON"]
    return {"budget": status.budget, "window_days": BUDGET_WINDOW.days, "spent": round(status.spent, 6),
            "remaining": round(status.remaining, 6), "epsilon": epsilon,
            "next_release_possible_at": status.next_possible(epsilon)}


def _lock_the_ledger() -> None:
    """Two releases checking the budget at once must not both spend its last part.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: the first write takes the database's
    one write lock, and the ledger is read after it (see publish_release).
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext('thaw_stats_privacy_ledger'))"))


# --- publishing ---------------------------------------------------------------------

def check_epsilon(epsilon) -> privacy.NoisePlan:
    """The noise plan for `epsilon` (None: STATS_EPSILON), or InvalidInput naming `epsilon`."""
    config = current_app.config
    epsilon = config["STATS_EPSILON"] if epsilon is None else epsilon
    if isinstance(epsilon, bool):
        raise InvalidInput({"epsilon": [privacy.EPSILON_RULE]})
    bound = config["STATS_MAX_TREATMENTS_PER_MEMBER"]
    if not isinstance(bound, int) or bound < 1:
        raise InvalidInput({"STATS_MAX_TREATMENTS_PER_MEMBER": ["The server's setting must be a whole number, 1 or more."]})
    try:
        return privacy.noise_plan(float(epsilon), bound, allow_exact=bool(config.get("STATS_ALLOW_EXACT")))
    except (TypeError, ValueError) as error:
        raise InvalidInput({"epsilon": [str(error)]})


def refusal(status: BudgetStatus, epsilon: float) -> str:
    """The sentence that explains why a release does not fit the budget, and when one will."""
    text = (f"This release would spend ε={epsilon:g}, but the releases of the last 365 days already spent "
            f"{status.spent:g} of the budget of {status.budget:g} (STATS_EPSILON_BUDGET), leaving {status.remaining:g}.")
    when = status.next_possible(epsilon)
    if when is None:
        return text + f" ε={epsilon:g} is more than the whole budget: no release can spend it."
    return text + f" A release with ε={epsilon:g} becomes possible on {when:%Y-%m-%d %H:%M} UTC."


def publish_release(admin: Member | None, epsilon: float | None = None,
                    progress: Callable[[str], None] | None = None) -> StatsRelease:
    """Computes and stores a new release and its ledger entry in one unit of work.

    `admin` is None when the command line or a schedule publishes; `epsilon`
    defaults to STATS_EPSILON. Raises Conflict when the release would spend more
    than the budget has left in the last 365 days. `progress` hears the name of
    each step as it starts.
    """
    if admin is not None and not admin.is_admin:
        raise NotAllowed("Only an admin can publish a statistics release.")
    plan = check_epsilon(epsilon)
    config = current_app.config
    step = progress or (lambda _: None)
    min_members, min_cell = config["STATS_MIN_MEMBERS"], config["STATS_MIN_CELL"]
    with unit_of_work():
        snapshot = StatsRelease(created_by_id=admin.id if admin else None, epsilon=plan.epsilon,
                                max_treatments_per_member=plan.bound, min_members=min_members,
                                min_cell=min_cell, mechanism=plan.describe())
        db.session.add(snapshot)
        _lock_the_ledger()
        db.session.flush()  # on SQLite, this write takes the write lock before the ledger is read
        status = budget_status()
        spent = plan.spent()
        if not status.allows(spent):
            raise Conflict(refusal(status, plan.epsilon))
        step("counting statements")
        tallies = computing.tally_statements(plan.bound)
        vocabulary = computing.load_vocabulary()
        step("adding noise")
        rows = computing.build_treatment_stats(tallies, vocabulary, plan, min_members, min_cell)
        step("saving")
        snapshot.treatments_published = sum(not row["suppressed"] for row in rows)
        snapshot.treatments_suppressed = len(rows) - snapshot.treatments_published
        if spent > 0:
            db.session.add(PrivacySpend(spent_at=snapshot.created_at, epsilon=spent, release_id=snapshot.id))
        if rows:
            # One executemany for all treatments (the ORM would split it wherever a column is null).
            db.session.execute(sa.insert(TreatmentStats.__table__),
                               [dict(row, release_id=snapshot.id) for row in rows])
    return snapshot
