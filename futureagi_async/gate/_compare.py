"""A candidate execution against a baseline: per eval, a test and a verdict in three words.

- Pass/Fail evals: McNemar's exact test on the discordant pairs when both executions ran
  the same scenarios (calls are paired within a scenario, in call id order, which knows
  nothing of their outcomes), else Fisher's exact test on the two pass rates.
- Score evals: the Mann-Whitney U test.
- Across evals, p-values are adjusted for false discoveries (Benjamini-Hochberg by
  default). When nothing changed every finding is a false one, so this also bounds the
  chance that an unchanged agent is called a regression by `alpha`.

Verdicts: **regression** when the adjusted p-value is below `alpha` and the drop is larger
than `tolerance` points; otherwise **no regression** when the sample could have detected a
drop of `tolerance` points (80 % power at `alpha` shared among the evals), else
**inconclusive**, with the smallest drop the sample could detect and the calls that would
detect one of `tolerance` points. Pass rates are percent; score evals are on their 0-1
scale, where `tolerance` points are hundredths.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from statistics import fmean
from typing import Any, Literal

import attrs

from . import _stats
from ._errors import GateInputError
from ._outcomes import PASS_FAIL, CallOutcome, EvalKind, ExecutionOutcomes

__all__ = [
    "INCONCLUSIVE",
    "NO_REGRESSION",
    "REGRESSION",
    "Comparison",
    "EvalComparison",
    "Verdict",
    "check_comparable",
    "compare_outcomes",
]

Verdict = Literal["no regression", "regression", "inconclusive"]
NO_REGRESSION: Verdict = "no regression"
REGRESSION: Verdict = "regression"
INCONCLUSIVE: Verdict = "inconclusive"
_SEVERITY = {NO_REGRESSION: 0, INCONCLUSIVE: 1, REGRESSION: 2}


@attrs.frozen
class EvalComparison:
    """One eval, baseline against candidate.

    Values are percent for a Pass/Fail eval (`rate`) and the mean score for a score eval;
    intervals are at `1 - alpha` confidence (Wilson for rates, Student t for means).
    `difference` is candidate minus baseline, in points for rates. `min_detectable_drop`
    and `tolerance` are in the eval's own unit; `calls_needed` is per execution.
    """

    name: str
    kind: EvalKind
    test: str
    paired: bool
    baseline_n: int
    candidate_n: int
    baseline_value: float | None
    baseline_interval: tuple[float, float] | None
    candidate_value: float | None
    candidate_interval: tuple[float, float] | None
    difference: float | None
    p_value: float
    adjusted_p: float
    verdict: Verdict
    tolerance: float
    min_detectable_drop: float
    calls_needed: int | None

    @property
    def statistic(self) -> str:
        """What the values are: a pass rate for Pass/Fail evals, a mean score otherwise."""
        return "pass rate" if self.kind == PASS_FAIL else "mean score"

    def format_value(self, value: float | None) -> str:
        if value is None:
            return "-"
        return f"{value:.1f}%" if self.kind == PASS_FAIL else f"{value:.3f}"

    def format_with_interval(
        self, value: float | None, interval: tuple[float, float] | None
    ) -> str:
        text = self.format_value(value)
        if interval is not None:
            text += f" [{self.format_value(interval[0])}, {self.format_value(interval[1])}]"
        return text

    def format_difference(self) -> str:
        if self.difference is None:
            return "-"
        if self.kind == PASS_FAIL:
            return f"{self.difference:+.1f} pts"
        return f"{self.difference:+.3f}"

    def _amount(self, value: float) -> str:
        if self.kind == PASS_FAIL:
            return f"{value:.1f} points"
        return f"{value:.3f}"

    @property
    def explanation(self) -> str:
        """One line saying why the verdict is what it is."""
        if self.verdict == REGRESSION:
            drop = -(self.difference or 0.0)
            return (
                f"{self.statistic} dropped {self._amount(drop)} "
                f"({self.format_value(self.baseline_value)} -> "
                f"{self.format_value(self.candidate_value)}), beyond the tolerance of "
                f"{self._amount(self.tolerance)}; p = {self.adjusted_p:.2g} after correction"
            )
        if self.verdict == NO_REGRESSION:
            return (
                f"no drop beyond the tolerance of {self._amount(self.tolerance)}: this sample "
                f"would have detected a drop of {self._amount(self.min_detectable_drop)}"
            )
        if not (self.baseline_n and self.candidate_n):
            return "too few calls to tell: no completed outputs on one side"
        needed = (
            f"about {self.calls_needed} calls per execution would detect a drop of "
            f"{self._amount(self.tolerance)}"
            if self.calls_needed is not None
            else f"no sample size detects a drop of {self._amount(self.tolerance)} from here"
        )
        return (
            f"too few calls to tell: the smallest drop this sample could detect is "
            f"{self._amount(self.min_detectable_drop)}; {needed}"
        )

    def to_dict(self) -> dict[str, Any]:
        def finite(value: float) -> float | None:
            return value if math.isfinite(value) else None

        return {
            "eval": self.name,
            "kind": self.kind,
            "statistic": self.statistic,
            "test": self.test,
            "paired": self.paired,
            "baseline": {
                "n": self.baseline_n,
                "value": self.baseline_value,
                "interval": self.baseline_interval,
            },
            "candidate": {
                "n": self.candidate_n,
                "value": self.candidate_value,
                "interval": self.candidate_interval,
            },
            "difference": self.difference,
            "p_value": self.p_value,
            "adjusted_p": self.adjusted_p,
            "verdict": self.verdict,
            "tolerance": self.tolerance,
            "min_detectable_drop": finite(self.min_detectable_drop),
            "calls_needed": self.calls_needed,
            "explanation": self.explanation,
        }


@attrs.frozen
class Comparison:
    """Every compared eval; `verdict` is the worst of theirs (regression, then inconclusive)."""

    run_test_name: str | None
    baseline_execution_id: str
    candidate_execution_id: str
    alpha: float
    tolerance: float
    correction: _stats.Correction
    evals: tuple[EvalComparison, ...]

    @property
    def verdict(self) -> Verdict:
        worst = max((e.verdict for e in self.evals), key=_SEVERITY.__getitem__, default=None)
        return worst or NO_REGRESSION

    @property
    def regressed(self) -> tuple[EvalComparison, ...]:
        return tuple(e for e in self.evals if e.verdict == REGRESSION)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_test_name": self.run_test_name,
            "baseline_execution_id": self.baseline_execution_id,
            "candidate_execution_id": self.candidate_execution_id,
            "alpha": self.alpha,
            "tolerance": self.tolerance,
            "correction": self.correction,
            "verdict": self.verdict,
            "evals": [e.to_dict() for e in self.evals],
        }


def _check_settings(alpha: float, tolerance: float, correction: str) -> None:
    if not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise GateInputError(f"alpha must be between 0 and 1 (e.g. 0.05), got {alpha!r}")
    if not isinstance(tolerance, int | float) or not 0 < tolerance < 100:
        raise GateInputError(
            f"tolerance must be more than 0 and less than 100 points, got {tolerance!r} "
            "(no sample size can rule out every drop)"
        )
    if correction not in ("bh", "by"):
        raise GateInputError(f"correction must be 'bh' or 'by', got {correction!r}")


def check_comparable(baseline: ExecutionOutcomes, candidate: ExecutionOutcomes) -> None:
    """Refuse a pair that cannot be compared, naming why (`GateInputError`)."""
    if baseline.execution_id and baseline.execution_id == candidate.execution_id:
        raise GateInputError(
            f"the baseline is the candidate itself (execution {candidate.execution_id})"
        )
    if (
        baseline.run_test_name
        and candidate.run_test_name
        and baseline.run_test_name != candidate.run_test_name
    ):
        raise GateInputError(
            f"baseline execution {baseline.execution_id} is from run test "
            f"{baseline.run_test_name!r}, not {candidate.run_test_name!r}"
        )
    if not baseline.completed:
        raise GateInputError(
            f"baseline execution {baseline.execution_id} is "
            f"{baseline.status or 'of unknown status'}, not completed"
        )
    for side, mine, theirs in (
        ("baseline", baseline, candidate),
        ("candidate", candidate, baseline),
    ):
        only = [name for name in mine.evals if name not in theirs.evals]
        if only:
            raise GateInputError(
                f"eval {only[0]!r} is only in the {side} (execution {mine.execution_id}); "
                "both executions must run the same evals"
            )
    for name, kind in baseline.evals.items():
        if candidate.evals[name] != kind:
            raise GateInputError(
                f"eval {name!r} is {kind} in the baseline but {candidate.evals[name]} in the "
                "candidate"
            )


def _pairs(
    baseline: Sequence[CallOutcome], candidate: Sequence[CallOutcome], name: str
) -> list[tuple[bool, bool]] | None:
    """Outcomes paired by scenario, or None unless both ran the same scenarios."""
    sides: list[dict[str, list[bool]]] = []
    for calls in (baseline, candidate):
        by_scenario: dict[str, list[bool]] = defaultdict(list)
        for call in sorted(calls, key=lambda c: c.call_id):
            if name not in call.evals:
                continue
            if call.scenario_id is None:
                return None
            by_scenario[call.scenario_id].append(bool(call.evals[name]))
        sides.append(by_scenario)
    base, cand = sides
    if not base or base.keys() != cand.keys():
        return None
    return [pair for scenario in base for pair in zip(base[scenario], cand[scenario], strict=False)]


@attrs.frozen
class _Measured:
    """One eval's test before the correction across evals."""

    name: str
    kind: EvalKind
    test: str
    paired: bool
    base: list[float]
    cand: list[float]
    p_value: float
    effective_n: tuple[int, int]


