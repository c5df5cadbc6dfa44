"""`gate`: fail a CI job when an execution misses its assertions, or regressed from a baseline.

Exit 0 passed (no regression), 1 failed (an assertion, the execution's status, or a
regression), 3 inconclusive (too few calls to tell a regression from noise), 2 usage or
API errors, including a `--wait` that timed out: the gate could not decide, which is not a
failure of the agent under test.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path

import anyio

from ..._client import AsyncClient
from ..._json import dumps
from ...gate import (
    PREVIOUS,
    Assertion,
    AssertionResult,
    Baseline,
    Comparison,
    ExecutionOutcomes,
    check_assertions,
    check_run_test,
    compare,
    fetch_outcomes,
    github_annotations,
    markdown_summary,
    parse_assertion,
    save_baseline,
)
from ...models import SimulationExecution
from .._arguments import Subcommands, add_command, at_least, seconds
from .._errors import UsageError, naming_a_run_test
from .._gate_rules import (
    TERMINAL_STATUSES,
    FailedCall,
    GateReport,
    failed_calls,
    junit_xml,
    parse_thresholds,
    report_json,
    threshold_assertions,
)
from .._output import Output

__all__ = ["register"]

HELP = (
    "CI gate: check an execution against assertions and a baseline "
    "(exit 0 pass, 1 fail or regression, 3 inconclusive, 2 error)"
)
_UUID = re.compile(r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}")


def _fraction(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1 (e.g. 0.05), got {text}")
    return value


def _points(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of points") from None
    if not 0 < value < 100:
        raise argparse.ArgumentTypeError(
            f"must be more than 0 and less than 100 points, got {text} (no sample size can "
            "rule out every drop)"
        )
    return value


def register(commands: Subcommands) -> None:
    p = add_command(commands, "gate", HELP, run=run, formats=False)
    p.add_argument("name", metavar="RUN_TEST_NAME", help="exact, case-sensitive name")
    p.add_argument(
        "--assert",
        dest="assertions",
        action="append",
        default=[],
        metavar="EXPR",
        help="e.g. 'is_helpful.pass_rate >= 90' (percent), 'tone_score.p90 >= 0.7', "
        "'tone_score.avg >= 0.6' (scores 0-1), 'latency.p95 <= 1800' (ms), "
        "'duration.max <= 600' (s), 'failed_calls <= 2', 'runtime <= 900' (s); statistics: "
        "pass_rate, avg, min, max, p50, p90, p95; repeatable",
    )
    p.add_argument(
        "--min-pass-rate",
        action="append",
        default=[],
        metavar="[EVAL=]PERCENT",
        help="shorthand for --assert 'EVAL.pass_rate >= PERCENT': a percent from 0 to 100 "
        "(90 means 90 %%; 0.9 is refused as a likely fraction, write 0.9%% to mean it): 90 "
        "for every Pass/Fail eval, or is_helpful=95 for one eval; repeatable",
    )
    p.add_argument("--execution", metavar="ID", help="gate this execution, not the latest")
    p.add_argument(
        "--baseline",
        metavar="previous|EXECUTION_ID|FILE",
        help="compare against the run test's previous completed execution, an execution, "
        "or a file written by --save-baseline; exit 1 on a regression, 3 if inconclusive",
    )
    p.add_argument(
        "--save-baseline",
        type=Path,
        metavar="FILE",
        help="write this execution's per-call outcomes here, for a later --baseline FILE",
    )
    p.add_argument(
        "--tolerance",
        type=_points,
        default=10.0,
        metavar="POINTS",
        help="a drop this small is never a regression; also the drop the sample must be able "
        "to detect for 'no regression' (default 10 points; hundredths for score evals)",
    )
    p.add_argument(
        "--alpha",
        type=_fraction,
        default=0.05,
        help="significance level, after Benjamini-Hochberg correction across evals (default 0.05)",
    )
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
    p.add_argument("--report-json", type=Path, metavar="PATH", help="write a JSON report here")
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


def _baseline_source(text: str) -> Baseline:
    """`previous`, an execution id, or a baseline file; anything else is named as wrong."""
    if text == PREVIOUS:
        return PREVIOUS
    path = Path(text)
    if path.exists() or text.endswith(".json") or os.sep in text:
        return path
    if _UUID.fullmatch(text):
        return text
    raise UsageError(
        f"--baseline {text!r}: neither 'previous', an execution id, nor an existing baseline file"
    )


def _assertions(args: argparse.Namespace, outcomes: ExecutionOutcomes) -> list[Assertion]:
    thresholds = parse_thresholds(args.min_pass_rate)
    parsed = [parse_assertion(text) for text in args.assertions]
    return threshold_assertions(thresholds, outcomes) + parsed


def _configs(outcomes: ExecutionOutcomes, eval_name: str | None) -> str:
    names = [config for config, name in outcomes.aliases.items() if name == eval_name]
    return ", ".join(names) or "-"


def _print_assertions(
    report: GateReport,
    outcomes: ExecutionOutcomes,
    results: tuple[AssertionResult, ...],
    out: Output,
) -> None:
    out.table(
        f"{report.run_test_name}: execution {report.execution_id} ({report.status})",
        ["check", "configs", "value", "expected", "calls", "result"],
        (
            [
                r.label,
                _configs(outcomes, r.eval_name),
                r.format(r.actual),
                r.expected,
                r.count,
                "PASS" if r.passed else "FAIL",
            ]
            for r in results
        ),
    )


def _print_comparison(comparison: Comparison, out: Output) -> None:
    out.table(
        f"against baseline {comparison.baseline_execution_id} (tolerance "
        f"{comparison.tolerance:g} points, alpha {comparison.alpha:g}, "
        f"{1 - comparison.alpha:.0%} intervals)",
        [
            "eval",
            "statistic",
            "baseline",
            "candidate",
            "difference",
            "p (corrected)",
            "test",
            "verdict",
        ],
        (
            [
                e.name,
                e.statistic,
                e.format_with_interval(e.baseline_value, e.baseline_interval),
                e.format_with_interval(e.candidate_value, e.candidate_interval),
                e.format_difference(),
                f"{e.adjusted_p:.3g}",
                e.test,
                e.verdict,
            ]
            for e in comparison.evals
        ),
    )
    for e in comparison.evals:
        out.line(f"{e.name}: {e.verdict}: {e.explanation}")


def _print(
    report: GateReport, outcomes: ExecutionOutcomes, failed: list[FailedCall], out: Output
) -> None:
    if report.results or report.comparison is None:
        _print_assertions(report, outcomes, report.results, out)
    if report.comparison is not None:
        _print_comparison(report.comparison, out)
    if failed:
        out.table(
            "why calls failed",
            ["eval", "scenario", "call", "reason"],
            ([f.eval_name, f.scenario, f.call_id, f.reason] for f in failed),
        )
    if report.comparison is not None:
        out.line(f"verdict: {report.comparison.verdict}")
    out.line(report.summary_line())


def _github(report: GateReport, out: Output) -> None:
    """On GitHub Actions: the job summary, and an annotation per regressed eval."""
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        text = markdown_summary(
            title=f"futureagi gate: {report.run_test_name}",
            assertions=report.results,
            comparison=report.comparison,
            status_line=f"Execution `{report.execution_id}` ({report.status}): "
            f"**{report.summary_line()}**",
        )
        with open(summary, "a", encoding="utf-8") as file:
            file.write(text)
    if os.environ.get("GITHUB_ACTIONS") and report.comparison is not None:
        for line in github_annotations(report.comparison):
            out.line(line)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


async def run(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    if not (args.assertions or args.min_pass_rate or args.baseline or args.save_baseline):
        raise UsageError(
            "give at least one --assert (e.g. 'is_helpful.pass_rate >= 90'), --min-pass-rate "
            "or --baseline (or --save-baseline)"
        )
    parse_thresholds(args.min_pass_rate)  # refuse a bad one before any request
    for text in args.assertions:
        parse_assertion(text)
    baseline = _baseline_source(args.baseline) if args.baseline else None
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
    assert execution.execution_id is not None
    if args.execution and baseline is not None:
        await check_run_test(client, args.name, {execution.execution_id})
    outcomes = await fetch_outcomes(client, execution.execution_id, run_test_name=args.name)
    results = check_assertions(_assertions(args, outcomes), outcomes)
    comparison = None
    if baseline is not None:
        comparison = await compare(
            client,
            baseline=baseline,
            candidate=outcomes,
            run_test_name=args.name,
            alpha=args.alpha,
            tolerance=args.tolerance,
        )
    report = GateReport(args.name, outcomes.execution_id, outcomes.status, results, comparison)
    failed = failed_calls(outcomes, report.gated_evals, args.max_failures)
    _print(report, outcomes, failed, out)
    if args.junit is not None:
        _write(args.junit, junit_xml(report, failed))
    if args.report_json is not None:
        _write(args.report_json, dumps(report_json(report, failed)).decode() + "\n")
    _github(report, out)
    if args.save_baseline is not None:
        if outcomes.completed:
            save_baseline(outcomes, args.save_baseline)
            print(f"baseline saved to {args.save_baseline}", file=sys.stderr)
        else:
            print(
                f"baseline not saved: execution {outcomes.execution_id} is {outcomes.status}, "
                "not completed",
                file=sys.stderr,
            )
    return report.exit_code
