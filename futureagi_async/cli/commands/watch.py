"""`watch`: follow an execution while it runs, each call as it finishes.

On a terminal a live view (calls finished, pass rates so far, the latest failures with their
reasons); elsewhere one plain line per finished call; with `--jsonl` one JSON object per
finished call, for pipes. Exit 0 once the execution has ended, 2 on an error or a timeout:
whether the results are good enough is `gate`'s question, not this command's.
"""

from __future__ import annotations

import argparse
from collections import Counter, deque
from contextlib import aclosing
from typing import TYPE_CHECKING

import attrs

from ..._client import AsyncClient
from ..._live import DEFAULT_POLL_INTERVAL
from ...models import CallExecution
from .._arguments import Subcommands, add_command, seconds
from .._errors import UsageError, naming_a_run_test
from .._output import Output, console, percent, require_rich

if TYPE_CHECKING:
    from rich.console import RenderableType

__all__ = ["register"]

HELP = "follow a running execution: each call as it finishes, pass rates so far, failures"
#: Failures, and calls just finished, the live view keeps on screen.
_SHOWN_FAILURES = 8
_SHOWN_CALLS = 5


def register(commands: Subcommands) -> None:
    p = add_command(commands, "watch", HELP, run=run, check=_check, formats=False)
    p.add_argument(
        "name",
        metavar="RUN_TEST_NAME",
        nargs="?",
        help="watch this run test's latest execution (exact, case-sensitive name)",
    )
    p.add_argument("--execution", metavar="ID", help="watch this execution instead")
    p.add_argument(
        "--poll-interval",
        type=seconds(zero=False),
        default=DEFAULT_POLL_INTERVAL,
        help=f"most seconds between polls (default {DEFAULT_POLL_INTERVAL:g})",
    )
    p.add_argument(
        "--timeout", type=seconds(zero=False), help="give up after this many seconds (exit 2)"
    )
    p.add_argument(
        "--eval",
        dest="evals",
        action="append",
        metavar="NAME",
        help="only this eval (repeatable; case-insensitive)",
    )
    p.add_argument(
        "--jsonl",
        dest="fmt",
        action="store_const",
        const="jsonl",
        default="table",
        help="one JSON object per finished call",
    )


def _check(args: argparse.Namespace) -> str | None:
    if (args.name is None) == (args.execution is None):
        return "give a RUN_TEST_NAME (its latest execution) or --execution ID, not both"
    return None


async def _latest(client: AsyncClient, name: str) -> str:
    with naming_a_run_test(name):
        async for page in client.simulation.runs(name, page_size=1).pages():
            if page.items and page.items[0].execution_id:
                return page.items[0].execution_id
            break
    raise UsageError(f"run test {name!r} has no executions yet")


@attrs.define
class _Tally:
    """What the view shows: calls finished, verdicts per eval, the latest failures."""

    finished: int = 0
    failed_calls: int = 0
    passed: Counter[str] = attrs.Factory(Counter)
    judged: Counter[str] = attrs.Factory(Counter)
    failures: deque[tuple[str, str]] = attrs.Factory(lambda: deque(maxlen=_SHOWN_FAILURES))
    latest: deque[CallExecution] = attrs.Factory(lambda: deque(maxlen=_SHOWN_CALLS))

    def add(self, call: CallExecution) -> list[str]:
        """Count one call; its failure reasons (empty when it passed everything)."""
        self.finished += 1
        self.latest.append(call)
        reasons = []
        if (call.status or "").casefold() == "failed":
            self.failed_calls += 1
            reasons.append(f"call failed: {call.ended_reason or 'no reason given'}")
        for output in call.eval_outputs.values():
            verdict = output.passed
            if verdict is None or output.name is None:
                continue
            self.judged[output.name] += 1
            self.passed[output.name] += verdict
            if not verdict:
                reasons.append(f"{output.name}: {output.reason or 'failed'}")
        for reason in reasons:
            self.failures.append((call.id or "-", reason))
        return reasons

    def rates(self) -> list[tuple[str, float, int]]:
        return [
            (name, self.passed[name] * 100 / n, n) for name, n in sorted(self.judged.items()) if n
        ]

    def view(self, execution_id: str, done: bool) -> RenderableType:
        from rich.console import Group
        from rich.table import Table
        from rich.text import Text

        state = "ended" if done else "running"
        head = Text.assemble(
            (f"execution {execution_id} ", "bold"),
            f"{state}: {self.finished} calls finished, {self.failed_calls} failed",
        )
        rates = Table(title="pass rates so far", title_justify="left", header_style="bold")
        for column in ("eval", "pass rate", "judged"):
            rates.add_column(column, justify="left" if column == "eval" else "right")
        for name, rate, n in self.rates():
            rates.add_row(name, percent(rate), str(n))
        failures = Table(title="latest failures", title_justify="left", header_style="bold")
        failures.add_column("call", no_wrap=True, min_width=36)
        failures.add_column("reason", overflow="fold")
        for call_id, reason in self.failures:
            failures.add_row(call_id, reason)
        calls = Table(title="just finished", title_justify="left", header_style="bold")
        calls.add_column("call", no_wrap=True, min_width=36)
        for column in ("status", "scenario", "duration s"):
            right = column == "duration s"
            calls.add_column(column, justify="right" if right else "left", no_wrap=True)
        for call in reversed(self.latest):
            duration = "-" if call.duration_seconds is None else f"{call.duration_seconds:g}"
            calls.add_row(call.id or "-", call.status or "-", call.scenario or "-", duration)
        return Group(head, calls, rates, failures)


async def run(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    execution_id = args.execution or await _latest(client, args.name)
    calls = client.test_executions.watch(
        execution_id,
        poll_interval=args.poll_interval,
        eval_names=args.evals,
        timeout=args.timeout,
    )
    tally = _Tally()
    if out.fmt == "jsonl":
        async with aclosing(calls) as each:
            async for call in each:
                out.write_json(call)
                out.file.flush()
        return 0
    screen = getattr(out.file, "isatty", lambda: False)()
    if not screen:
        async with aclosing(calls) as each:
            async for call in each:
                reasons = tally.add(call)
                verdict = "; ".join(reasons) if reasons else "passed"
                out.line(f"{call.id} {call.status}: {verdict}")
                out.file.flush()
        _summary(out, execution_id, tally)
        return 0
    require_rich()
    from rich.live import Live

    # No auto-refresh: rich would redraw from a thread of its own; we redraw per call.
    with Live(
        tally.view(execution_id, False), console=console(out.file), auto_refresh=False
    ) as live:
        async with aclosing(calls) as each:
            async for call in each:
                tally.add(call)
                live.update(tally.view(execution_id, False), refresh=True)
        live.update(tally.view(execution_id, True), refresh=True)
    return 0


def _summary(out: Output, execution_id: str, tally: _Tally) -> None:
    rates = ", ".join(f"{name} {percent(rate)}" for name, rate, _ in tally.rates()) or "no evals"
    out.line(
        f"execution {execution_id} ended: {tally.finished} calls, "
        f"{tally.failed_calls} failed; pass rates: {rates}"
    )
