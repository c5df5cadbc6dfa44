"""The tools' work, on one `AsyncClient`: plain async functions, free of MCP.

Kept apart from the server so each answer can be tested as data, and so the bounds (how
many items, how much transcript) live in one place.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

from .._client import AsyncClient
from .._errors import NotFoundError
from ..gate import EvalComparison, compare
from ..models import CallExecution, EvalResult, RunTest, SimulationExecution, TranscriptItem
from ._answers import (
    CallVerdict,
    EvalDrop,
    EvalSummary,
    ExecutionComparison,
    ExecutionSummary,
    FailedCall,
    FailedCalls,
    FailingEval,
    RunTestList,
    RunTestSummary,
    Turn,
    WaitResult,
)

__all__ = [
    "LIST_LIMIT",
    "compare_executions",
    "TURN_CHARACTERS",
    "TURNS",
    "ToolInputError",
    "failed_calls",
    "latest_execution",
    "list_run_tests",
    "summarise_execution",
    "wait_for_execution",
]

#: The most items any list answer holds, whatever `limit` asks.
LIST_LIMIT = 50
#: Transcript turns in one call's excerpt: the first and the last ones, where calls open
#: and where they go wrong.
TURNS = (2, 4)
#: Characters kept of one turn, and of a call's summary.
TURN_CHARACTERS = 280
SUMMARY_CHARACTERS = 400
#: Run tests looked through to find which one an execution belongs to.
RUN_TESTS_SEARCHED = 50
#: Failed calls a wait reports (the latest ones).
RECENT_FAILURES = 10
#: The longest a wait may be asked to last: an agent's request should not outlive a day.
MAX_WAIT_SECONDS = 24 * 3600.0

#: `(calls seen, calls in all or None, what just happened)`, as MCP progress is reported.
Progress = Callable[[int, int | None, str], Awaitable[None]]

_FAILED_STATUSES = frozenset({"failed", "error", "cancelled"})


class ToolInputError(ValueError):
    """An argument the tool cannot use; its message is the one line the model reads."""


def _limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= LIST_LIMIT:
        raise ToolInputError(f"limit must be a whole number from 1 to {LIST_LIMIT}, got {limit!r}")
    return limit


def _time(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _run_test(run_test: RunTest) -> RunTestSummary:
    agent = run_test.agent_definition_detail
    return {
        "id": run_test.id,
        "name": run_test.name,
        "agent": agent.agent_name if agent is not None else None,
        "simulation_type": run_test.source_type,
        "last_run_at": _time(run_test.last_run_at),
    }


async def list_run_tests(client: AsyncClient, search: str | None, limit: int) -> RunTestList:
    limit = _limit(limit)
    shown: list[RunTestSummary] = []
    total: int | None = None
    async for page in client.run_tests.list(search=search or None, page_size=limit).pages():
        if total is None:
            total = page.count
        shown.extend(_run_test(r) for r in page.items[: limit - len(shown)])
        if len(shown) >= limit:
            break
    more = max(0, total - len(shown)) if total is not None else 0
    return {"run_tests": shown, "total": total, "more": more}


def _eval_summary(result: EvalResult) -> EvalSummary:
    percentiles: dict[str, float] = {}
    for config in result.result:
        for key, value in config.output.items():
            if key.startswith("p") and key[1:].isdigit() and isinstance(value, int | float):
                percentiles.setdefault(key, float(value))
    is_pass_fail = (result.output_type or "").casefold() == "pass/fail"
    return {
        "name": result.name,
        "output_type": result.output_type,
        "pass_rate": result.total_pass_rate if is_pass_fail else None,
        "avg_score": result.total_avg if not is_pass_fail else None,
        "percentiles": {} if is_pass_fail else percentiles,
    }


def summarise_execution(
    run_test_name: str | None, execution: SimulationExecution
) -> ExecutionSummary:
    return {
        "run_test_name": run_test_name,
        "execution_id": execution.execution_id,
        "status": execution.status,
        "started_at": _time(execution.started_at),
        "completed_at": _time(execution.completed_at),
        "total_calls": execution.total_calls,
        "completed_calls": execution.completed_calls,
        "failed_calls": execution.failed_calls,
        "evals": [_eval_summary(r) for r in execution.eval_results],
    }


async def latest_execution(client: AsyncClient, run_test_name: str) -> ExecutionSummary:
    if not isinstance(run_test_name, str) or not run_test_name.strip():
        raise ToolInputError("run_test_name must be a run test's name (see list_run_tests)")
    async for execution in client.simulation.runs(run_test_name, page_size=1):
        return summarise_execution(run_test_name, execution)
    raise ToolInputError(
        f"no execution yet for a run test named {run_test_name!r} "
        "(names match exactly; see list_run_tests)"
    )


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(_text(part) for part in content)
    if isinstance(content, dict):
        return _text(content.get("text") or content.get("content") or "")
    return "" if content is None else str(content)


def _turn(item: TranscriptItem) -> Turn:
    text = " ".join(_text(item.content).split())
    if len(text) > TURN_CHARACTERS:
        text = text[: TURN_CHARACTERS - 1] + "…"
    return {"role": item.speaker_role or item.role, "text": text}


def excerpt(transcript: list[TranscriptItem]) -> list[Turn]:
    """The first and last turns of a transcript, each cut to `TURN_CHARACTERS`."""
    head, tail = TURNS
    if len(transcript) <= head + tail:
        chosen: Iterable[TranscriptItem] = transcript
    else:
        chosen = [*transcript[:head], *transcript[-tail:]]
    return [_turn(item) for item in chosen]


def _failing(call: CallExecution, eval_name: str | None) -> list[FailingEval]:
    wanted = eval_name.casefold() if eval_name else None
    return [
        {"name": output.name, "reason": output.reason}
        for output in call.eval_outputs.values()
        if output.passed is False and (wanted is None or (output.name or "").casefold() == wanted)
    ]


def _cut(text: str | None, size: int) -> str | None:
    if text is None or len(text) <= size:
        return text
    return text[: size - 1] + "…"


def _failed_call(
    call: CallExecution, failing: list[FailingEval], transcript: list[TranscriptItem]
) -> FailedCall:
    return {
        "call_id": call.id,
        "scenario": call.scenario,
        "status": call.status,
        "ended_reason": call.ended_reason,
        "call_summary": _cut(call.call_summary, SUMMARY_CHARACTERS),
        "failing_evals": failing,
        "transcript_excerpt": excerpt(transcript),
        "turns_total": len(transcript),
    }


async def _run_test_of(client: AsyncClient, execution_id: str) -> RunTest | None:
    """The run test an execution belongs to: no endpoint says, so look through their
    executions, newest run tests first (a bounded search: `RUN_TESTS_SEARCHED`)."""
    searched = 0
    async for run_test in client.run_tests.list():
        if searched >= RUN_TESTS_SEARCHED or not run_test.name:
            break
        searched += 1
        async for execution in client.simulation.runs(run_test.name):
            if execution.execution_id == execution_id:
                return run_test
    return None


async def _transcripts(
    client: AsyncClient, execution_id: str, call_ids: set[str]
) -> dict[str, list[TranscriptItem]]:
    """The transcripts of `call_ids`: the grid sends none, the run test's call listing does."""
    run_test = await _run_test_of(client, execution_id) if call_ids else None
    found: dict[str, list[TranscriptItem]] = {}
    if run_test is None or run_test.id is None:
        return found
    async for row in client.run_tests.call_executions(run_test.id):
        if row.id in call_ids and not row.is_snapshot:
            found[row.id] = row.transcript
            if len(found) == len(call_ids):
                break
    return found


