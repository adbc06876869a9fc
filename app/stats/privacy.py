"""The privacy arithmetic of a statistics release: noise, clamping and intervals.

Privacy unit: one member's latest statement about one treatment. It adds one
to one effect cell (sensitivity 1), and at most `MAX_SIDE_EFFECTS` side
effects and `MAX_SYMPTOMS` symptoms (sensitivity 3 each). The release's
epsilon is split across those three histograms, so each statement is
protected by epsilon in total; a member who speaks about k treatments is
covered by k·epsilon by sequential composition, and every release spends its
epsilon again. The members count is the sum of the noisy, clamped effect
cells: post-processing, which costs no budget (clamping each empty cell at 0
adds about +1 per empty cell at epsilon 1; nothing at scale).

Outside the differential-privacy guarantee, as PRODUCT.md asks: a treatment
is published only when its true member count reaches STATS_MIN_MEMBERS, and a
treatment is listed (suppressed or not) only when at least one member counts.
"""
import math
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version

import opendp.prelude as dp

dp.enable_features("contrib")

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal: a two-sided 95% interval
MAX_SIDE_EFFECTS = 3
MAX_SYMPTOMS = 3
# Effects are what members read first, so they get half of the budget and the least noise.
EFFECT_SHARE, SIDE_EFFECT_SHARE, SYMPTOM_SHARE = 0.5, 0.25, 0.25
# Above the maximum, noise protects next to nothing (a typo such as 100 for 1.0 must not slip
# through); below the minimum, noise drowns every count, so nothing would ever be published.
MIN_EPSILON, MAX_EPSILON = 0.01, 10.0
EPSILON_RULE = f"Give 0 (no noise, exact counts) or a number from {MIN_EPSILON:g} to {MAX_EPSILON:g}."
# Most (treatment, side effect) pairs are truly zero, so noise alone would list many side effects
# nobody reported; a listed one must be a count that noise alone reaches at most 1 time in 20.
FALSE_ITEM_CHANCE = 0.05


@dataclass(frozen=True)
class NoisePlan:
    """Noise scales for one release; all None when epsilon is 0 (exact counts)."""
    epsilon: float
    effect_scale: float | None
    side_effect_scale: float | None
    symptom_scale: float | None

    @property
    def exact(self) -> bool:
        return self.effect_scale is None

    def spent(self) -> float:
        """The epsilon per statement as OpenDP's own privacy maps account for it."""
        if self.exact:
            return 0.0
        return (_laplace(self.effect_scale).map(1)
                + _laplace(self.side_effect_scale).map(MAX_SIDE_EFFECTS)
                + _laplace(self.symptom_scale).map(MAX_SYMPTOMS))

    @property
    def side_effect_floor(self) -> int:
        return noise_floor(self.side_effect_scale)

    @property
    def symptom_floor(self) -> int:
        return noise_floor(self.symptom_scale)

    def describe(self) -> str:
        """The mechanism, as stored with the release (at most 200 characters) and shown to members."""
        if self.exact:
            return "No noise (epsilon 0): exact counts."
        return (f"OpenDP {version('opendp')} discrete Laplace, ε={self.epsilon:g} per member per treatment: "
                f"effects ½ (scale {self.effect_scale:.3g}); ≤{MAX_SIDE_EFFECTS} side effects ¼ "
                f"(scale {self.side_effect_scale:.3g}, listed from {self.side_effect_floor}); ≤{MAX_SYMPTOMS} "
                f"symptoms ¼ (scale {self.symptom_scale:.3g}, from {self.symptom_floor}).")


def noise_plan(epsilon: float) -> NoisePlan:
    if not math.isfinite(epsilon) or not (epsilon == 0 or MIN_EPSILON <= epsilon <= MAX_EPSILON):
        raise ValueError(EPSILON_RULE)
    if epsilon == 0:
        return NoisePlan(0.0, None, None, None)
    return NoisePlan(epsilon, 1 / (epsilon * EFFECT_SHARE), MAX_SIDE_EFFECTS / (epsilon * SIDE_EFFECT_SHARE),
                     MAX_SYMPTOMS / (epsilon * SYMPTOM_SHARE))


@lru_cache(maxsize=16)
def _laplace(scale: float):
    """OpenDP's integer Laplace mechanism over a vector of counts: independent noise per cell."""
    return dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=scale)


def noisy_counts(counts: list[int], scale: float | None) -> list[int]:
    """Each count plus its own discrete Laplace noise; unchanged when `scale` is None."""
    if scale is None or not counts:
        return list(counts)
    return list(_laplace(scale)(list(counts)))


def discrete_laplace_variance(scale: float) -> float:
    """Var of the noise, P(k) ∝ exp(-|k|/scale): 2q/(1-q)² with q = exp(-1/scale)."""
    q = math.exp(-1 / scale)
    return 2 * q / (1 - q) ** 2


def noise_floor(scale: float | None, chance: float = FALSE_ITEM_CHANCE) -> int:
    """The smallest count t that noise alone reaches with probability at most `chance`.

    For the discrete Laplace noise N, P(N >= t) = q^t / (1 + q) with q = exp(-1/scale).
    """
    if scale is None:
        return 0
    q = math.exp(-1 / scale)
    return max(0, math.ceil(math.log(chance * (1 + q)) / math.log(q)))


def clamp(value: int, low: int = 0, high: int | None = None) -> int:
    value = max(low, value)
    return value if high is None else min(high, value)


def wilson_interval(successes: int, total: int, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion; None without observations.

    Unlike p ± z·se it stays inside [0, 1] and is honest about small groups.
    """
    if total <= 0:
        return None
    p = successes / total
    z2 = z * z
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = z / (1 + z2 / total) * math.sqrt(p * (1 - p) / total + z2 / (4 * total * total))
    return max(0.0, centre - half), min(1.0, centre + half)
