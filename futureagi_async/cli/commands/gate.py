"""`gate`: fail a CI job when the latest execution's pass rates are below thresholds.

Exit 0 passes, 1 a threshold (or the execution itself) failed, 2 usage or API errors,
including a `--wait` that timed out: the gate could not decide, which is not a failure of
the agent under test.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import anyio

from ..._client import AsyncClient
from ...models import SimulationExecution
from .._arguments import Subcommands, add_command, at_least, seconds
from .._errors import UsageError, naming_a_run_test
from .._gate_rules import (
    TERMINAL_STATUSES,
    FailedCall,
    GateReport,
    evaluate,
    junit_xml,
    parse_thresholds,
)
from .._output import Output, percent

__all__ = ["register"]

HELP = (
    "CI gate: check the latest execution's pass rates against thresholds "
    "(exit 0 pass, 1 fail, 2 error)"
)


def register(commands: Subcommands) -> None:
    p = add_command(commands, "gate", HELP, run=run, formats=False)
    p.add_argument("name", metavar="RUN_TEST_NAME", help="exact, case-sensitive name")
    p.add_argument(
        "--min-pass-rate",
        action="append",
        default=[],
        metavar="[EVAL=]PERCENT",
        help="a percent from 0 to 100 (90 means 90 %%; 0.9 is refused as a likely fraction, "
        "write 0.9%% to mean it): 90 for every Pass/Fail eval, or is_helpful=95 for one "
        "eval; repeatable",
    )
    p.add_argument("--execution", metavar="ID", help="gate this execution, not the latest")
    p.add_argument(
        "--wait", action="store_true", help="poll until the execution reaches a final status"
    )
    p.add_argument(
        "--timeout",
        type=seconds(zero=False),
        default=1800.0,
        help="seconds --wait waits (default 1800)",
    )
    p.add_argument(
        "--poll-interval",
        type=seconds(zero=True),
        default=15.0,
        help="seconds between polls (default 15)",
    )
    p.add_argument("--junit", type=Path, metavar="PATH", help="write a JUnit XML report here")
    p.add_argument(
        "--max-failures",
        type=at_least(0),
        default=10,
        metavar="N",
        help="failure reasons shown per failing eval (default 10)",
    )


async def _latest(client: AsyncClient, name: str) -> SimulationExecution:
    with naming_a_run_test(name):
        async for page in client.simulation.runs(name, page_size=1).pages():
            if page.items:
                return page.items[0]
            break
    raise UsageError(f"run test {name!r} has no executions yet")


def _is_terminal(execution: SimulationExecution) -> bool:
    return (execution.status or "").casefold() in TERMINAL_STATUSES


async def _wait(
    client: AsyncClient, execution: SimulationExecution, *, seconds: float, interval: float
) -> SimulationExecution:
    assert execution.execution_id is not None
    last = execution.status
    with anyio.move_on_after(seconds) as scope:
        while not _is_terminal(execution):
            await anyio.sleep(interval)
            execution = await client.simulation.execution(execution.execution_id)
            if execution.status != last:
                print(f"execution {execution.execution_id}: {execution.status}", file=sys.stderr)
                last = execution.status
    if scope.cancelled_caught:
        raise UsageError(
            f"timed out after {seconds:g}s waiting for execution {execution.execution_id} "
            f"(still {execution.status})"
        )
    return execution


async def _failed_calls(client: AsyncClient, report: GateReport, limit: int) -> list[FailedCall]:
    """The failing calls of each failing eval, with their reasons, at most `limit` each."""
    names: dict[str, str] = {}
    for check in report.failing:
        for name in (check.name, *check.config_names):
            names[name.casefold()] = check.name
    if not names or report.execution_id is None:
        return []
    found: list[FailedCall] = []
    per_check: Counter[str] = Counter()
    async for call in client.simulation.execution_calls(report.execution_id):
        for output in call.eval_outputs.values():
            check_name = names.get((output.name or "").casefold())
            if check_name is None or output.passed is not False:
                continue
            if per_check[check_name] >= limit:
                continue
            per_check[check_name] += 1
            found.append(
                FailedCall(
                    call.call_execution_id, call.scenario_name, output.name or "", output.reason
                )
            )
    return found


def _print(report: GateReport, failed: list[FailedCall], out: Output) -> None:
    out.table(
        f"{report.run_test_name}: execution {report.execution_id} ({report.status})",
        ["eval", "configs", "type", "pass rate", "threshold", "result"],
        (
            [
                c.name,
                ", ".join(n for n in c.config_names if n != c.name) or "-",
                c.output_type,
                percent(c.rate),
                "-" if c.threshold is None else f"{c.threshold:g}%",
                ("PASS" if c.passed else "FAIL") if c.gated else "-",
            ]
            for c in report.checks
        ),
    )
    if failed:
        out.table(
            "why calls failed",
            ["eval", "scenario", "call", "reason"],
            ([f.eval_name, f.scenario, f.call_id, f.reason] for f in failed),
        )
    if report.passed:
        out.line("gate passed")
    else:
        out.line("gate FAILED: " + "; ".join(report.failure_lines()))


async def run(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    thresholds = parse_thresholds(args.min_pass_rate)
    if thresholds.empty:
        raise UsageError("give at least one --min-pass-rate (e.g. 90, or is_helpful=95)")
    if args.execution:
        execution = await client.simulation.execution(args.execution)
    else:
        execution = await _latest(client, args.name)
    if not _is_terminal(execution):
        if not args.wait:
            raise UsageError(
                f"execution {execution.execution_id} is still {execution.status}; "
                "pass --wait to poll until it finishes"
            )
        execution = await _wait(
            client, execution, seconds=args.timeout, interval=args.poll_interval
        )
    report = evaluate(args.name, execution, thresholds)
    failed = await _failed_calls(client, report, args.max_failures)
    _print(report, failed, out)
    if args.junit is not None:
        args.junit.parent.mkdir(parents=True, exist_ok=True)
        args.junit.write_text(junit_xml(report, failed), encoding="utf-8")
    return 0 if report.passed else 1