async def failed_calls(
    client: AsyncClient, execution_id: str, eval_name: str | None, limit: int
) -> FailedCalls:
    limit = _limit(limit)
    chosen: list[tuple[CallExecution, list[FailingEval]]] = []
    total = 0
    names: set[str] = set()
    try:
        async for call in client.test_executions.calls(execution_id):
            names.update(o.name for o in call.eval_outputs.values() if o.name)
            failing = _failing(call, eval_name)
            failed = bool(failing) or (
                eval_name is None and (call.status or "").casefold() in _FAILED_STATUSES
            )
            if not failed:
                continue
            total += 1
            if len(chosen) < limit:
                chosen.append((call, failing))
        transcripts = await _transcripts(client, execution_id, {c.id for c, _ in chosen if c.id})
    except NotFoundError:
        raise ToolInputError(f"no execution {execution_id!r}") from None
    shown = [_failed_call(c, f, transcripts.get(c.id or "", [])) for c, f in chosen]
    if eval_name and names and eval_name.casefold() not in {n.casefold() for n in names}:
        known = ", ".join(sorted(names))
        raise ToolInputError(f"no eval named {eval_name!r} in this execution; it has: {known}")
    return {
        "execution_id": execution_id,
        "eval_name": eval_name,
        "calls": shown,
        "total_failed": total,
        "more": total - len(shown),
    }


