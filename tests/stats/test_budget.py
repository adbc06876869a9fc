"""The privacy budget: every release is charged to a ledger, and a release that would overspend is refused."""
import math
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.core.db import utcnow
from app.core.errors import Conflict, InvalidInput
from app.extensions import db
from app.members.models import Role
from app.stats import privacy
from app.stats.models import PrivacySpend, StatsRelease


@pytest.fixture
def admin(make_member):
    return make_member("budget_admin", role=Role.admin)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def ledger() -> list[float]:
    return list(db.session.scalars(sa.select(PrivacySpend.epsilon).order_by(PrivacySpend.id)))


class TestLedger:
    def test_every_release_records_what_opendp_says_it_spent(self, app, stats_data):
        release = stats_data.publish(0.5)
        (spend,) = db.session.scalars(sa.select(PrivacySpend))
        plan = privacy.noise_plan(0.5, app.config["STATS_MAX_TREATMENTS_PER_MEMBER"])
        assert spend.release_id == release.id and spend.spent_at == release.created_at
        assert spend.epsilon == pytest.approx(plan.spent()) and spend.epsilon <= 0.5

    def test_releases_fit_until_the_budget_is_spent_then_are_refused(self, app, stats_data):
        assert app.config["STATS_EPSILON_BUDGET"] == 4.0 and app.config["STATS_EPSILON"] == 1.0
        for _ in range(4):
            stats_data.publish(1.0)
        with pytest.raises(Conflict) as refused:
            stats_data.publish(0.01)
        assert "already spent 4 of the budget of 4" in refused.value.detail
        assert count(StatsRelease) == 4 and len(ledger()) == 4

    def test_spending_older_than_365_days_is_available_again(self, stats_data):
        for _ in range(4):
            stats_data.publish(1.0)
        oldest = db.session.scalar(sa.select(PrivacySpend).order_by(PrivacySpend.id))
        oldest.spent_at = utcnow() - timedelta(days=365, minutes=1)
        db.session.commit()
        assert stats_data.publish(1.0).epsilon == 1.0
        with pytest.raises(Conflict):
            stats_data.publish(1.0)

    def test_the_refusal_says_when_the_next_release_becomes_possible(self, stats_data):
        for _ in range(4):
            stats_data.publish(1.0)
        spends = list(db.session.scalars(sa.select(PrivacySpend).order_by(PrivacySpend.id)))
        for days, spend in zip((300, 200, 100, 10), spends):
            spend.spent_at = utcnow() - timedelta(days=days)
        db.session.commit()
        with pytest.raises(Conflict) as refused:
            stats_data.publish(1.0)
        # 1.0 is freed when the oldest spend (300 days ago) leaves the window, in 65 days.
        when = spends[0].spent_at + timedelta(days=365)
        assert f"becomes possible on {when:%Y-%m-%d %H:%M} UTC" in refused.value.detail
        with pytest.raises(Conflict) as refused:
            stats_data.publish(2.0)  # needs the two oldest gone
        assert f"{spends[1].spent_at + timedelta(days=365):%Y-%m-%d %H:%M}" in refused.value.detail

    def test_more_than_the_whole_budget_is_never_possible(self, app, stats_data):
        app.config["STATS_EPSILON_BUDGET"] = 2.0
        with pytest.raises(Conflict, match="more than the whole budget"):
            stats_data.publish(3.0)

    def test_deleting_a_release_does_not_give_its_budget_back(self, stats_data):
        for _ in range(4):
            stats_data.publish(1.0)
        db.session.execute(sa.delete(StatsRelease))
        db.session.commit()
        assert len(ledger()) == 4
        with pytest.raises(Conflict):
            stats_data.publish(1.0)


class TestEpsilonZero:
    """Exact counts exist for the test configuration only; anywhere else epsilon 0 is refused."""

    @pytest.fixture(autouse=True)
    def production_rules(self, app):
        app.config["STATS_ALLOW_EXACT"] = False

    def test_the_service_refuses_it(self, stats_data):
        with pytest.raises(InvalidInput) as error:
            stats_data.publish(0)
        assert "only allowed in the test configuration" in error.value.errors["epsilon"][0]
        assert count(StatsRelease) == 0

    def test_a_configured_zero_is_refused_too(self, app, stats_data):
        app.config["STATS_EPSILON"] = 0
        with pytest.raises(InvalidInput):
            stats_data.publish(None)

    def test_the_api_answers_422(self, client, vocabulary, admin, api_headers):
        response = client.post("/api/v1/stats/releases", headers=api_headers(admin), json={"epsilon": 0})
        assert response.status_code == 422 and response.mimetype == "application/problem+json"
        assert "epsilon" in response.get_json()["errors"] and count(StatsRelease) == 0

    def test_the_command_refuses_it(self, runner, vocabulary):
        result = runner.invoke(args=["stats", "release", "--epsilon", "0"])
        assert result.exit_code == 2 and "epsilon:" in result.output and "test configuration" in result.output
        assert count(StatsRelease) == 0


