"""Assertions in the vocabulary of the vendor's `fi` CLI: `SUBJECT.STATISTIC OP NUMBER`.

- `is_helpful.pass_rate >= 90`: a Pass/Fail eval's pass rate, percent (a template or its
  config's name). `0.9` is refused as a likely fraction; write `90`, or `0.9%`.
- `tone_score.avg >= 0.6`, `.min`, `.max`, `.p50`, `.p90`, `.p95`: a score eval, on the
  scores' own 0-1 scale. A score eval has no pass rate, and is never called one.
- `latency.p95 <= 1800`: the calls' `avg_agent_latency`, milliseconds; `duration.max <=
  600`: call durations, seconds; same statistics as scores.
- `failed_calls <= 2`: calls that failed; `runtime <= 900`: the execution's wall time,
  seconds.

Operators: `>=`, `>`, `<=`, `<`, `==`. Parsing needs no execution; `check` then refuses an
assertion naming an eval the execution lacks, or a statistic its kind does not have.
Percentiles interpolate linearly between calls (`statistics.quantiles`, inclusive).
"""

from __future__ import annotations

import math
import operator
import re
import statistics
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

import attrs

from ._errors import GateInputError
from ._outcomes import PASS_FAIL, ExecutionOutcomes

__all__ = [
    "Assertion",
    "AssertionResult",
    "can_still_pass",
    "check_assertions",
    "parse_assertion",
]

Op = Literal[">=", ">", "<=", "<", "=="]
_OPS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "==": operator.eq,
}
_PATTERN = re.compile(r"^\s*(?P<subject>.+?)\s*(?P<op>>=|<=|==|>|<)\s*(?P<value>[^<>=]*?)\s*$")
_DISTRIBUTION = ("avg", "min", "max", "p50", "p90", "p95")
_STATISTICS = ("pass_rate", *_DISTRIBUTION)
_CALL_MEASURES = {"latency": "ms", "duration": "s"}
_EXECUTION_MEASURES = {"failed_calls": "", "runtime": "s"}
_BIG = 1e300  # the best or worst a call still to come could do, kept finite


@attrs.frozen
class Assertion:
    """One parsed `--assert`; `subject` is an eval name, `latency`, `duration`,
    `failed_calls` or `runtime`; `statistic` is None for the last two."""

    text: str
    subject: str
    statistic: str | None
    op: Op
    value: float
    #: How the user wrote it, for messages (`--min-pass-rate 90` becomes assertions too).
    origin: str | None = attrs.field(default=None, eq=False)

    @property
    def source(self) -> str:
        return self.origin or f"--assert {self.text!r}"

    def holds(self, actual: float) -> bool:
        return _OPS[self.op](actual, self.value)


def _fail(text: str, what: str) -> GateInputError:
    return GateInputError(f"--assert {text!r}: {what}")


def _number(text: str, raw: str, *, percent: bool) -> float:
    explicit = raw.endswith("%")
    if explicit and not percent:
        raise _fail(text, "only a pass_rate is a percent; drop the %")
    try:
        value = float(raw.removesuffix("%"))
    except ValueError:
        raise _fail(text, f"{raw!r} is not a number") from None
    if not math.isfinite(value):
        raise _fail(text, f"{raw!r} is not a finite number")
    if percent:
        if not 0 <= value <= 100:
            raise _fail(text, "a pass_rate is a percent between 0 and 100, e.g. 90")
        if 0 < value <= 1 and not explicit:
            raise _fail(
                text,
                f"a pass_rate is a percent, e.g. 90 for 90 %, not a fraction; write "
                f"{value * 100:g}, or {raw}% if you really mean {raw} %",
            )
    return value


def parse_assertion(text: str) -> Assertion:
    """`'is_helpful.pass_rate >= 90'` -> Assertion; `GateInputError` naming what is wrong."""
    match = _PATTERN.match(text)
    if match is None or not match["value"]:
        raise _fail(
            text,
            "write SUBJECT.STATISTIC OP NUMBER, e.g. 'is_helpful.pass_rate >= 90' or "
            "'latency.p95 <= 1800'",
        )
    subject, op, raw = match["subject"], match["op"], match["value"]
    if subject in _EXECUTION_MEASURES:
        value = _number(text, raw, percent=False)
        if subject == "failed_calls" and value != int(value):
            raise _fail(text, "failed_calls is a count of calls")
        return Assertion(text, subject, None, op, value)  # type: ignore[arg-type]
    name, dot, statistic = subject.rpartition(".")
    if not dot or not name.strip():
        raise _fail(
            text,
            f"{subject!r} names no statistic: write EVAL.STATISTIC (one of "
            f"{', '.join(_STATISTICS)}), latency.p95, duration.max, failed_calls or runtime",
        )
    name = name.strip()
    if statistic not in _STATISTICS:
        raise _fail(
            text, f"unknown statistic {statistic!r}; the statistics are {', '.join(_STATISTICS)}"
        )
    if name in _CALL_MEASURES and statistic == "pass_rate":
        raise _fail(text, f"{name} has no pass rate; use {', '.join(_DISTRIBUTION)}")
    value = _number(text, raw, percent=statistic == "pass_rate")
    return Assertion(text, name, statistic, op, value)  # type: ignore[arg-type]


