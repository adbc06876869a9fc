"""Computing a statistics release: SQL aggregation, then noise, suppression and shares.

The database does the counting. One statement picks each member's latest
statement per treatment (ROW_NUMBER over a UNION ALL of experience reports
and experience-poll ballots) and groups the result into effect, side-effect
and symptom counts; Python only sees one row per treatment and cell.

Rules (PRODUCT.md, privacy model):
- the latest statement per (member, treatment) wins, a report over a ballot
  at the same instant;
- consent is applied after picking it: a report not shared, or a ballot of a
  member without statistics consent, withdraws the member from that treatment
  rather than falling back to an older statement;
- a member counts for at most `bound` treatments (STATS_MAX_TREATMENTS_PER_MEMBER):
  their most recently stated ones, chosen by date alone, never by the answer;
- deleted members never count; suspension is a moderation state and changes
  nothing here, or suspending someone between two releases would reveal them;
- ballots in polls whose thread was removed or hidden are not statements;
- side effects and symptoms come from winning reports only, at most three of
  each per report (most severe side effects first, then by id).
"""
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.experiences.models import ExperienceReport, ExperienceSideEffect, Severity, experience_symptoms
from app.extensions import db
from app.forum.models import PostStatus, Thread
from app.members.models import Member, MemberStatus
from app.polls.models import Ballot, BallotChoice, Effect, Poll, PollKind, PollOption
from app.stats import privacy
from app.vocabulary.models import SideEffect, Tag, TagKind

REMOVED_THREAD_STATUSES = (PostStatus.removed, PostStatus.hidden)
HELPED = (Effect.major, Effect.moderate, Effect.slight)
RATED = HELPED + (Effect.none, Effect.worse)  # cant_tell is left out of shares
SORT_MEMORY = "64MB"


@dataclass
class Tally:
    """True counts for one treatment: never stored, never shown."""
    treatment_id: int
    effects: dict[Effect, int] = field(default_factory=dict)
    side_effects: dict[int, int] = field(default_factory=dict)
    symptoms: dict[int, int] = field(default_factory=dict)

    @property
    def members(self) -> int:
        return sum(self.effects.values())


def _counted_statements(bound: int):
    """Each counted member's winning statement per treatment, at most `bound` per member, as a CTE."""
    # Status belongs to the member, so filtering it before ranking changes nothing but the work.
    reports = (
        sa.select(ExperienceReport.member_id, ExperienceReport.treatment_id,
                  ExperienceReport.updated_at.label("stated_at"), sa.literal(0).label("source"),
                  ExperienceReport.id.label("statement_id"), ExperienceReport.effect.label("effect"),
                  ExperienceReport.share_in_stats.label("consented"))
        .join(Member, Member.id == ExperienceReport.member_id)
        .where(Member.status != MemberStatus.deleted))
    ballots = (
        sa.select(Ballot.member_id, Poll.treatment_id, Ballot.updated_at, sa.literal(1), Ballot.id,
                  PollOption.effect, Member.stats_consent)
        .join(Poll, Poll.id == Ballot.poll_id)
        .join(Thread, Thread.id == Poll.thread_id)
        .join(BallotChoice, BallotChoice.ballot_id == Ballot.id)
        .join(PollOption, PollOption.id == BallotChoice.option_id)
        .join(Member, Member.id == Ballot.member_id)
        .where(Member.status != MemberStatus.deleted, Poll.kind == PollKind.experience,
               Poll.treatment_id.is_not(None), PollOption.effect.is_not(None),
               Thread.status.not_in(REMOVED_THREAD_STATUSES)))
    statements = sa.union_all(reports, ballots).subquery("statements")
    ranked = sa.select(statements, sa.func.row_number().over(
        partition_by=(statements.c.member_id, statements.c.treatment_id),
        order_by=(statements.c.stated_at.desc(), statements.c.source, statements.c.statement_id.desc()),
    ).label("recency")).subquery("ranked")
    consented = (sa.select(ranked.c.member_id, ranked.c.treatment_id, ranked.c.source, ranked.c.statement_id,
                           ranked.c.effect, ranked.c.stated_at)
                 .where(ranked.c.recency == 1, ranked.c.consented == sa.true())).subquery("consented")
    # The per-member bound: the member's most recent statements first, whatever they say.
    latest = sa.select(consented, sa.func.row_number().over(
        partition_by=consented.c.member_id,
        order_by=(consented.c.stated_at.desc(), consented.c.treatment_id.desc()),
    ).label("position")).subquery("latest")
    return (sa.select(latest.c.treatment_id, latest.c.source, latest.c.statement_id, latest.c.effect)
            .where(latest.c.position <= bound)
            .cte("counted"))


