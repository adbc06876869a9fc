"""The privacy arithmetic of a statistics release: noise calibrated per member, thresholds and intervals.

Privacy unit: one member. A release counts at most `bound` treatments per
member (STATS_MAX_TREATMENTS_PER_MEMBER, the member's most recent statements,
chosen in SQL without looking at the answers). For each counted treatment the
member adds one to one effect cell, and at most `MAX_SIDE_EFFECTS` side
effects and `MAX_SYMPTOMS` symptoms. Adding or removing one member therefore
moves the effect histogram (all treatments × effects together) by at most
`bound` in L1 distance, and each of the side-effect and symptom histograms by
at most 3·`bound`. OpenDP's own privacy maps calibrate each histogram's
discrete Laplace scale to its part of epsilon at that distance, and their sum
(basic sequential composition) is the epsilon the release spends per member.

Everything after the noise is post-processing, which costs no budget: member
counts are sums of noisy cells, publication is decided on those sums (never
on a true count), shares and intervals come from the noisy cells.
"""
import math
import random
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version

import opendp.prelude as dp

dp.enable_features("contrib")

Z_95 = 1.959963984540054  # the 97.5th percentile of the standard normal: a two-sided 95% interval
MAX_SIDE_EFFECTS = 3
MAX_SYMPTOMS = 3
EFFECT_CELLS = 6  # the effect scale: major, moderate, slight, none, worse, cant_tell
# Effects decide what members read first (publication, shares), so they get most of the budget.
EFFECT_SHARE, SIDE_EFFECT_SHARE, SYMPTOM_SHARE = 0.6, 0.2, 0.2
# Above the maximum, noise protects next to nothing (a typo such as 100 for 1.0 must not slip
# through); below the minimum, noise drowns every count, so nothing would ever be published.
MIN_EPSILON, MAX_EPSILON = 0.01, 10.0
EPSILON_RULE = f"Give a number from {MIN_EPSILON:g} to {MAX_EPSILON:g}."
EXACT_RULE = f"{EPSILON_RULE} 0 (exact counts, no noise) is only allowed in the test configuration."
# Most (treatment, side effect) pairs are truly zero, so noise alone would list many side effects
# nobody reported; a listed one must be a count that noise alone reaches at most 1 time in 20.
FALSE_ITEM_CHANCE = 0.05
# A treatment nobody tried must rarely be published with made-up numbers: its noisy member count
# (the sum of six noisy cells) must reach a level that noise alone reaches at most 1 time in 500,
# so that with 22 treatments about one release in 25 shows one that nobody tried.
FALSE_PUBLISH_CHANCE = 0.002


@lru_cache(maxsize=64)
def _laplace(scale: float):
    """OpenDP's integer Laplace mechanism over a vector of counts: independent noise per cell."""
    return dp.m.make_laplace(dp.vector_domain(dp.atom_domain(T=int)), dp.l1_distance(T=int), scale=scale)


@lru_cache(maxsize=64)
def calibrated_scale(sensitivity: int, epsilon: float) -> float:
    """The smallest noise scale whose OpenDP privacy map gives at most `epsilon` at this L1 distance."""
    return dp.binary_search_param(_laplace, d_in=sensitivity, d_out=epsilon, T=float)


@dataclass(frozen=True)
class NoisePlan:
    """Noise scales for one release; all None when epsilon is 0 (exact counts, tests only)."""
    epsilon: float
    bound: int
    effect_scale: float | None
    side_effect_scale: float | None
    symptom_scale: float | None

    @property
    def exact(self) -> bool:
        return self.effect_scale is None

    @property
    def sensitivities(self) -> tuple[int, int, int]:
        """How far one member can move each histogram (L1): effects, side effects, symptoms."""
        return self.bound, MAX_SIDE_EFFECTS * self.bound, MAX_SYMPTOMS * self.bound

    def spent(self) -> float:
        """The epsilon per member, as OpenDP's privacy maps account for it (sequential composition)."""
        if self.exact:
            return 0.0
        scales = (self.effect_scale, self.side_effect_scale, self.symptom_scale)
        return sum(_laplace(scale).map(d_in) for scale, d_in in zip(scales, self.sensitivities))

    @property
    def cell_variance(self) -> float:
        return 0.0 if self.exact else discrete_laplace_variance(self.effect_scale)

    @property
    def side_effect_floor(self) -> int:
        return noise_floor(self.side_effect_scale)

    @property
    def symptom_floor(self) -> int:
        return noise_floor(self.symptom_scale)

    def publish_threshold(self, min_members: int) -> int:
        """The noisy member count from which a treatment is published."""
        if self.exact:
            return min_members
        return max(min_members, sum_noise_floor(self.effect_scale, EFFECT_CELLS, FALSE_PUBLISH_CHANCE))

    def describe(self) -> str:
        """The mechanism, as stored with the release (at most 200 characters) and shown to members."""
        if self.exact:
            return "No noise (epsilon 0, test configuration): exact counts."
        return (f"OpenDP {version('opendp')} discrete Laplace, ε={self.epsilon:g} per member, "
                f"≤{self.bound} treatments each: effects 60% (scale {self.effect_scale:.3g}); "
                f"≤{MAX_SIDE_EFFECTS} side effects 20% (scale {self.side_effect_scale:.3g}); "
                f"≤{MAX_SYMPTOMS} symptoms 20%.")


