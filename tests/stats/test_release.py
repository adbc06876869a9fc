"""Computing releases: who counts, which statement wins, suppression, shares, storage, the command."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.core.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.forum.models import PostStatus, Thread
from app.members.models import MemberStatus, Role
from app.stats import release as release_module
from app.stats.models import StatsRelease, TreatmentStats
from app.stats.privacy import wilson_interval
from app.vocabulary.models import Tag, TagKind


def stats_for(published, slug="baclofen") -> TreatmentStats | None:
    return db.session.scalar(sa.select(TreatmentStats).where(
        TreatmentStats.release_id == published.id, TreatmentStats.treatment_slug == slug))


def effects(row: TreatmentStats) -> dict:
    return {e: getattr(row, f"effect_{e}") for e in ("major", "moderate", "slight", "none", "worse", "cant_tell")}


class TestThresholds:
    @pytest.mark.parametrize("count, suppressed", [(9, True), (10, False)])
    def test_a_treatment_needs_ten_members(self, stats_data, count, suppressed):
        for member in stats_data.crowd(count):
            stats_data.report(member, "baclofen", "major")
        row = stats_for(stats_data.publish(0))
        assert row.suppressed is suppressed
        if suppressed:
            assert row.members is None and set(effects(row).values()) == {None}
            assert row.helped_share is row.ci_low is row.ci_high is None
            assert row.side_effects == [] and row.symptoms == []
        else:
            # Moderate and slight are under five, so the helped answers are published as one group.
            assert row.members == 10 and row.helped_count == 10 and row.effect_major is None
            assert row.helped_share == 1.0

    @pytest.mark.parametrize("small, shown", [(4, None), (5, 5)])
    def test_an_effect_cell_under_five_is_null(self, stats_data, small, shown):
        people = stats_data.crowd(10 + small)
        for member in people[:10]:
            stats_data.report(member, "baclofen", "major")
        for member in people[10:]:
            stats_data.report(member, "baclofen", "worse")
        row = stats_for(stats_data.publish(0))
        assert row.effect_worse == shown and row.effect_none is None
        # A hidden cell counts as 0 in every total, so no total gives it away; its possible values
        # (0 to 4) widen the interval instead, so hiding "worse" does not make the interval flatter.
        counted = small if shown else 0
        assert row.members == 10 + counted and row.helped_share == round(10 / (10 + counted), 4)
        low, _ = wilson_interval(10, 10 + small)
        assert row.ci_low <= round(low, 4)

    @pytest.mark.parametrize("small, listed", [(4, False), (5, True)])
    def test_a_side_effect_or_symptom_under_five_is_left_out(self, stats_data, small, listed):
        for i, member in enumerate(stats_data.crowd(10)):
            extra = i < small
            stats_data.report(member, "baclofen", "major", symptoms=("clonus",) + (("cramps",) if extra else ()),
                              side_effects=("drowsiness",) + (("nausea",) if extra else ()))
        row = stats_for(stats_data.publish(0))
        assert [s["slug"] for s in row.side_effects] == ["drowsiness"] + (["nausea"] if listed else [])
        assert [s["slug"] for s in row.symptoms] == ["clonus"] + (["cramps"] if listed else [])
        assert row.side_effects[0] == {"slug": "drowsiness", "name": "Drowsiness", "count": 10, "share": 1.0}
        if listed:
            assert row.symptoms[1] == {"slug": "cramps", "name": "Cramps", "count": 5, "share": 0.5}

    def test_thresholds_follow_the_configuration(self, app, stats_data):
        app.config.update(STATS_MIN_MEMBERS=3, STATS_MIN_CELL=2)
        for member in stats_data.crowd(3):
            stats_data.report(member, "baclofen", "none")
        published = stats_data.publish(0)
        assert (published.min_members, published.min_cell) == (3, 2)
        assert stats_for(published).effect_none == 3


class TestWhoCounts:
    @pytest.fixture
    def ten(self, stats_data):
        people = stats_data.crowd(10)
        for member in people:
            stats_data.report(member, "baclofen", "major")
        return people

    @pytest.mark.parametrize("exclude", ["report_not_shared", "ballot_without_consent", "deleted", "removed_thread",
                                         "hidden_thread"])
    def test_exclusions(self, app, stats_data, ten, exclude):
        app.config["STATS_MIN_CELL"] = 1  # so that one member's answer would show
        (member,) = stats_data.crowd(1)
        if exclude == "report_not_shared":
            stats_data.report(member, "baclofen", "worse", share=False)
        elif exclude == "ballot_without_consent":
            member.stats_consent = False
            stats_data.ballot(member, "baclofen", "worse")
        else:
            stats_data.ballot(member, "baclofen", "worse")
        if exclude == "deleted":
            member.status = MemberStatus.deleted
        elif exclude.endswith("_thread"):
            thread = db.session.get(Thread, stats_data.poll("baclofen").thread_id)
            thread.status = PostStatus.removed if exclude == "removed_thread" else PostStatus.hidden
        db.session.commit()
        row = stats_for(stats_data.publish(0))
        assert row.members == 10 and row.effect_worse is None

    @pytest.mark.parametrize("until", [timedelta(days=3), -timedelta(days=1), None])
    def test_suspended_members_still_count(self, app, stats_data, ten, until):
        """Suspension is moderation, not consent: it must not be a way to take someone out of the numbers."""
        app.config["STATS_MIN_CELL"] = 1
        (member,) = stats_data.crowd(1)
        stats_data.ballot(member, "baclofen", "worse")
        member.status, member.suspended_until = MemberStatus.suspended, until and utcnow() + until
        db.session.commit()
        row = stats_for(stats_data.publish(0))
        assert row.members == 11 and row.effect_worse == 1

    def test_the_same_member_counts_when_included(self, stats_data, ten):
        (member,) = stats_data.crowd(1, suspended_until=utcnow() - timedelta(days=1))
        stats_data.ballot(member, "baclofen", "major")
        assert stats_for(stats_data.publish(0)).members == 11

    def test_a_member_counts_once_per_treatment(self, stats_data, ten):
        for member in ten:
            stats_data.ballot(member, "baclofen", "major", at=utcnow() - timedelta(days=30))
        assert stats_for(stats_data.publish(0)).members == 10

    def test_every_treatment_of_the_vocabulary_is_in_every_release(self, stats_data, ten, vocabulary):
        (member,) = stats_data.crowd(1)
        stats_data.report(member, "tizanidine", "major", share=False)
        published = stats_data.publish(0)
        treatments = set(db.session.scalars(sa.select(Tag.slug).where(Tag.kind == TagKind.treatment)))
        assert {r.treatment_slug for r in published.treatments} == treatments and len(treatments) > 20
        assert (published.treatments_published, published.treatments_suppressed) == (1, len(treatments) - 1)


class TestLatestStatementWins:
    def test_a_later_ballot_replaces_a_report(self, stats_data):
        people = stats_data.crowd(10)
        earlier, later = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
        for i, member in enumerate(people):
            stats_data.report(member, "baclofen", "major", side_effects=("drowsiness",), at=earlier)
            if i < 5:
                stats_data.ballot(member, "baclofen", "worse", at=later)
        row = stats_for(stats_data.publish(0))
        assert (row.members, row.helped_count, row.effect_worse) == (10, 5, 5)
        # Side effects come from winning reports only.
        assert row.side_effects == [{"slug": "drowsiness", "name": "Drowsiness", "count": 5, "share": 0.5}]

    def test_a_later_report_replaces_a_ballot(self, stats_data):
        people = stats_data.crowd(10)
        earlier, later = utcnow() - timedelta(days=2), utcnow() - timedelta(days=1)
        for i, member in enumerate(people):
            stats_data.ballot(member, "baclofen", "worse", at=earlier)
            if i < 6:
                stats_data.report(member, "baclofen", "moderate", at=later)
        row = stats_for(stats_data.publish(0))
        # Four "worse" are hidden, so they count as 0 in the member count and the share.
        assert (row.members, row.helped_count, row.effect_worse) == (6, 6, None)
        assert row.helped_share == 1.0 and row.ci_low <= round(wilson_interval(6, 10)[0], 4)

    def test_on_a_tie_the_report_wins(self, stats_data):
        at = utcnow() - timedelta(hours=1)
        for member in stats_data.crowd(10):
            stats_data.ballot(member, "baclofen", "worse", at=at)
            stats_data.report(member, "baclofen", "slight", at=at)
        row = stats_for(stats_data.publish(0))
        assert row.helped_count == 10 and row.effect_worse is None

    def test_withholding_consent_in_the_latest_report_withdraws_the_member(self, stats_data):
        people = stats_data.crowd(11)
        for member in people:
            stats_data.ballot(member, "baclofen", "major", at=utcnow() - timedelta(days=2))
        # No falling back to the older ballot: the latest statement said "do not count me".
        stats_data.report(people[0], "baclofen", "worse", share=False, at=utcnow() - timedelta(days=1))
        row = stats_for(stats_data.publish(0))
        assert (row.members, row.helped_count) == (10, 10)

    def test_a_later_ballot_without_consent_withdraws_the_members_report(self, stats_data):
        people = stats_data.crowd(11)
        for member in people:
            stats_data.report(member, "baclofen", "major", at=utcnow() - timedelta(days=2))
        people[0].stats_consent = False
        stats_data.ballot(people[0], "baclofen", "major", at=utcnow() - timedelta(days=1))
        assert stats_for(stats_data.publish(0)).members == 10

    def test_at_most_three_side_effects_per_report_most_severe_first(self, stats_data):
        for member in stats_data.crowd(10):
            stats_data.report(member, "baclofen", "major", side_effects=(
                ("drowsiness", "mild"), ("nausea", "severe"), ("dizziness", "moderate"), ("dry-mouth", "mild"),
                ("confusion", "severe")))
        row = stats_for(stats_data.publish(0))
        # Severe ones first, then moderate, then by id: drowsiness comes before dry mouth.
        assert sorted(s["slug"] for s in row.side_effects) == ["confusion", "dizziness", "nausea"]


class TestSharesAndNoise:
    def test_noisy_numbers_are_clamped_and_consistent(self, stats_data):
        people = stats_data.crowd(120)
        for i, member in enumerate(people):
            stats_data.report(member, "baclofen", ("major", "moderate", "none", "worse", "cant_tell", "slight")[i % 6],
                              side_effects=("drowsiness",) if i % 2 else ())
        published = stats_data.publish(1.0)
        row = stats_for(published)
        cells = effects(row)
        assert not row.suppressed and all(c is None or c >= 5 for c in cells.values())
        shown = {e: c or 0 for e, c in cells.items()}
        assert row.members == sum(shown.values())
        helped = shown["major"] + shown["moderate"] + shown["slight"]
        rated = helped + shown["none"] + shown["worse"]
        assert row.helped_share == round(helped / rated, 4)
        # The interval carries the noise: wider than the one that would ignore it.
        low, high = wilson_interval(helped, rated)
        assert row.ci_low < low and row.ci_high > high
        assert 0 <= row.ci_low <= row.helped_share <= row.ci_high <= 1
        for item in row.side_effects + row.symptoms:
            assert 0 < item["count"] <= row.members and item["share"] == round(item["count"] / row.members, 4)
        assert published.epsilon == 1.0 and "OpenDP" in published.mechanism

    def test_epsilon_zero_gives_exact_counts_and_says_so(self, stats_data):
        people = stats_data.crowd(23)
        for i, member in enumerate(people):
            stats_data.report(member, "baclofen", "major" if i < 8 else "none" if i < 18 else "cant_tell")
        published = stats_data.publish(0)
        row = stats_for(published)
        # Moderate and slight are under five: the helped answers are published as one group of 8.
        assert effects(row) == {"major": None, "moderate": None, "slight": None, "none": 10, "worse": None,
                                "cant_tell": 5}
        assert row.helped_count == 8 and row.members == 23
        # Without noise the interval is Wilson's, widened for the hidden "worse": 4 at the lower end, 0 at the upper.
        low, high = wilson_interval(8, 22)[0], wilson_interval(8, 18)[1]
        assert (row.helped_share, row.ci_low, row.ci_high) == (0.4444, round(low, 4), round(high, 4))
        assert published.epsilon == 0 and "exact" in published.mechanism

    def test_the_default_epsilon_comes_from_the_configuration(self, app, stats_data):
        app.config["STATS_EPSILON"] = 0.5
        from app.stats.services import publish_release
        assert publish_release(None).epsilon == 0.5


class TestStorage:
    def test_a_release_is_a_stored_snapshot(self, stats_data):
        people = stats_data.crowd(30)
        for member in people:
            stats_data.report(member, "baclofen", "major")
        first = stats_data.publish(1.0)
        before = [(r.members, effects(r), r.helped_share) for r in first.treatments]
        for member in people:
            stats_data.report(member, "baclofen", "worse")
        db.session.expire_all()
        assert [(r.members, effects(r), r.helped_share) for r in first.treatments] == before
        assert stats_for(stats_data.publish(0)).effect_worse == 30

    def test_aggregation_is_a_fixed_number_of_statements(self, stats_data, count_queries):
        def statements_for_release() -> int:
            with count_queries() as queries:
                stats_data.publish(1.0)
            return queries.count

        for member in stats_data.crowd(12):
            stats_data.report(member, "baclofen", "major", symptoms=("clonus",), side_effects=("nausea",))
            stats_data.ballot(member, "tizanidine", "none")
        small = statements_for_release()
        for member in stats_data.crowd(120):
            stats_data.report(member, "baclofen", "slight", symptoms=("clonus", "pain"), side_effects=("fatigue",))
            stats_data.ballot(member, "tizanidine", "worse")
        # Three reads, the release row, the ledger read and entry, the release's totals and one
        # executemany for every treatment (PostgreSQL: two more, the ledger lock and the sort memory).
        assert small == statements_for_release() <= 10

    def test_only_admins_publish(self, stats_data, make_member):
        for role in (Role.member, Role.moderator):
            with pytest.raises(NotAllowed):
                stats_data.publish(0, admin=make_member(role=role))
        admin = make_member("boss", role=Role.admin)
        assert stats_data.publish(0, admin=admin).created_by_id == admin.id

    @pytest.mark.parametrize("epsilon", [-0.5, 11, "lots"])
    def test_a_bad_epsilon_writes_nothing(self, stats_data, epsilon):
        with pytest.raises(InvalidInput) as error:
            stats_data.publish(epsilon)
        assert "epsilon" in error.value.errors
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatsRelease)) == 0

    def test_a_failure_leaves_no_half_written_release(self, stats_data, monkeypatch):
        for member in stats_data.crowd(10):
            stats_data.report(member, "baclofen", "major")
        build = release_module.build_treatment_stats

        def broken(*args):
            return [dict(row, treatment_slug=None) for row in build(*args)]
        monkeypatch.setattr(release_module, "build_treatment_stats", broken)
        with pytest.raises(sa.exc.IntegrityError):
            stats_data.publish(0)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatsRelease)) == 0
        assert db.session.scalar(sa.select(sa.func.count()).select_from(TreatmentStats)) == 0


class TestCommand:
    def test_release_prints_steps_and_a_summary(self, runner, stats_data):
        for member in stats_data.crowd(10):
            stats_data.report(member, "baclofen", "major")
            stats_data.ballot(member, "tizanidine", "major")
        stats_data.ballot(member, "dantrolene", "none")
        result = runner.invoke(args=["stats", "release", "--epsilon", "0"])
        assert result.exit_code == 0, result.output
        assert "counting statements" in result.output
        assert result.output.strip().splitlines()[-1].startswith(
            "Release 1: 2 treatments published, 20 suppressed, ε=0 (at most 3 treatments per member), ")

    def test_if_older_than_skips_a_recent_release(self, runner, stats_data):
        result = runner.invoke(args=["stats", "release", "--if-older-than", "7d", "--epsilon", "0"])
        assert result.exit_code == 0 and result.output.strip().splitlines()[-1].startswith("Release 1:")
        result = runner.invoke(args=["stats", "release", "--if-older-than", "7d"])
        assert result.exit_code == 0 and "no new release" in result.output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatsRelease)) == 1
        old = db.session.scalar(sa.select(StatsRelease))
        old.created_at = utcnow() - timedelta(days=8)
        db.session.commit()
        result = runner.invoke(args=["stats", "release", "--if-older-than", "7d"])
        assert result.exit_code == 0 and result.output.strip().splitlines()[-1].startswith("Release 2:")

    def test_the_demo_publishes_a_first_release_only(self, stats_data):
        from app.ops import demo
        for member in stats_data.crowd(100):  # enough that noise cannot pull it under the threshold
            stats_data.report(member, "baclofen", "major")
        first = demo.build_demo_release()
        assert stats_for(first).suppressed is False and first.epsilon == 1.0
        assert demo.build_demo_release() is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatsRelease)) == 1

    @pytest.mark.parametrize("args, message", [
        (["--epsilon", "-1"], "epsilon: Give a number from 0.01 to 10"),
        (["--epsilon", "many"], "is not a valid float"),
        (["--if-older-than", "soon"], "is not an age"),
    ])
    def test_bad_options_publish_nothing(self, runner, stats_data, args, message):
        result = runner.invoke(args=["stats", "release", *args])
        assert result.exit_code == 2 and message in result.output
        assert db.session.scalar(sa.select(sa.func.count()).select_from(StatsRelease)) == 0
