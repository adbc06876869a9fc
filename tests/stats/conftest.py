"""Factories for statistics tests: statements written straight through the models.

`stats_data` gives report(...), ballot(...), crowd(n), poll(treatment) and
publish(epsilon=0). Times default to now, so a later call is a later statement.
Side effects are slugs, or (slug, severity) pairs.
"""
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.experiences.models import (Duration, ExperienceReport, ExperienceSideEffect, Severity, UsageStatus,
                                    experience_symptoms)
from app.extensions import db
from app.members.models import Member
from app.polls.models import Ballot, BallotChoice, Effect, Poll, PollKind
from app.stats.models import StatsRelease, TreatmentStats
from app.vocabulary.models import SideEffect, Tag


@pytest.fixture
def stats_data(app, vocabulary, make_member, forum):
    from app.polls import services as polls

    class StatsData:
        def __init__(self):
            self._polls: dict[str, Poll] = {}
            self._serial = 0
            self._owner = None

        def tag(self, slug: str) -> Tag:
            return db.session.scalar(sa.select(Tag).where(Tag.slug == slug))

        def crowd(self, count: int, **attrs) -> list[Member]:
            """`count` members inserted at once (no password hashing), each with `attrs`."""
            start = self._serial
            self._serial += count
            rows = [{"handle": f"crowd{i}", "handle_key": f"crowd{i}", "email": f"crowd{i}@example.org",
                     "password_hash": "x", **attrs} for i in range(start, start + count)]
            db.session.execute(sa.insert(Member), rows)
            db.session.commit()
            return list(db.session.scalars(sa.select(Member).where(
                Member.handle_key.in_([r["handle_key"] for r in rows])).order_by(Member.id)))

        def report(self, member: Member, treatment_slug: str, effect: str | Effect, share: bool = True,
                   symptoms=(), side_effects=(), at: datetime | None = None) -> ExperienceReport:
            """Creates or replaces the member's report on the treatment, as of `at`."""
            at = at or utcnow()
            treatment = self.tag(treatment_slug)
            report = db.session.scalar(sa.select(ExperienceReport).where(
                ExperienceReport.member_id == member.id, ExperienceReport.treatment_id == treatment.id))
            if report is None:
                report = ExperienceReport(member_id=member.id, treatment_id=treatment.id, duration=Duration.m1_6,
                                          status=UsageStatus.current, created_at=at)
                db.session.add(report)
            report.effect, report.share_in_stats, report.updated_at = Effect(effect), share, at
            db.session.flush()
            db.session.execute(sa.delete(experience_symptoms).where(experience_symptoms.c.report_id == report.id))
            db.session.execute(sa.delete(ExperienceSideEffect).where(ExperienceSideEffect.report_id == report.id))
            for slug in symptoms:
                db.session.execute(sa.insert(experience_symptoms).values(report_id=report.id,
                                                                         tag_id=self.tag(slug).id))
            for item in side_effects:  # a slug, or (slug, severity)
                slug, severity = (item, "mild") if isinstance(item, str) else item
                side_effect = db.session.scalar(sa.select(SideEffect).where(SideEffect.slug == slug))
                db.session.add(ExperienceSideEffect(report_id=report.id, side_effect_id=side_effect.id,
                                                    severity=Severity(severity)))
            db.session.commit()
            db.session.expire_all()
            return report

        def poll(self, treatment_slug: str) -> Poll:
            """The experience poll used for ballots on this treatment (made on first use)."""
            if treatment_slug not in self._polls:
                if self._owner is None:
                    self._owner = make_member("poll_owner")
                thread = forum.thread(self._owner, title=f"How did {treatment_slug} work for you?",
                                      tags=[treatment_slug])
                poll = polls.create_poll(self._owner, thread.id, f"Did {treatment_slug} help you?",
                                         PollKind.experience.value, treatment=treatment_slug)
                self._polls[treatment_slug] = db.session.get(Poll, poll.id)
            return self._polls[treatment_slug]

        def ballot(self, member: Member, treatment_slug: str, effect: str | Effect,
                   at: datetime | None = None) -> Ballot:
            """Casts or replaces the member's ballot in the treatment's experience poll, as of `at`."""
            at = at or utcnow()
            poll = self.poll(treatment_slug)
            option = next(o for o in poll.options if o.effect == Effect(effect))
            ballot = db.session.scalar(sa.select(Ballot).where(Ballot.poll_id == poll.id,
                                                               Ballot.member_id == member.id))
            if ballot is None:
                ballot = Ballot(poll_id=poll.id, member_id=member.id, created_at=at)
                db.session.add(ballot)
            ballot.updated_at = at
            db.session.flush()
            db.session.execute(sa.delete(BallotChoice).where(BallotChoice.ballot_id == ballot.id))
            db.session.add(BallotChoice(ballot_id=ballot.id, option_id=option.id, poll_id=poll.id))
            db.session.commit()
            return ballot

        def publish(self, epsilon: float = 0, admin: Member | None = None):
            """Publishes a release with this privacy budget (0: exact counts)."""
            from app.stats.services import publish_release
            return publish_release(admin, epsilon=epsilon)

    return StatsData()


# Stored releases written straight through the models, for the pages and API that read them.

@pytest.fixture
def tag_of(vocabulary):
    def find(slug: str) -> Tag:
        return db.session.scalar(sa.select(Tag).where(Tag.slug == slug))
    return find


@pytest.fixture
def make_release(app):
    def make(epsilon=1.0, min_members=10, min_cell=5, ago_days=0, mechanism=None, published=0, suppressed=0):
        release = StatsRelease(epsilon=epsilon, min_members=min_members, min_cell=min_cell,
                               created_at=utcnow() - timedelta(days=ago_days),
                               mechanism=mechanism or f"OpenDP discrete Laplace, epsilon {epsilon:g}",
                               treatments_published=published, treatments_suppressed=suppressed)
        db.session.add(release)
        db.session.commit()
        return release
    return make


@pytest.fixture
def add_stats(tag_of):
    """One treatment's stored numbers; `effects` are (major, moderate, slight, none, worse, cant_tell)."""
    def add(release, slug, members=None, helped=None, effects=(None,) * 6, side_effects=(), symptoms=(),
            suppressed=False, tag=None):
        tag = tag or tag_of(slug)
        share, low, high = helped or (None, None, None)
        row = TreatmentStats(release_id=release.id, treatment_id=tag.id, treatment_slug=tag.slug,
                             treatment_name=tag.name, suppressed=suppressed, members=members,
                             helped_share=share, ci_low=low, ci_high=high,
                             side_effects=list(side_effects), symptoms=list(symptoms),
                             **dict(zip(["effect_major", "effect_moderate", "effect_slight", "effect_none",
                                         "effect_worse", "effect_cant_tell"], effects)))
        db.session.add(row)
        db.session.commit()
        return row
    return add