def _measure(
    name: str, kind: EvalKind, base: ExecutionOutcomes, cand: ExecutionOutcomes
) -> _Measured:
    base_values = [float(v) for v in base.values(name)]
    cand_values = [float(v) for v in cand.values(name)]
    if kind != PASS_FAIL:
        p = _stats.score_p(base_values, cand_values)
        sizes = (len(base_values), len(cand_values))
        return _Measured(name, kind, "Mann-Whitney U", False, base_values, cand_values, p, sizes)
    pairs = _pairs(base.calls, cand.calls, name)
    if pairs is not None:
        worse = sum(b and not c for b, c in pairs)
        better = sum(c and not b for b, c in pairs)
        p = _stats.paired_proportion_p(worse, better)
        test = f"McNemar exact, {len(pairs)} pairs by scenario"
        return _Measured(
            name, kind, test, True, base_values, cand_values, p, (len(pairs), len(pairs))
        )
    p = _stats.unpaired_proportion_p(
        int(sum(base_values)), len(base_values), int(sum(cand_values)), len(cand_values)
    )
    sizes = (len(base_values), len(cand_values))
    return _Measured(name, kind, "Fisher exact", False, base_values, cand_values, p, sizes)


def _judge(
    measured: _Measured, adjusted_p: float, *, alpha: float, tolerance: float, evals: int
) -> EvalComparison:
    confidence = 1 - alpha
    shared_alpha = alpha / max(evals, 1)
    base, cand = measured.base, measured.cand
    n_base, n_cand = measured.effective_n
    if measured.kind == PASS_FAIL:
        unit_tolerance = tolerance
        base_value = 100 * fmean(base) if base else None
        cand_value = 100 * fmean(cand) if cand else None
        base_ci = _stats.proportion_interval(int(sum(base)), len(base), confidence)
        cand_ci = _stats.proportion_interval(int(sum(cand)), len(cand), confidence)
        rate = base_value if base_value is not None else 50.0
        mdd = _stats.min_detectable_drop_proportion(rate, n_base, n_cand, shared_alpha)
        needed = _stats.calls_needed_proportion(rate, tolerance, shared_alpha)
    else:
        unit_tolerance = tolerance / 100
        base_value = fmean(base) if base else None
        cand_value = fmean(cand) if cand else None
        base_ci = _stats.mean_interval(base, confidence)
        cand_ci = _stats.mean_interval(cand, confidence)
        mdd = _stats.min_detectable_drop_score(base, cand, shared_alpha)
        needed = _stats.calls_needed_score(base, cand, unit_tolerance, shared_alpha)
    difference = (
        cand_value - base_value if base_value is not None and cand_value is not None else None
    )
    drop = -difference if difference is not None else 0.0
    if adjusted_p < alpha and drop > unit_tolerance:
        verdict = REGRESSION
    elif mdd <= unit_tolerance:
        verdict = NO_REGRESSION
    else:
        verdict = INCONCLUSIVE
    return EvalComparison(
        name=measured.name,
        kind=measured.kind,
        test=measured.test,
        paired=measured.paired,
        baseline_n=len(base),
        candidate_n=len(cand),
        baseline_value=base_value,
        baseline_interval=base_ci,
        candidate_value=cand_value,
        candidate_interval=cand_ci,
        difference=difference,
        p_value=measured.p_value,
        adjusted_p=adjusted_p,
        verdict=verdict,
        tolerance=unit_tolerance,
        min_detectable_drop=mdd,
        calls_needed=needed,
    )


def compare_outcomes(
    baseline: ExecutionOutcomes,
    candidate: ExecutionOutcomes,
    *,
    alpha: float = 0.05,
    tolerance: float = 10.0,
    correction: _stats.Correction = "bh",
) -> Comparison:
    """Compare already-fetched outcomes; pure, no I/O. Raises `GateInputError` for a pair
    that cannot be compared and `StatisticsUnavailableError` without scipy."""
    _check_settings(alpha, tolerance, correction)
    check_comparable(baseline, candidate)
    measured = [_measure(name, kind, baseline, candidate) for name, kind in baseline.evals.items()]
    adjusted = _stats.adjust([m.p_value for m in measured], correction)
    evals = tuple(
        _judge(m, p, alpha=alpha, tolerance=tolerance, evals=len(measured))
        for m, p in zip(measured, adjusted, strict=True)
    )
    return Comparison(
        run_test_name=candidate.run_test_name or baseline.run_test_name,
        baseline_execution_id=baseline.execution_id,
        candidate_execution_id=candidate.execution_id,
        alpha=alpha,
        tolerance=tolerance,
        correction=correction,
        evals=evals,
    )
