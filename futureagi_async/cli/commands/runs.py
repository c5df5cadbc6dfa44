"""`runs NAME` (one row per execution with its pass rates) and `runs call ID` (one call)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from ..._client import AsyncClient
from ...models import SimulationExecution
from .._arguments import Subcommands, add_command, add_limit
from .._errors import naming_a_run_test
from .._eval_names import check_eval_names, config_names, label, legend, refuse_unknown
from .._output import Output, percent, take

__all__ = ["register"]

_USAGE = """%(prog)s [options] RUN_TEST_NAME
       %(prog)s [options] call CALL_EXECUTION_ID"""


def register(commands: Subcommands) -> None:
    p = add_command(
        commands,
        "runs",
        "SDK run records: `runs NAME` (one row per execution with its pass rates) "
        "or `runs call CALL_EXECUTION_ID` (one call with its evals)",
        run=run,
        check=check,
        usage=_USAGE,
    )
    p.add_argument("target", nargs="+", metavar="RUN_TEST_NAME | call CALL_EXECUTION_ID")
    p.add_argument("--eval", action="append", metavar="NAME", help="only this eval; repeatable")
    add_limit(p)


def check(args: argparse.Namespace) -> str | None:
    """What is wrong with the arguments, for the parser to report with the usage."""
    target: list[str] = args.target
    if target[0] == "call":
        if len(target) != 2:
            return "runs call takes one CALL_EXECUTION_ID"
        if args.limit is not None:
            return "--limit applies to `runs RUN_TEST_NAME` only"
    elif len(target) != 1:
        return "runs takes one RUN_TEST_NAME (quote a name with spaces)"
    return None


async def run(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    if args.target[0] == "call":
        return await _one_call(client, args.target[1], args, out)
    name = args.target[0]
    with naming_a_run_test(name):
        await check_eval_names(client, name, args.eval)
        items = await take(client.simulation.runs(name, eval_names=args.eval or None), args.limit)
    if out.fmt != "table":
        out.items(items)
        return 0
    names = _template_names(items)
    out.table(
        f"{name}: {len(items)} execution(s), newest first",
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
        names=names,
    )
    note = legend(items)
    if note:
        out.line(note)
    return 0


def _template_names(executions: Sequence[SimulationExecution]) -> list[str]:
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


async def _one_call(
    client: AsyncClient, call_id: str, args: argparse.Namespace, out: Output
) -> int:
    call = await client.simulation.call(call_id, eval_names=args.eval or None)
    current = None
    if call.execution_id and (out.fmt == "table" or args.eval):
        current = config_names([await client.simulation.execution(call.execution_id)])
        refuse_unknown(args.eval, current, f"the execution of call {call_id}")
    if out.fmt != "table":
        out.write_json(call)
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
            [
                label(o.name or key, current),
                o.output_type,
                o.value if o.value is not None else o.status,
                o.reason,
            ]
            for key, o in call.eval_outputs.items()
        ),
    )
    return 0
