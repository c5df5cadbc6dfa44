"""The CI gate's decisions, kept free of I/O so they can be tested on plain models.

A gate compares each eval's pass rate in one execution against thresholds. Thresholds name
either an eval template (`is_helpful`) or one of its configs (`helpful_or_not`); a bare
number applies to every Pass/Fail eval. Naming an eval the execution does not have is an
error, not a silent pass: a typo in CI must not turn the gate off.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence

import attrs

from ..models import EvalResult, SimulationExecution
from ._errors import UsageError

__all__ = [
    "TERMINAL_STATUSES",
    "Check",
    "FailedCall",
    "GateReport",
    "Thresholds",
    "evaluate",
    "junit_xml",
    "parse_thresholds",
]

# An execution in one of these will not change any more, so its rates are final.
TERMINAL_STATUSES = frozenset({"completed", "failed", "cancelled"})
_PASS_FAIL = "pass/fail"


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


@attrs.frozen
class Check:
    """One eval (or eval config) measured against its threshold.

    `rate` is percent, or None when the eval has no completed outputs yet; a check with a
    threshold and no rate fails, since nothing was shown to pass.
    """

    name: str
    output_type: str | None
    rate: float | None
    threshold: float | None
    config_names: tuple[str, ...] = ()

    @property
    def gated(self) -> bool:
        return self.threshold is not None

    @property
    def passed(self) -> bool:
        if self.threshold is None:
            return True
        return self.rate is not None and self.rate >= self.threshold

    @property
    def reason(self) -> str:
        if self.passed:
            return ""
        if self.rate is None:
            return "no completed outputs"
        return f"pass rate {self.rate:.2f}% < {self.threshold:g}%"


@attrs.frozen
class FailedCall:
    """A call that failed a gated eval, with the eval's own explanation."""

    call_id: str | None
    scenario: str | None
    eval_name: str
    reason: str | None


@attrs.frozen
class GateReport:
    run_test_name: str
    execution_id: str | None
    status: str | None
    checks: tuple[Check, ...]

    @property
    def status_ok(self) -> bool:
        return (self.status or "").casefold() == "completed"

    @property
    def passed(self) -> bool:
        return self.status_ok and all(check.passed for check in self.checks)

    @property
    def failing(self) -> tuple[Check, ...]:
        return tuple(check for check in self.checks if not check.passed)

    def failure_lines(self) -> list[str]:
        lines = [f"{check.name}: {check.reason}" for check in self.failing]
        if not self.status_ok:
            lines.insert(0, f"execution status is {self.status or 'unknown'}, not completed")
        return lines


def _rate_of(result: EvalResult) -> float | None:
    """Pass rate for Pass/Fail templates; the average (percent) for score templates."""
    if (result.output_type or "").casefold() == _PASS_FAIL:
        if not any(config.total_cells for config in result.result) and result.result:
            return None
        return result.total_pass_rate
    return result.total_avg


def _config_rate(output: dict[str, object]) -> float | None:
    passed, failed = output.get("pass_count"), output.get("fail_count")
    if isinstance(passed, int) and isinstance(failed, int) and passed + failed:
        return round(100 * passed / (passed + failed), 2)
    rate = output.get("pass")
    return float(rate) if isinstance(rate, int | float) else None


def evaluate(
    run_test_name: str, execution: SimulationExecution, thresholds: Thresholds
) -> GateReport:
    """Measure every eval of `execution`; raise UsageError for a threshold naming no eval."""
    checks: list[Check] = []
    known: set[str] = set()
    for result in execution.eval_results:
        name = result.name or result.id or "?"
        known.add(name)
        is_pass_fail = (result.output_type or "").casefold() == _PASS_FAIL
        configs = tuple(c.name for c in result.result if c.name)
        # A template with one config measures what that config does: a threshold given by
        # the config's name applies to the template's row, not to a second, identical row.
        lone = configs[0] if len(configs) == 1 and configs[0] != name else None
        threshold = thresholds.per_eval.get(name)
        if lone is not None and lone in thresholds.per_eval:
            if threshold is not None:
                raise UsageError(
                    f"--min-pass-rate names {name!r} and its only config {lone!r}: "
                    "they are one eval, give one threshold"
                )
            threshold = thresholds.per_eval[lone]
        if threshold is None and is_pass_fail:
            threshold = thresholds.default
        checks.append(Check(name, result.output_type, _rate_of(result), threshold, configs))
        for config in result.result:
            if config.name is None:
                continue
            known.add(config.name)
            if config.name in thresholds.per_eval and config.name not in (name, lone):
                checks.append(
                    Check(
                        config.name,
                        result.output_type,
                        _config_rate(config.output) if is_pass_fail else config.avg_score,
                        thresholds.per_eval[config.name],
                        (config.name,),
                    )
                )
    unknown = sorted(set(thresholds.per_eval) - known)
    if unknown:
        raise UsageError(
            f"no eval named {', '.join(map(repr, unknown))} in execution "
            f"{execution.execution_id}; its evals are: {', '.join(sorted(known)) or 'none'}"
        )
    return GateReport(run_test_name, execution.execution_id, execution.status, tuple(checks))


def junit_xml(report: GateReport, failed_calls: Sequence[FailedCall] = ()) -> str:
    """A JUnit report: one test case per gated eval, so CI shows which eval failed and why."""
    gated = [check for check in report.checks if check.gated]
    suite = ET.Element(
        "testsuite",
        name=f"futureagi-gate: {report.run_test_name}",
        tests=str(len(gated) + 1),
        failures=str(len([c for c in gated if not c.passed]) + (not report.status_ok)),
        errors="0",
    )
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="execution_id", value=report.execution_id or "")
    ET.SubElement(props, "property", name="status", value=report.status or "")
    status_case = ET.SubElement(
        suite, "testcase", classname=report.run_test_name, name="execution status"
    )
    if not report.status_ok:
        ET.SubElement(status_case, "failure", message=report.failure_lines()[0])
    for check in gated:
        case = ET.SubElement(suite, "testcase", classname=report.run_test_name, name=check.name)
        if check.passed:
            continue
        failure = ET.SubElement(case, "failure", message=check.reason)
        names = {check.name, *check.config_names}
        reasons = [
            f"{call.scenario or call.call_id}: {call.reason or '(no reason given)'}"
            for call in failed_calls
            if call.eval_name in names
        ]
        failure.text = "\n".join(reasons) or None
    ET.indent(suite)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suite, encoding="unicode")