async def wait_for_execution(
    client: AsyncClient,
    execution_id: str,
    timeout_seconds: float,
    progress: Progress,
    *,
    poll_interval: float,
) -> WaitResult:
    """Watch the execution to its end, reporting each call as it finishes; then its record."""
    if not 0 < timeout_seconds <= MAX_WAIT_SECONDS:
        raise ToolInputError(
            f"timeout_seconds must be more than 0 and at most {MAX_WAIT_SECONDS:g}, "
            f"got {timeout_seconds!r}"
        )
    try:
        start = await client.simulation.execution(execution_id)
    except NotFoundError:
        raise ToolInputError(f"no execution {execution_id!r}") from None
    total = start.total_calls
    seen = 0
    failures: list[CallVerdict] = []
    async for call in client.test_executions.watch(
        execution_id, poll_interval=poll_interval, timeout=timeout_seconds
    ):
        seen += 1
        failed_evals = [o.name or "?" for o in call.eval_outputs.values() if o.passed is False]
        status = call.status or "?"
        if failed_evals or status.casefold() in _FAILED_STATUSES:
            failures = [*failures[-(RECENT_FAILURES - 1) :], _verdict(call, failed_evals)]
        verdict = f"failed {', '.join(failed_evals)}" if failed_evals else status
        await progress(seen, total, f"{call.scenario or call.id}: {verdict}")
    final = await client.simulation.execution(execution_id)
    return {
        "execution": summarise_execution(None, final),
        "calls_seen": seen,
        "recent_failures": failures,
    }


def _verdict(call: CallExecution, failed_evals: list[str]) -> CallVerdict:
    return {"call_id": call.id, "status": call.status, "failed_evals": failed_evals}


async def compare_executions(
    client: AsyncClient, baseline_execution_id: str, execution_id: str
) -> ExecutionComparison:
    """The gate's comparison with its defaults (alpha 0.05, 10 points tolerated, BH)."""
    comparison = await compare(client, baseline=baseline_execution_id, candidate=execution_id)
    return {
        "baseline_execution_id": comparison.baseline_execution_id,
        "execution_id": comparison.candidate_execution_id,
        "verdict": comparison.verdict,
        "alpha": comparison.alpha,
        "tolerance": comparison.tolerance,
        "evals": [_drop(e) for e in comparison.evals],
    }


def _interval(interval: tuple[float, float] | None) -> list[float] | None:
    return list(interval) if interval is not None else None


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None


def _drop(compared: EvalComparison) -> EvalDrop:
    return {
        "eval_name": compared.name,
        "statistic": compared.statistic,
        "test": compared.test,
        "baseline": compared.baseline_value,
        "baseline_interval": _interval(compared.baseline_interval),
        "candidate": compared.candidate_value,
        "candidate_interval": _interval(compared.candidate_interval),
        "difference": compared.difference,
        "p_value": compared.adjusted_p,
        "verdict": compared.verdict,
        "min_detectable_drop": _finite(compared.min_detectable_drop),
        "calls_needed": compared.calls_needed,
    }