class TestRefusalOutside:
    def test_the_api_answers_409_problem_json(self, client, vocabulary, admin, api_headers):
        for _ in range(4):
            assert client.post("/api/v1/stats/releases", headers=api_headers(admin)).status_code == 201
        response = client.post("/api/v1/stats/releases", headers=api_headers(admin))
        assert response.status_code == 409 and response.mimetype == "application/problem+json"
        assert "STATS_EPSILON_BUDGET" in response.get_json()["detail"] and count(StatsRelease) == 4

    def test_the_command_exits_1_with_a_sentence(self, runner, vocabulary):
        for _ in range(4):
            assert runner.invoke(args=["stats", "release"]).exit_code == 0
        result = runner.invoke(args=["stats", "release"])
        assert result.exit_code == 1
        assert result.output.startswith("No release: This release would spend ε=1, but the releases of the last "
                                        "365 days already spent 4 of the budget of 4")
        assert "becomes possible on" in result.output and count(StatsRelease) == 4

    def test_the_budget_endpoint_and_command_say_when(self, client, runner, stats_data):
        body = client.get("/api/v1/stats/budget").get_json()
        assert body == {"budget": 4.0, "window_days": 365, "spent": 0.0, "remaining": 4.0, "epsilon": 1.0,
                        "next_release_possible_at": body["next_release_possible_at"]}
        for _ in range(4):
            stats_data.publish(1.0)
        body = client.get("/api/v1/stats/budget").get_json()
        first = db.session.scalar(sa.select(PrivacySpend.spent_at).order_by(PrivacySpend.id))
        assert body["remaining"] == 0 and body["next_release_possible_at"].startswith(
            f"{first + timedelta(days=365):%Y-%m-%dT%H:%M}")
        assert "possible from" in runner.invoke(args=["stats", "budget"]).output

    def test_the_transparency_page_states_the_guarantee_and_the_next_release(self, client, stats_data):
        for _ in range(4):
            stats_data.publish(1.0)
        text = " ".join(client.get("/stats/about").get_data(as_text=True).split())
        assert ("In any 365 days, everything Thaw publishes changes by at most a factor e<sup>ε</sup> whether or "
                "not you shared, with ε = 4") in text
        first = db.session.scalar(sa.select(PrivacySpend.spent_at).order_by(PrivacySpend.id))
        when = first + timedelta(days=365)
        assert f"becomes possible on {when.day} {when:%B %Y, %H:%M} UTC" in text
        assert "spent ε = 4 of 4; 0 is left" in text


def test_averaging_many_releases_is_stopped_by_the_budget(client, stats_data, admin, api_headers):
    """The attack: publish many releases before and after a member changes an answer, average, compare.

    It worked with unlimited releases (200 + 200 showed one changed answer at about 4 standard
    deviations). Now the ledger stops the releases once the year's budget is spent, whatever epsilon
    each asks for, and what could be published leaves one member's change deep inside the noise.
    """
    people = stats_data.crowd(300)
    for i, member in enumerate(people):
        stats_data.report(member, "baclofen", "major" if i % 2 else "worse")
    target = people[1]
    headers = api_headers(admin)

    def worse_counts(releases: int, epsilon: float) -> list[int]:
        seen = []
        for _ in range(releases):
            response = client.post("/api/v1/stats/releases", headers=headers, json={"epsilon": epsilon})
            if response.status_code == 409:
                break
            assert response.status_code == 201
            seen.append(client.get("/api/v1/stats/treatments/baclofen").get_json()["effect"]["worse"])
        return seen

    before = worse_counts(4, 0.5)
    stats_data.report(target, "baclofen", "worse")
    after = worse_counts(200, 0.5)
    # The budget of 4 pays for eight releases at 0.5, not 400; then nothing more, even at 0.01.
    assert len(before) == len(after) == 4
    assert client.post("/api/v1/stats/releases", headers=headers, json={"epsilon": 0.01}).status_code == 409
    # The attacker's estimate of the change, mean(after) - mean(before), has this standard deviation:
    scale = privacy.noise_plan(0.5, 3).effect_scale
    spread = math.sqrt(2 * privacy.discrete_laplace_variance(scale) / 4)
    assert spread > 9  # against a change of one member
    # Splitting the budget differently does not help: one release of 2 on each side is the best case.
    best = math.sqrt(2 * privacy.discrete_laplace_variance(privacy.noise_plan(2.0, 3).effect_scale))
    assert best > 4.5


def test_a_bad_bound_in_the_configuration_is_named_not_a_500(client, app, vocabulary, admin, api_headers):
    app.config["STATS_MAX_TREATMENTS_PER_MEMBER"] = 0
    response = client.post("/api/v1/stats/releases", headers=api_headers(admin))
    assert response.status_code == 422 and "STATS_MAX_TREATMENTS_PER_MEMBER" in response.get_json()["errors"]
    assert count(StatsRelease) == 0