def _first_of_each_report(counted, table, item_id, order_by, limit: int):
    """(treatment, item) pairs from winning reports, at most `limit` items per report."""
    ranked = sa.select(table.c.report_id, item_id.label("item_id"), sa.func.row_number().over(
        partition_by=table.c.report_id, order_by=order_by).label("position")).subquery()
    return (sa.select(counted.c.treatment_id, ranked.c.item_id)
            .join(counted, sa.and_(counted.c.statement_id == ranked.c.report_id, counted.c.source == 0))
            .where(ranked.c.position <= limit)).subquery()


def tally_statements(bound: int) -> list[Tally]:
    """All counts of a release in one SQL statement, grouped in the database.

    Side effects and symptoms are ranked within each report first, then joined
    to the winning reports: PostgreSQL then merges two sorted streams instead of
    probing an index once per report.
    """
    counted = _counted_statements(bound)
    severity_first = sa.case((ExperienceSideEffect.severity == Severity.severe, 0),
                             (ExperienceSideEffect.severity == Severity.moderate, 1), else_=2)
    side_effects = _first_of_each_report(
        counted, ExperienceSideEffect.__table__, ExperienceSideEffect.side_effect_id,
        (severity_first, ExperienceSideEffect.side_effect_id), privacy.MAX_SIDE_EFFECTS)
    symptoms = _first_of_each_report(
        counted, experience_symptoms, experience_symptoms.c.tag_id,
        (experience_symptoms.c.tag_id,), privacy.MAX_SYMPTOMS)
    no_item = sa.cast(sa.null(), sa.Integer)
    query = sa.union_all(
        sa.select(sa.literal("effect").label("dimension"), counted.c.treatment_id,
                  sa.cast(counted.c.effect, sa.String(20)).label("effect"), no_item.label("item_id"),
                  sa.func.count().label("n"))
        .group_by(counted.c.treatment_id, counted.c.effect),
        sa.select(sa.literal("side_effect"), side_effects.c.treatment_id, sa.cast(sa.null(), sa.String(20)),
                  side_effects.c.item_id, sa.func.count())
        .group_by(side_effects.c.treatment_id, side_effects.c.item_id),
        sa.select(sa.literal("symptom"), symptoms.c.treatment_id, sa.cast(sa.null(), sa.String(20)),
                  symptoms.c.item_id, sa.func.count())
        .group_by(symptoms.c.treatment_id, symptoms.c.item_id),
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # The window sorts every statement; PostgreSQL's default 4 MB would spill them to disk.
        # LOCAL: the setting ends with the release's transaction.
        db.session.execute(sa.text(f"SET LOCAL work_mem = '{SORT_MEMORY}'"))
    tallies: dict[int, Tally] = {}
    for dimension, treatment_id, effect, item_id, n in db.session.execute(query):
        tally = tallies.setdefault(treatment_id, Tally(treatment_id))
        if dimension == "effect":
            tally.effects[Effect(effect)] = n
        elif dimension == "side_effect":
            tally.side_effects[item_id] = n
        else:
            tally.symptoms[item_id] = n
    return list(tallies.values())


@dataclass
class Vocabulary:
    """Names at release time: every treatment, side effect and symptom of the vocabulary."""
    treatments: list[Tag]
    side_effects: list[SideEffect]
    symptoms: list[Tag]


def load_vocabulary() -> Vocabulary:
    tags = list(db.session.scalars(sa.select(Tag).where(
        Tag.kind.in_((TagKind.treatment, TagKind.symptom))).order_by(Tag.id)))
    side_effects = list(db.session.scalars(sa.select(SideEffect).order_by(SideEffect.id)))
    return Vocabulary([t for t in tags if t.kind == TagKind.treatment], side_effects,
                      [t for t in tags if t.kind == TagKind.symptom])


def build_treatment_stats(tallies: list[Tally], vocabulary: Vocabulary, plan: privacy.NoisePlan,
                          min_members: int, min_cell: int) -> list[dict]:
    """Noise every cell, clamp, suppress and derive shares: one `treatment_stats` row per treatment.

    Every treatment of the vocabulary gets a row and every cell of the domain
    is noised, zeros included, so whether a treatment is listed says nothing
    about who reported it. Whether it is published is decided on its noisy
    member count alone (privacy.NoisePlan.publish_threshold). Side effects and
    symptoms are listed only from the noise floor up (privacy.FALSE_ITEM_CHANCE).
    """
    by_id = {t.treatment_id: t for t in tallies}
    tallies = [by_id.get(tag.id) or Tally(tag.id) for tag in vocabulary.treatments]
    effects = _noised(tallies, lambda t: [t.effects.get(e, 0) for e in Effect], plan.effect_scale)
    side_effects = _noised(tallies, lambda t: [t.side_effects.get(s.id, 0) for s in vocabulary.side_effects],
                           plan.side_effect_scale)
    symptoms = _noised(tallies, lambda t: [t.symptoms.get(s.id, 0) for s in vocabulary.symptoms],
                       plan.symptom_scale)
    threshold = plan.publish_threshold(min_members)
    rows = []
    for tag, cells, side_counts, symptom_counts in zip(vocabulary.treatments, effects, side_effects, symptoms):
        row = {"treatment_id": tag.id, "treatment_slug": tag.slug, "treatment_name": tag.name, **SUPPRESSED}
        # The raw noisy sum is unbiased (clamping would add noise's positive half on every empty cell).
        if sum(cells) >= threshold:
            row.update(published_effects(dict(zip(Effect, cells)), min_cell, plan.cell_variance))
            members = row["members"]
            row["side_effects"] = _items(vocabulary.side_effects, side_counts, members,
                                         max(min_cell, plan.side_effect_floor))
            row["symptoms"] = _items(vocabulary.symptoms, symptom_counts, members, max(min_cell, plan.symptom_floor))
        rows.append(row)
    return rows


SUPPRESSED = {"suppressed": True, "members": None, "helped_count": None, "helped_share": None, "ci_low": None,
              "ci_high": None,
              "side_effects": [], "symptoms": [], **{f"effect_{e.value}": None for e in Effect}}


def _noised(tallies: list[Tally], cells, scale: float | None) -> list[list[int]]:
    """One draw for all treatments' cells together, split back per treatment."""
    vectors = [cells(t) for t in tallies]
    flat = privacy.noisy_counts([c for vector in vectors for c in vector], scale)
    width = len(vectors[0]) if vectors else 0
    return [flat[i * width:(i + 1) * width] for i in range(len(vectors))]


def _items(names, noisy, members: int, min_cell: int) -> list[dict]:
    items = []
    for item, count in zip(names, noisy):
        count = privacy.clamp(count, 0, members)
        if count >= min_cell and members > 0:
            items.append({"slug": item.slug, "name": item.name, "count": count,
                          "share": round(count / members, 4)})
    return sorted(items, key=lambda i: (-i["count"], i["name"]))


def published_effects(noisy: dict[Effect, int], min_cell: int, cell_variance: float) -> dict:
    """The effect cells, member count, share and interval of a published treatment.

    A cell under the minimum is shown as "<min_cell" and counts as 0 in the
    member count and the share whatever its value, so that no published number
    can be solved for it. Its true range (0…min_cell-1) widens the interval
    instead: the lower end takes hidden "helped" counts at 0 and hidden others
    at the top of the range, the upper end the reverse. The interval also
    carries the noise of every cell (privacy.noisy_share_interval).

    The three "helped" cells are grouped when one of them would be hidden: the
    group is published (if it reaches the minimum itself) and the three cells
    are not, so the group cannot be used to compute the hidden one, and a
    treatment whose helped answers are spread thin still shows them.
    """
    counts = {e: privacy.clamp(c) for e, c in noisy.items()}
    helped_total = sum(counts[e] for e in HELPED)
    grouped = any(counts[e] < min_cell for e in HELPED)
    hidden = {e for e, c in counts.items() if c < min_cell or (grouped and e in HELPED)}
    helped_shown = helped_total if helped_total >= min_cell else None
    row = {"suppressed": False, "helped_count": helped_shown,
           **{f"effect_{e.value}": (None if e in hidden else c) for e, c in counts.items()}}
    others_group = [e for e in RATED if e not in HELPED]
    others = sum(0 if e in hidden else counts[e] for e in others_group)
    helped = helped_shown or 0
    row["members"] = helped + others + (0 if Effect.cant_tell in hidden else counts[Effect.cant_tell])
    if helped + others > 0:
        row["helped_share"] = round(helped / (helped + others), 4)
        top = max(0, min_cell - 1)

        def others_at(hidden_value):
            return sum(hidden_value if e in hidden else counts[e] for e in others_group)
        helped_at = (lambda _: helped) if helped_shown is not None else (lambda hidden_value: hidden_value)
        helped_var, others_var = len(HELPED) * cell_variance, len(others_group) * cell_variance
        low = privacy.noisy_share_interval(helped_at(0), others_at(top), helped_var, others_var)
        high = privacy.noisy_share_interval(helped_at(top), others_at(0), helped_var, others_var)
        row["ci_low"] = round(low[0] if low else 0.0, 4)
        row["ci_high"] = round(high[1] if high else 1.0, 4)
    return row
