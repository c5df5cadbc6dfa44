"""The read commands: run tests, calls, executions and SDK run records, as tables or JSON."""

from __future__ import annotations

import argparse
import json
from collections.abc import AsyncIterable, Sequence
from typing import TypeVar

from .._client import AsyncClient
from .._filters import Filter
from ..models import CallExecution, EvalOutput, RunTest, SimulationExecution
from ._gate import UsageError
from ._output import Output, percent

__all__ = [
    "calls_list",
    "executions_calls",
    "parse_filter",
    "run_tests_get",
    "run_tests_list",
    "runs",
]

T = TypeVar("T")


async def _take(items: AsyncIterable[T], limit: int | None) -> list[T]:
    out: list[T] = []
    if limit is not None and limit <= 0:
        return out
    async for item in items:
        out.append(item)
        if limit is not None and len(out) >= limit:
            break
    return out


def _agent_of(run_test: RunTest) -> str | None:
    detail = run_test.agent_definition_detail
    if detail is not None and detail.agent_name:
        return detail.agent_name
    prompt = run_test.prompt_template_detail
    return prompt.name if prompt is not None else None


async def run_tests_list(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    items = await _take(
        client.run_tests.list(search=args.search, simulation_type=args.type), args.limit
    )
    if out.fmt != "table":
        out.items(items)
        return 0
    out.table(
        f"{len(items)} run test(s)",
        ["id", "name", "type", "agent / prompt", "scenarios", "evals", "last run"],
        (
            [
                r.id,
                r.name,
                r.source_type,
                _agent_of(r),
                len(r.scenarios),
                len(r.simulate_eval_configs),
                r.last_run_at,
            ]
            for r in items
        ),
    )
    return 0


async def run_tests_get(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    run_test = await client.run_tests.get(args.id)
    if out.fmt != "table":
        out.items([run_test]) if out.fmt == "jsonl" else out.write_json(run_test)
        return 0
    out.table(
        run_test.name,
        ["field", "value"],
        [
            ["id", run_test.id],
            ["description", run_test.description],
            ["type", run_test.source_type],
            ["agent / prompt", _agent_of(run_test)],
            ["created", run_test.created_at],
            ["updated", run_test.updated_at],
        ],
    )
    out.table(
        "scenarios",
        ["id", "name", "type", "status"],
        ([s.id, s.name, s.scenario_type, s.status] for s in run_test.scenarios_detail),
    )
    out.table(
        "evals",
        ["id", "name", "output", "status"],
        (
            [e.id, e.name, (e.config or {}).get("output"), e.status]
            for e in run_test.simulate_eval_configs_detail
        ),
    )
    return 0


def _verdicts(outputs: dict[str, EvalOutput]) -> str:
    passed = sum(1 for o in outputs.values() if o.passed is True)
    failed = sum(1 for o in outputs.values() if o.passed is False)
    return f"{passed} pass / {failed} fail" if passed or failed else "-"


def _call_rows(calls: Sequence[CallExecution]) -> list[list[object]]:
    return [
        [
            c.id,
            c.status,
            c.scenario,
            c.duration_seconds if c.duration_seconds is not None else c.duration,
            c.ended_reason,
            c.timestamp or c.start_time,
            _verdicts(c.eval_outputs),
        ]
        for c in calls
    ]


_CALL_COLUMNS = ["id", "status", "scenario", "duration (s)", "ended reason", "time", "evals"]


async def calls_list(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    pager = client.run_tests.call_executions(
        args.run_test_id, search=args.search, status=args.status
    )
    items = await _take(pager, args.limit)
    if out.fmt != "table":
        out.items(items)
        return 0
    out.table(f"{len(items)} call(s)", _CALL_COLUMNS, _call_rows(items))
    return 0


def parse_filter(text: str) -> Filter:
    """`status=completed` (a text equality) or the raw JSON of one filter."""
    text = text.strip()
    try:
        if text.startswith("{"):
            raw = json.loads(text)
            config = raw.get("filter_config", raw)
            return Filter(
                raw["column_id"],
                config["filter_type"],
                config["filter_op"],
                config.get("filter_value"),
            )
        column, sep, value = text.partition("=")
        if sep and column.strip():
            return Filter(column.strip(), "text", "equals", value)
        exc: Exception = ValueError("expected COLUMN=VALUE")
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        exc = error
    raise UsageError(
        f"--filter {text!r}: {exc}; use COLUMN=VALUE or JSON like "
        '{"column_id": "overall_score", "filter_type": "number", '
        '"filter_op": "greater_than", "filter_value": 5}'
    )


async def executions_calls(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    filters = [parse_filter(f) for f in args.filter or ()]
    pager = client.test_executions.calls(args.id, search=args.search, filters=filters or None)
    items = await _take(pager, args.limit)
    if out.fmt != "table":
        out.items(items)
        return 0
    out.table(f"{len(items)} call(s)", _CALL_COLUMNS, _call_rows(items))
    return 0


def eval_columns(executions: Sequence[SimulationExecution]) -> list[str]:
    """Every eval name in first-seen order, so the columns line up across executions."""
    seen = dict.fromkeys(r.name or r.id or "?" for e in executions for r in e.eval_results)
    return list(seen)


def _eval_cell(execution: SimulationExecution, name: str) -> str:
    for result in execution.eval_results:
        if (result.name or result.id or "?") == name:
            if result.total_pass_rate is not None:
                return percent(result.total_pass_rate)
            if result.total_avg is not None:
                return f"avg {result.total_avg:.1f}"
            if result.total_choices_avg:
                top = max(result.total_choices_avg.items(), key=lambda kv: kv[1] or 0)
                return f"{top[0]} {top[1]}%"
    return "-"


async def runs(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    target: list[str] = args.target
    if len(target) == 2 and target[0] == "call":
        return await _run_call(client, target[1], args, out)
    if len(target) != 1:
        raise UsageError("usage: runs RUN_TEST_NAME | runs call CALL_EXECUTION_ID")
    pager = client.simulation.runs(target[0], eval_names=args.eval or None)
    items = await _take(pager, args.limit)
    if out.fmt != "table":
        out.items(items)
        return 0
    names = eval_columns(items)
    out.table(
        f"{target[0]}: {len(items)} execution(s), newest first",
        ["execution", "status", "started", "calls", "failed", *names],
        (
            [
                e.execution_id,
                e.status,
                e.started_at,
                f"{e.completed_calls}/{e.total_calls}",
                e.failed_calls,
                *(_eval_cell(e, n) for n in names),
            ]
            for e in items
        ),
    )
    return 0


async def _run_call(
    client: AsyncClient, call_id: str, args: argparse.Namespace, out: Output
) -> int:
    call = await client.simulation.call(call_id, eval_names=args.eval or None)
    if out.fmt != "table":
        out.items([call]) if out.fmt == "jsonl" else out.write_json(call)
        return 0
    latency, cost = call.latency, call.cost
    out.table(
        call.scenario_name,
        ["field", "value"],
        [
            ["call", call.call_execution_id],
            ["execution", call.execution_id],
            ["status", call.status],
            ["started", call.started_at],
            ["duration (s)", call.duration_seconds],
            ["ended reason", call.ended_reason],
            ["agent latency (ms)", latency.avg_agent_latency_ms if latency else None],
            ["cost (cents)", cost.total_cost_cents if cost else None],
            ["summary", call.call_summary],
        ],
    )
    out.table(
        "evals",
        ["eval", "type", "output", "reason"],
        (
            [o.name or key, o.output_type, o.value if o.value is not None else o.status, o.reason]
            for key, o in call.eval_outputs.items()
        ),
    )
    return 0
