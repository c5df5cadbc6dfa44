"""The CI gate's decisions and reports, kept free of I/O so they can be tested on plain values.

The measuring is `futureagi_async.gate`'s (assertions, the comparison); this module turns
`--min-pass-rate` into assertions, decides the exit code, and writes the JUnit and JSON
reports. Naming an eval the execution does not have is an error, not a silent pass: a typo
in CI must not turn the gate off.

Exit codes: 0 passed (no regression), 1 failed (an assertion, the execution's status, or a
regression), 3 inconclusive (every assertion held but the comparison could not tell);
usage and API errors are 2, from the command line's one error path.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from ..gate import (
    INCONCLUSIVE,
    PASS_FAIL,
    REGRESSION,
    Assertion,
    AssertionResult,
    Comparison,
    ExecutionOutcomes,
    Verdict,
)
from ._errors import UsageError

__all__ = [
    "EXIT_FAILED",
    "EXIT_INCONCLUSIVE",
    "EXIT_PASSED",
    "TERMINAL_STATUSES",
    "FailedCall",
    "GateReport",
    "Thresholds",
    "failed_calls",
    "junit_xml",
    "parse_thresholds",
    "report_json",
    "threshold_assertions",
]

# An execution in one of these will not change any more, so its rates are final.
TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled"})
EXIT_PASSED = 0
EXIT_FAILED = 1
EXIT_INCONCLUSIVE = 3


@attrs.frozen
class Thresholds:
    """`default` applies to every Pass/Fail eval; `per_eval` overrides it by name."""

    default: float | None = None
    per_eval: dict[str, float] = attrs.Factory(dict)

    @property
    def empty(self) -> bool:
        return self.default is None and not self.per_eval


def _percent(text: str, spec: str) -> float:
    """A percent from 0 to 100. `0.9` is refused: it is 90 % written as a fraction far more
    often than it is 0.9 %, and a gate that silently passes is worse than one that asks.
    `0.9%` says percent explicitly and is taken as written."""
    text = text.strip()
    explicit = text.endswith("%")
    try:
        value = float(text.removesuffix("%"))
    except ValueError:
        raise UsageError(f"--min-pass-rate {spec!r}: {text!r} is not a number") from None
    if not math.isfinite(value) or not 0 <= value <= 100:
        raise UsageError(
            f"--min-pass-rate {spec!r}: the rate is a percent between 0 and 100, e.g. 90"
        )
    if 0 < value <= 1 and not explicit:
        raise UsageError(
            f"--min-pass-rate {spec!r}: the rate is a percent, e.g. 90 for 90 %, not a "
            f"fraction; write {value * 100:g} for {value * 100:g} %, or {text}% if you "
            f"really mean {text} %"
        )
    return value


def parse_thresholds(specs: Iterable[str]) -> Thresholds:
    """`["90", "is_helpful=95"]` -> default 90, is_helpful 95. Later specs win."""
    default: float | None = None
    per_eval: dict[str, float] = {}
    for spec in specs:
        name, sep, rate = spec.rpartition("=")
        if not sep:
            default = _percent(spec, spec)
            continue
        if not name.strip():
            raise UsageError(f"--min-pass-rate {spec!r}: the eval name is empty")
        per_eval[name.strip()] = _percent(rate, spec)
    return Thresholds(default, per_eval)


def threshold_assertions(thresholds: Thresholds, outcomes: ExecutionOutcomes) -> list[Assertion]:
    """`--min-pass-rate` as assertions: `EVAL.pass_rate >= N` for each eval it covers. A
    default that covers no eval is refused, since it would pass without checking anything."""
    assertions: list[Assertion] = []
    named = {outcomes.resolve(name) for name in thresholds.per_eval}
    if thresholds.default is not None:
        covered = [
            name for name, kind in outcomes.evals.items() if kind == PASS_FAIL and name not in named
        ]
        if not covered and not thresholds.per_eval:
            raise UsageError(
                f"--min-pass-rate {thresholds.default:g} applies to Pass/Fail evals, and "
                f"execution {outcomes.execution_id} has none"
            )
        assertions += [
            Assertion(
                f"{name}.pass_rate >= {thresholds.default:g}",
                name,
                "pass_rate",
                ">=",
                thresholds.default,
                origin=f"--min-pass-rate {thresholds.default:g}",
            )
            for name in covered
        ]
    assertions += [
        Assertion(
            f"{name}.pass_rate >= {rate:g}",
            name,
            "pass_rate",
            ">=",
            rate,
            origin=f"--min-pass-rate {name}={rate:g}",
        )
        for name, rate in thresholds.per_eval.items()
    ]
    return assertions


@attrs.frozen
class FailedCall:
    """A call that failed a gated eval, with the eval's own explanation."""

    call_id: str | None
    scenario: str | None
    eval_name: str
    reason: str | None


def failed_calls(
    outcomes: ExecutionOutcomes, eval_names: Iterable[str], limit: int
) -> list[FailedCall]:
    """The calls that failed each of `eval_names` (Pass/Fail), at most `limit` per eval."""
    wanted = {name for name in eval_names if outcomes.evals.get(name) == PASS_FAIL}
    found: list[FailedCall] = []
    per_eval: Counter[str] = Counter()
    for call in outcomes.calls:
        for name in sorted(wanted):
            if call.evals.get(name) is not False or per_eval[name] >= limit:
                continue
            per_eval[name] += 1
            found.append(FailedCall(call.call_id, call.scenario, name, call.reasons.get(name)))
    return found


