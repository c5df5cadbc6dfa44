"""The statistics, all from `scipy.stats`, imported on first use.

scipy comes with the `gate` extra: without it the library still imports and assertions
work; only a comparison raises `StatisticsUnavailableError`, with the install line.

Every test is one-sided (is the candidate worse?): a drop is what fails a deploy, and an
improvement is never a regression.
"""

from __future__ import annotations

import importlib
import math
import statistics
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import ModuleType
from typing import Literal

from ._errors import StatisticsUnavailableError

__all__ = [
    "POWER",
    "Correction",
    "adjust",
    "calls_needed_proportion",
    "calls_needed_score",
    "mean_interval",
    "min_detectable_drop_proportion",
    "min_detectable_drop_score",
    "paired_proportion_p",
    "proportion_interval",
    "score_p",
    "unpaired_proportion_p",
]

Correction = Literal["bh", "by"]
#: The power at which "the smallest drop this sample could have detected" is stated.
POWER = 0.8


def _stats() -> ModuleType:
    try:
        return importlib.import_module("scipy.stats")
    except ImportError:
        raise StatisticsUnavailableError() from None


@contextmanager
def _quiet() -> Iterator[None]:
    """scipy warns about degenerate samples (all ties, identical values); the results it
    then gives are the right ones here, and a gate's output is no place for the warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def unpaired_proportion_p(base_pass: int, base_n: int, cand_pass: int, cand_n: int) -> float:
    """Fisher's exact test: is the candidate's pass rate lower than the baseline's?"""
    table = [[base_pass, base_n - base_pass], [cand_pass, cand_n - cand_pass]]
    return float(_stats().fisher_exact(table, alternative="greater").pvalue)


def paired_proportion_p(worse: int, better: int) -> float:
    """McNemar's exact test on the discordant pairs: `worse` pairs passed on the baseline
    and failed on the candidate, `better` the other way; under no change each discordant
    pair is either with probability 1/2."""
    if worse + better == 0:
        return 1.0
    return float(_stats().binomtest(worse, worse + better, 0.5, alternative="greater").pvalue)


def score_p(base: Sequence[float], cand: Sequence[float]) -> float:
    """Mann-Whitney U: do the baseline's scores tend to be higher than the candidate's?"""
    if not base or not cand:
        return 1.0
    with _quiet():
        p = float(_stats().mannwhitneyu(base, cand, alternative="greater").pvalue)
    return p if math.isfinite(p) else 1.0


def adjust(p_values: Sequence[float], method: Correction) -> list[float]:
    """p-values adjusted across evals (Benjamini-Hochberg, or Benjamini-Yekutieli)."""
    if not p_values:
        return []
    adjusted = _stats().false_discovery_control(list(p_values), method=method)
    return [float(p) for p in adjusted]


def proportion_interval(passed: int, n: int, confidence: float) -> tuple[float, float] | None:
    """Wilson interval of a pass rate, in percent."""
    if n == 0:
        return None
    ci = _stats().binomtest(passed, n).proportion_ci(confidence_level=confidence, method="wilson")
    return 100 * float(ci.low), 100 * float(ci.high)


def mean_interval(values: Sequence[float], confidence: float) -> tuple[float, float] | None:
    """Student-t interval of a mean score; None with fewer than two values."""
    if len(values) < 2:
        return None
    if min(values) == max(values):
        return float(values[0]), float(values[0])
    with _quiet():
        ci = _stats().ttest_1samp(values, 0.0).confidence_interval(confidence_level=confidence)
    return float(ci.low), float(ci.high)


def _z(alpha: float) -> float:
    norm = _stats().norm
    return float(norm.ppf(1 - alpha) + norm.ppf(POWER))


def min_detectable_drop_proportion(rate: float, base_n: int, cand_n: int, alpha: float) -> float:
    """The smallest drop (points) from `rate` (percent) that samples of these sizes detect
    with 80 % power at one-sided `alpha`: the normal approximation on Cohen's h (the
    arcsine of the square root), which stays sound near 0 % and 100 %."""
    if base_n == 0 or cand_n == 0:
        return math.inf
    h = _z(alpha) / math.sqrt(base_n * cand_n / (base_n + cand_n))
    angle = math.asin(math.sqrt(min(max(rate / 100, 0.0), 1.0)))
    lower = max(angle - h / 2, 0.0)
    return rate - 100 * math.sin(lower) ** 2


def calls_needed_proportion(rate: float, drop: float, alpha: float) -> int | None:
    """Calls per execution that detect a drop of `drop` points from `rate` with 80 % power;
    None when the drop would go below 0 %."""
    if drop <= 0 or rate - drop < 0:
        return None
    h = 2 * math.asin(math.sqrt(rate / 100)) - 2 * math.asin(math.sqrt((rate - drop) / 100))
    return math.ceil(2 * (_z(alpha) / h) ** 2)


def _pooled_sd(base: Sequence[float], cand: Sequence[float]) -> float:
    values = [*base, *cand]
    if len(values) < 2:
        return math.inf
    return statistics.stdev(values)


def min_detectable_drop_score(base: Sequence[float], cand: Sequence[float], alpha: float) -> float:
    """The smallest drop of the mean score these samples detect with 80 % power (normal
    approximation with the pooled standard deviation)."""
    if not base or not cand:
        return math.inf
    return _z(alpha) * _pooled_sd(base, cand) * math.sqrt(1 / len(base) + 1 / len(cand))


def calls_needed_score(
    base: Sequence[float], cand: Sequence[float], drop: float, alpha: float
) -> int | None:
    sd = _pooled_sd(base, cand)
    if drop <= 0 or not math.isfinite(sd):
        return None
    return max(2, math.ceil(2 * (_z(alpha) * sd / drop) ** 2))
