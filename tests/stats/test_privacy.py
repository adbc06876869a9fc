"""The privacy arithmetic: Wilson intervals, OpenDP noise against its epsilon, clamping."""
import math
import statistics

import pytest

from app.stats import privacy

DRAWS = 100_000


class TestWilsonInterval:
    # Newcombe (1998), "Two-sided confidence intervals for the single proportion", table I,
    # and each checked by solving (x/n - p)² = z²·p(1-p)/n for p.
    @pytest.mark.parametrize("successes, total, low, high", [
        (8, 10, 0.4902, 0.9433),
        (0, 10, 0.0, 0.2775),
        (10, 10, 0.7225, 1.0),
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (1, 29, 0.0061, 0.1718),
    ])
    def test_known_values(self, successes, total, low, high):
        got_low, got_high = privacy.wilson_interval(successes, total)
        assert (round(got_low, 4), round(got_high, 4)) == (low, high)

    def test_no_observations_has_no_interval(self):
        assert privacy.wilson_interval(0, 0) is None

    def test_interval_narrows_as_members_grow_around_the_same_share(self):
        widths = [high - low for low, high in (privacy.wilson_interval(n * 8, n * 10) for n in (1, 10, 100))]
        assert widths[0] > widths[1] > widths[2]


class TestNoise:
    @pytest.mark.parametrize("epsilon", [0.5, 1.0, 2.0])
    def test_spread_matches_the_epsilon(self, epsilon):
        plan = privacy.noise_plan(epsilon, bound=2)
        # One member moves at most two effect cells (two treatments) by one: the scale is 2 / (60% of epsilon).
        assert plan.effect_scale == pytest.approx(2 / (0.6 * epsilon), rel=1e-6)
        draws = privacy.noisy_counts([0] * DRAWS, plan.effect_scale)
        expected = privacy.discrete_laplace_variance(plan.effect_scale)
        # The sample variance's relative standard error here is about sqrt(5 / DRAWS) = 0.7%.
        assert statistics.variance(draws) == pytest.approx(expected, rel=0.03)
        assert abs(statistics.fmean(draws)) < 5 * math.sqrt(expected / DRAWS)
        assert all(isinstance(d, int) for d in draws[:100])

    def test_zero_noise_probability_matches_discrete_laplace(self):
        scale = privacy.noise_plan(1.0).effect_scale
        q = math.exp(-1 / scale)
        draws = privacy.noisy_counts([7] * DRAWS, scale)
        assert draws.count(7) / DRAWS == pytest.approx((1 - q) / (1 + q), abs=0.01)

    def test_side_effect_noise_is_wider_for_three_per_treatment_on_a_fifth_of_the_budget(self):
        plan = privacy.noise_plan(1.0, bound=3)
        # Three treatments, three side effects each: one member moves the histogram by up to 9.
        assert plan.side_effect_scale == pytest.approx(45.0, rel=1e-6) == plan.symptom_scale
        draws = privacy.noisy_counts([0] * DRAWS, plan.side_effect_scale)
        assert statistics.variance(draws) == pytest.approx(privacy.discrete_laplace_variance(45.0), rel=0.03)

    @pytest.mark.parametrize("bound", [1, 3, 8])
    def test_opendp_accounts_the_whole_epsilon_per_member(self, bound):
        for epsilon in (0.1, 1.0, 3.0):
            plan = privacy.noise_plan(epsilon, bound)
            assert plan.spent() == pytest.approx(epsilon, rel=1e-6) and plan.spent() <= epsilon
            # OpenDP's own map, at one member's whole contribution, is what the plan spends.
            assert privacy._laplace(plan.effect_scale).map(bound) == pytest.approx(0.6 * epsilon, rel=1e-6)
        assert privacy.noise_plan(0, allow_exact=True).spent() == 0

    def test_more_treatments_per_member_means_proportionally_more_noise(self):
        assert privacy.noise_plan(1.0, 6).effect_scale == pytest.approx(2 * privacy.noise_plan(1.0, 3).effect_scale)

    def test_noise_floor_is_reached_by_noise_alone_at_most_one_time_in_twenty(self):
        scale = privacy.noise_plan(1.0).side_effect_scale
        floor = privacy.noise_floor(scale)
        q = math.exp(-1 / scale)
        assert q ** floor / (1 + q) <= 0.05 < q ** (floor - 1) / (1 + q)
        draws = privacy.noisy_counts([0] * DRAWS, scale)
        assert sum(d >= floor for d in draws) / DRAWS == pytest.approx(q ** floor / (1 + q), abs=0.005)

    def test_epsilon_zero_is_exact(self):
        plan = privacy.noise_plan(0, allow_exact=True)
        assert plan.exact and plan.effect_scale is None and privacy.noise_floor(plan.side_effect_scale) == 0
        counts = list(range(50))
        assert privacy.noisy_counts(counts, plan.effect_scale) == counts
        assert "exact" in plan.describe()

    def test_noise_is_drawn_afresh_each_time(self):
        scale = privacy.noise_plan(1.0).effect_scale
        assert privacy.noisy_counts([100] * 200, scale) != privacy.noisy_counts([100] * 200, scale)

    @pytest.mark.parametrize("epsilon", [-1, 0, 0.001, 10.5, math.inf, math.nan])
    def test_epsilon_out_of_range_is_refused(self, epsilon):
        with pytest.raises(ValueError, match="0.01 to 10"):
            privacy.noise_plan(epsilon)

    @pytest.mark.parametrize("epsilon", [0.01, 0.333333, 1, 10])
    def test_mechanism_text_fits_its_column_and_names_the_library(self, epsilon):
        text = privacy.noise_plan(epsilon).describe()
        assert len(text) <= 200 and "OpenDP" in text and f"ε={epsilon:g}" in text


def test_clamp():
    assert privacy.clamp(-3) == 0
    assert privacy.clamp(7) == 7
    assert privacy.clamp(12, 0, 10) == 10