@attrs.frozen
class GateReport:
    """Everything the gate decided about one execution."""

    run_test_name: str
    execution_id: str | None
    status: str | None
    results: tuple[AssertionResult, ...] = ()
    comparison: Comparison | None = None

    @property
    def status_ok(self) -> bool:
        return (self.status or "").casefold() == "completed"

    @property
    def failing(self) -> tuple[AssertionResult, ...]:
        return tuple(r for r in self.results if not r.passed)

    @property
    def verdict(self) -> Verdict | None:
        return None if self.comparison is None else self.comparison.verdict

    @property
    def passed(self) -> bool:
        return self.status_ok and not self.failing and self.verdict != REGRESSION

    @property
    def exit_code(self) -> int:
        if not self.passed:
            return EXIT_FAILED
        return EXIT_INCONCLUSIVE if self.verdict == INCONCLUSIVE else EXIT_PASSED

    @property
    def gated_evals(self) -> list[str]:
        """Evals whose failing calls are worth showing: failed assertions, regressions."""
        names = [r.eval_name for r in self.failing if r.eval_name]
        if self.comparison is not None:
            names += [e.name for e in self.comparison.regressed]
        return list(dict.fromkeys(names))

    def failure_lines(self) -> list[str]:
        lines = [r.reason for r in self.failing]
        if not self.status_ok:
            lines.insert(0, f"execution status is {self.status or 'unknown'}, not completed")
        if self.comparison is not None:
            lines += [f"{e.name}: regression: {e.explanation}" for e in self.comparison.regressed]
        return lines

    def summary_line(self) -> str:
        if not self.passed:
            return "gate FAILED: " + "; ".join(self.failure_lines())
        if self.verdict == INCONCLUSIVE:
            return "gate inconclusive: too few calls to tell a regression from noise"
        return "gate passed"


def _assertion_dict(result: AssertionResult) -> dict[str, Any]:
    return {
        "assertion": result.assertion.text,
        "check": result.label,
        "value": result.actual,
        "unit": result.unit,
        "count": result.count,
        "passed": result.passed,
        "reason": result.reason or None,
    }


def report_json(report: GateReport, failed: Sequence[FailedCall] = ()) -> dict[str, Any]:
    """The `--report-json` document."""
    return {
        "run_test_name": report.run_test_name,
        "execution_id": report.execution_id,
        "status": report.status,
        "passed": report.passed,
        "exit_code": report.exit_code,
        "verdict": report.verdict,
        "summary": report.summary_line(),
        "assertions": [_assertion_dict(r) for r in report.results],
        "comparison": None if report.comparison is None else report.comparison.to_dict(),
        "failed_calls": [attrs.asdict(f) for f in failed],
    }


def junit_xml(report: GateReport, failed_calls: Sequence[FailedCall] = ()) -> str:
    """A JUnit report: a test case per assertion and per compared eval, so CI shows which
    failed and why; an inconclusive comparison is a skipped case, not a pass."""
    comparisons = report.comparison.evals if report.comparison is not None else ()
    failures = (
        len(report.failing)
        + (not report.status_ok)
        + sum(e.verdict == REGRESSION for e in comparisons)
    )
    suite = ET.Element(
        "testsuite",
        name=f"futureagi-gate: {report.run_test_name}",
        tests=str(len(report.results) + len(comparisons) + 1),
        failures=str(failures),
        errors="0",
        skipped=str(sum(e.verdict == INCONCLUSIVE for e in comparisons)),
    )
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="execution_id", value=report.execution_id or "")
    ET.SubElement(props, "property", name="status", value=report.status or "")
    if report.comparison is not None:
        ET.SubElement(
            props, "property", name="baseline", value=report.comparison.baseline_execution_id
        )
    status_case = ET.SubElement(
        suite, "testcase", classname=report.run_test_name, name="execution status"
    )
    if not report.status_ok:
        ET.SubElement(status_case, "failure", message=report.failure_lines()[0])

    def reasons(eval_name: str | None) -> str | None:
        lines = [
            f"{call.scenario or call.call_id}: {call.reason or '(no reason given)'}"
            for call in failed_calls
            if call.eval_name == eval_name
        ]
        return "\n".join(lines) or None

    for result in report.results:
        case = ET.SubElement(
            suite, "testcase", classname=report.run_test_name, name=result.assertion.text
        )
        if not result.passed:
            failure = ET.SubElement(case, "failure", message=result.reason)
            failure.text = reasons(result.eval_name)
    for e in comparisons:
        case = ET.SubElement(
            suite, "testcase", classname=report.run_test_name, name=f"{e.name}: vs baseline"
        )
        if e.verdict == REGRESSION:
            failure = ET.SubElement(case, "failure", message=f"regression: {e.explanation}")
            failure.text = reasons(e.name)
        elif e.verdict == INCONCLUSIVE:
            ET.SubElement(case, "skipped", message=f"inconclusive: {e.explanation}")
    ET.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode")