def noise_plan(epsilon: float, bound: int = 1, allow_exact: bool = False) -> NoisePlan:
    """Noise calibrated so that one member, counted for at most `bound` treatments, costs `epsilon`."""
    if not isinstance(bound, int) or bound < 1:
        raise ValueError("The number of treatments counted per member must be at least 1.")
    if not math.isfinite(epsilon) or not (MIN_EPSILON <= epsilon <= MAX_EPSILON
                                          or (allow_exact and epsilon == 0)):
        raise ValueError(EXACT_RULE if epsilon == 0 else EPSILON_RULE)
    if epsilon == 0:
        return NoisePlan(0.0, bound, None, None, None)
    return NoisePlan(epsilon, bound,
                     calibrated_scale(bound, epsilon * EFFECT_SHARE),
                     calibrated_scale(MAX_SIDE_EFFECTS * bound, epsilon * SIDE_EFFECT_SHARE),
                     calibrated_scale(MAX_SYMPTOMS * bound, epsilon * SYMPTOM_SHARE))


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


@lru_cache(maxsize=64)
def sum_noise_floor(scale: float, cells: int, chance: float) -> int:
    """The smallest t with P(N_1 + … + N_cells >= t) <= chance, for independent discrete Laplace N_i.

    Exact (the distribution of the sum is convolved, tails beyond 1e-12 dropped) for the scales
    releases use; a normal approximation with a margin of one scale for very small epsilons.
    """
    q = math.exp(-1 / scale)
    reach = math.ceil(math.log(1e-12) / math.log(q))
    if reach > 1500:
        sd = math.sqrt(cells * discrete_laplace_variance(scale))
        return math.ceil(_normal_quantile(1 - chance) * sd + scale)
    single = [(1 - q) / (1 + q) * q ** abs(k) for k in range(-reach, reach + 1)]
    total = [1.0]
    for _ in range(cells):
        total = _convolve(total, single)
    offset = reach * cells  # total[i] is P(sum = i - offset)
    tail = 0.0
    for i in range(len(total) - 1, -1, -1):
        if tail + total[i] > chance:
            return i - offset + 1
        tail += total[i]
    return -offset


def _convolve(a: list[float], b: list[float]) -> list[float]:
    out = [0.0] * (len(a) + len(b) - 1)
    for i, x in enumerate(a):
        if x < 1e-15:
            continue
        for j, y in enumerate(b):
            out[i + j] += x * y
    return out


def _normal_quantile(p: float) -> float:
    low, high = -10.0, 10.0
    for _ in range(100):
        mid = (low + high) / 2
        if 0.5 * math.erfc(-mid / math.sqrt(2)) < p:
            low = mid
        else:
            high = mid
    return (low + high) / 2


def clamp(value: int, low: int = 0, high: int | None = None) -> int:
    value = max(low, value)
    return value if high is None else min(high, value)


def wilson_interval(successes: float, total: float, z: float = Z_95) -> tuple[float, float] | None:
    """The Wilson score interval for a proportion; None without observations.

    Unlike p ± z·se it stays inside [0, 1] and is honest about small groups.
    """
    if total <= 0:
        return None
    p = successes / total
    z2 = z * z
    centre = (p + z2 / (2 * total)) / (1 + z2 / total)
    half = z / (1 + z2 / total) * math.sqrt(max(0.0, p * (1 - p) / total + z2 / (4 * total * total)))
    return max(0.0, centre - half), min(1.0, centre + half)


def noisy_share_interval(helped: float, others: float, helped_noise_var: float, others_noise_var: float,
                         z: float = Z_95) -> tuple[float, float] | None:
    """A 95% interval for helped / (helped + others) when both counts carry noise of known variance.

    The delta method gives the share's variance as sampling p(1-p)/n plus noise
    ((1-p)²·Var_h + p²·Var_o)/n²; the Wilson interval is then taken at the
    effective number of members n·sampling/(sampling + noise), so noise widens the
    interval exactly as fewer members would. p is Wilson's centre, which keeps the
    variance positive at shares of 0 and 1.
    """
    n = helped + others
    if n <= 0:
        return None
    z2 = z * z
    centre = (helped + z2 / 2) / (n + z2)
    sampling = centre * (1 - centre) / n
    noise = ((1 - centre) ** 2 * helped_noise_var + centre ** 2 * others_noise_var) / (n * n)
    effective = n * sampling / (sampling + noise)
    return wilson_interval(helped / n * effective, effective, z)


def sample_discrete_laplace(scale: float, rng: random.Random) -> int:
    """One draw of the discrete Laplace noise, for simulations (releases use OpenDP's sampler)."""
    q = math.exp(-1 / scale)

    def geometric() -> int:
        return int(math.log(1 - rng.random()) / math.log(q)) if q > 0 else 0
    return geometric() - geometric()
