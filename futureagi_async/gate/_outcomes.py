"""What the gate measures: each call's eval outcomes, read once from an execution.

Everything the gate decides (assertions, comparisons, baseline files) works on these plain
values, so it can be tested without the API and run on calls a caller already fetched.

Evals are named as an execution's pass rates name them: by *template* (`is_helpful`), whose
single config (`helpful_or_not`) is what call outputs carry; the config's name resolves to
the template. A template with several configs is measured per config instead. Only Pass/Fail
and score evals are measured; outputs of configs the execution no longer has (retired ones)
are left out, as the API's pass rates leave them out.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Literal

import attrs

from ..models import CallExecution, EvalOutput, SimulationCall, SimulationExecution

if TYPE_CHECKING:
    from .._client import AsyncClient

__all__ = [
    "PASS_FAIL",
    "SCORE",
    "CallOutcome",
    "EvalKind",
    "ExecutionOutcomes",
    "fetch_outcomes",
    "outcomes_from",
]

PASS_FAIL: Literal["pass/fail"] = "pass/fail"
SCORE: Literal["score"] = "score"
EvalKind = Literal["pass/fail", "score"]
_KINDS: dict[str, EvalKind] = {"pass/fail": PASS_FAIL, "score": SCORE}
_PAGE_SIZE = 100


@attrs.frozen
class CallOutcome:
    """One call: its scenario (for pairing), status, timings and a value per eval.

    A Pass/Fail eval's value is True or False, a score eval's the score as the API gives it
    (0-1). An eval still pending, skipped or errored on this call has no value.
    `duration_seconds` is seconds, `latency_ms` the call's `avg_agent_latency` (ms).
    `reasons` holds the judge's reason for each failed Pass/Fail eval (not saved in baseline
    files).
    """

    call_id: str
    scenario_id: str | None = None
    status: str | None = None
    duration_seconds: float | None = None
    latency_ms: float | None = None
    evals: Mapping[str, bool | float] = attrs.field(factory=dict)
    scenario: str | None = None
    reasons: Mapping[str, str] = attrs.field(factory=dict, eq=False)


@attrs.frozen
class ExecutionOutcomes:
    """One execution's calls and evals, as the gate measures them.

    `evals` maps each measured eval to its kind, in the execution's order; `aliases` maps a
    config name to the eval it belongs to. `failed_calls` is the execution's own count
    when it has one. `runtime_seconds` is its wall time (completed minus started).
    """

    execution_id: str
    run_test_name: str | None
    status: str | None
    evals: Mapping[str, EvalKind]
    calls: tuple[CallOutcome, ...]
    aliases: Mapping[str, str] = attrs.field(factory=dict)
    failed_calls: int | None = None
    total_calls: int | None = None
    runtime_seconds: float | None = None

    @property
    def completed(self) -> bool:
        return (self.status or "").casefold() == "completed"

    def resolve(self, name: str) -> str | None:
        """The eval `name` means (a template or one of its configs), None for none."""
        if name in self.evals:
            return name
        return self.aliases.get(name)

    def values(self, eval_name: str) -> list[bool | float]:
        """The eval's value on every call that has one, in call order."""
        return [call.evals[eval_name] for call in self.calls if eval_name in call.evals]

    def failed_call_count(self) -> int:
        if self.failed_calls is not None:
            return self.failed_calls
        return sum((call.status or "").casefold() == "failed" for call in self.calls)


def _kind(output_type: str | None) -> EvalKind | None:
    return _KINDS.get((output_type or "").casefold())


def _eval_names(
    execution: SimulationExecution,
) -> tuple[dict[str, EvalKind], dict[str, str]]:
    evals: dict[str, EvalKind] = {}
    aliases: dict[str, str] = {}
    for result in execution.eval_results:
        kind = _kind(result.output_type)
        if kind is None:
            continue
        configs = [config.name for config in result.result if config.name]
        if len(configs) > 1:
            for config in configs:
                evals[config] = kind
            continue
        name = result.name or (configs[0] if configs else None)
        if name is None:
            continue
        evals[name] = kind
        if configs and configs[0] != name:
            aliases[configs[0]] = name
    return evals, aliases


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def _value(kind: EvalKind, output: EvalOutput) -> bool | float | None:
    if kind == PASS_FAIL:
        return output.passed
    return _number(output.value)


def _call_outcome(
    call: CallExecution | SimulationCall, evals: Mapping[str, EvalKind], aliases: Mapping[str, str]
) -> CallOutcome | None:
    if isinstance(call, CallExecution):
        call_id, scenario = call.id, call.scenario
        duration, latency = call.duration, call.avg_agent_latency
    else:
        call_id, scenario = call.call_execution_id, call.scenario_name
        duration = call.duration_seconds
        latency = call.latency.avg_agent_latency_ms if call.latency else None
    if call_id is None:
        return None
    values: dict[str, bool | float] = {}
    reasons: dict[str, str] = {}
    for output in call.eval_outputs.values():
        name = output.name or ""
        eval_name = name if name in evals else aliases.get(name)
        if eval_name is None or eval_name in values:
            continue
        value = _value(evals[eval_name], output)
        if value is None:
            continue
        values[eval_name] = value
        if value is False and output.reason:
            reasons[eval_name] = output.reason
    return CallOutcome(
        call_id,
        call.scenario_id,
        call.status,
        _number(duration),
        _number(latency),
        values,
        scenario,
        reasons,
    )


def outcomes_from(
    execution: SimulationExecution,
    calls: Iterable[CallExecution | SimulationCall],
    *,
    run_test_name: str | None = None,
) -> ExecutionOutcomes:
    """The outcomes of already-fetched calls: `execution` (from `client.simulation`) names
    the evals; `calls` are its grid rows (`client.test_executions.calls`, which carry
    latency) or its `client.simulation.execution_calls`. A call listed twice counts once."""
    evals, aliases = _eval_names(execution)
    seen: dict[str, CallOutcome] = {}
    for call in calls:
        outcome = _call_outcome(call, evals, aliases)
        if outcome is not None:
            seen.setdefault(outcome.call_id, outcome)
    runtime = None
    if execution.started_at and execution.completed_at:
        runtime = (execution.completed_at - execution.started_at).total_seconds()
    return ExecutionOutcomes(
        execution_id=execution.execution_id or "",
        run_test_name=run_test_name,
        status=execution.status,
        evals=evals,
        calls=tuple(seen.values()),
        aliases=aliases,
        failed_calls=execution.failed_calls,
        total_calls=execution.total_calls,
        runtime_seconds=runtime,
    )


async def fetch_outcomes(
    client: AsyncClient, execution_id: str, *, run_test_name: str | None = None
) -> ExecutionOutcomes:
    """Read one execution's outcomes: its record and every call row of its grid.

    An execution does not name its run test in any answer, so `run_test_name` is only a
    label here; `compare(..., run_test_name=...)` checks it against the run test's listing.
    """
    execution = await client.simulation.execution(execution_id)
    calls = [c async for c in client.test_executions.calls(execution_id, page_size=_PAGE_SIZE)]
    return outcomes_from(execution, calls, run_test_name=run_test_name)