@attrs.frozen
class AssertionResult:
    """An assertion measured on an execution: `actual` is None when nothing was measured
    (no completed outputs), which fails, since nothing was shown to pass."""

    assertion: Assertion
    eval_name: str | None
    actual: float | None
    count: int
    unit: str

    @property
    def passed(self) -> bool:
        return self.actual is not None and self.assertion.holds(self.actual)

    @property
    def label(self) -> str:
        a = self.assertion
        subject = self.eval_name or a.subject
        return subject if a.statistic is None else f"{subject}.{a.statistic}"

    def format(self, value: float | None) -> str:
        if value is None:
            return "-"
        if self.unit == "%":
            return f"{value:.2f}%"
        if self.unit in ("ms", "s"):
            return f"{value:g} {self.unit}"
        return f"{value:.4g}"

    @property
    def expected(self) -> str:
        return f"{self.assertion.op} {self.format(self.assertion.value)}"

    @property
    def reason(self) -> str:
        if self.passed:
            return ""
        if self.actual is None:
            return f"{self.label}: no completed outputs"
        return f"{self.label} is {self.format(self.actual)}, not {self.expected}"


def _percentile(values: Sequence[float], k: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[k - 1]


def _summary(values: Sequence[float], statistic: str) -> float | None:
    if not values:
        return None
    if statistic in ("avg", "pass_rate"):
        mean = statistics.fmean(values)
        return 100 * mean if statistic == "pass_rate" else mean
    if statistic == "min":
        return min(values)
    if statistic == "max":
        return max(values)
    return _percentile(values, int(statistic[1:]))


def _known_subjects(outcomes: ExecutionOutcomes) -> str:
    names = [*outcomes.evals, *outcomes.aliases, *_CALL_MEASURES, *_EXECUTION_MEASURES]
    return ", ".join(names)


def _measure(
    assertion: Assertion, outcomes: ExecutionOutcomes
) -> tuple[str | None, list[float], str]:
    """(the eval name, the per-call values, their unit) an assertion is about."""
    subject, statistic = assertion.subject, assertion.statistic
    if subject in _CALL_MEASURES:
        if subject == "latency":
            values = [c.latency_ms for c in outcomes.calls if c.latency_ms is not None]
        else:
            values = [c.duration_seconds for c in outcomes.calls if c.duration_seconds is not None]
        return None, values, _CALL_MEASURES[subject]
    eval_name = outcomes.resolve(subject)
    if eval_name is None:
        raise GateInputError(
            f"{assertion.source}: no eval named {subject!r} in execution "
            f"{outcomes.execution_id}; the subjects are: {_known_subjects(outcomes)}"
        )
    kind = outcomes.evals[eval_name]
    if kind == PASS_FAIL and statistic != "pass_rate":
        raise GateInputError(
            f"{assertion.source}: {subject} is a Pass/Fail eval; its statistic "
            f"is pass_rate (e.g. '{subject}.pass_rate >= 90')"
        )
    if kind != PASS_FAIL and statistic == "pass_rate":
        raise GateInputError(
            f"{assertion.source}: {subject} is a score eval and has no pass rate; "
            f"its statistics are {', '.join(_DISTRIBUTION)} (e.g. '{subject}.avg >= 0.7')"
        )
    values = [float(v) for v in outcomes.values(eval_name)]
    return eval_name, values, "%" if kind == PASS_FAIL else ""


def _execution_value(assertion: Assertion, outcomes: ExecutionOutcomes) -> float | None:
    if assertion.subject == "failed_calls":
        return float(outcomes.failed_call_count())
    return outcomes.runtime_seconds


def check_assertion(assertion: Assertion, outcomes: ExecutionOutcomes) -> AssertionResult:
    if assertion.statistic is None:
        actual = _execution_value(assertion, outcomes)
        unit = _EXECUTION_MEASURES[assertion.subject]
        return AssertionResult(assertion, None, actual, len(outcomes.calls), unit)
    eval_name, values, unit = _measure(assertion, outcomes)
    return AssertionResult(
        assertion, eval_name, _summary(values, assertion.statistic), len(values), unit
    )


def check_assertions(
    assertions: Iterable[Assertion], outcomes: ExecutionOutcomes
) -> tuple[AssertionResult, ...]:
    """Measure every assertion; `GateInputError` for one naming what the execution lacks."""
    return tuple(check_assertion(a, outcomes) for a in assertions)


def can_still_pass(assertion: Assertion, outcomes: ExecutionOutcomes, remaining: int) -> bool:
    """Whether `assertion` could still hold after `remaining` more calls, whatever they do:
    each call to come is given the best value it could have for this assertion (a pass, the
    top score, zero latency...). `==` and `runtime` are only decided at the end."""
    if assertion.op == "==" or assertion.subject == "runtime":
        return True
    upward = assertion.op in (">=", ">")
    if assertion.statistic is None:  # failed_calls: calls to come can only add failures
        failed = float(outcomes.failed_call_count())
        return assertion.holds(failed + remaining if upward else failed)
    _, values, unit = _measure(assertion, outcomes)
    if unit == "%":
        best = 1.0 if upward else 0.0
    elif unit == "":  # scores: 0-1, unless this eval's scores say otherwise
        best = max([1.0, *values]) if upward else min([0.0, *values])
    else:  # latency and duration are never negative
        best = _BIG if upward else 0.0
    actual = _summary([*values, *[best] * remaining], assertion.statistic or "")
    return actual is None or assertion.holds(actual)
