"""`demo`: the export pipeline end to end, offline, in a few seconds.

It serves the built-in fake on loopback with a stated latency, exports a few thousand calls
through the same code path as `export`, reads the files back and shows what a user would
look at first: pass rate per eval and the commonest failure reasons. Then it measures what
concurrency buys: the same fetch (requests, decoding, no file writing) run concurrently and
one request at a time, on the same fake, and prints both numbers it compares.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import anyio
import attrs

from ..._client import AsyncClient
from ..._convert import structure, structure_list
from ..._json import loads
from ...models import CallExecution, SimulationExecution
from .._arguments import Subcommands, add_command, at_least
from .._eval_names import RETIRED, config_names, label
from .._output import console
from .._progress import wants_bar
from .export import ExportSummary, export

if TYPE_CHECKING:
    from ...testing import FakeAPI

__all__ = ["register"]

HELP = "export a few thousand calls from the built-in fake and show the results (offline)"

_BAR = 32
#: Executions fetched one request at a time for the comparison: enough for a steady rate.
_SEQUENTIAL_SAMPLE = 10


def register(commands: Subcommands) -> None:
    from ...testing.__main__ import add_dataset_arguments

    p = add_command(commands, "demo", HELP, main=main, connection=False, formats=False)
    add_dataset_arguments(
        p, run_tests=1, executions_per_run_test=60, calls_per_execution=50, latency=0.08
    )
    p.add_argument(
        "--concurrency", type=at_least(1), default=16, help="executions at once (default 16)"
    )
    p.add_argument("-o", "--out", type=Path, help="keep the exported files in this directory")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress on stderr (default: only on a terminal)",
    )


@attrs.frozen
class Fetch:
    """A timed fetch: how many requests the fake answered, in how long."""

    requests: int
    executions: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _read(path: Path) -> tuple[list[SimulationExecution], list[CallExecution]]:
    executions: list[SimulationExecution] = []
    calls: list[CallExecution] = []
    with path.open("rb") as handle:
        for line in handle:
            record = loads(line)
            executions.append(structure(record["execution"], SimulationExecution))
            calls += structure_list(record["calls"], CallExecution)
    return executions, calls


def _bar(rate: float) -> str:
    filled = round(rate / 100 * _BAR)
    return "█" * filled + "░" * (_BAR - filled)


def _pass_rates(summary: ExportSummary) -> tuple[list[tuple[str, float, str]], Counter[str]]:
    """Rows of (eval, percent, note) and the failure reasons, current evals first."""
    executions, calls = _read(Path(summary.directory) / "executions.jsonl")
    current = set(config_names(executions))
    verdicts: dict[str, Counter[bool]] = {}
    scores: dict[str, list[float]] = {}
    reasons: Counter[str] = Counter()
    for call in calls:
        for output in call.eval_outputs.values():
            if not output.name:
                continue
            name = label(output.name, current)
            value = output.value
            is_score = (output.output_type or "").casefold() == "score"
            if is_score and isinstance(value, int | float):
                scores.setdefault(name, []).append(100 * value)
            if output.passed is None:
                continue
            verdicts.setdefault(name, Counter())[output.passed] += 1
            if output.passed is False and output.reason and name in current:
                reasons[output.reason] += 1
    rows: list[tuple[str, float, str]] = []
    for name, counts in verdicts.items():
        judged = counts[True] + counts[False]
        rate = 100 * counts[True] / judged if judged else 0.0
        rows.append((name, rate, f"passed  ({counts[True]:,}/{judged:,})"))
    for name, values in scores.items():
        rows.append((name, sum(values) / len(values), f"average score  ({len(values):,})"))
    rows.sort(key=lambda row: (row[0].endswith(RETIRED), row[0]))
    return rows, reasons


def _report(
    summary: ExportSummary, concurrent: Fetch, one_by_one: Fetch, args: argparse.Namespace
) -> None:
    from rich.text import Text

    out = console()
    rows, reasons = _pass_rates(summary)
    out.print(
        Text.assemble(
            ("Exported ", ""),
            (f"{summary.calls:,} calls", "bold"),
            f" from {summary.executions} executions in ",
            (f"{summary.seconds:.2f}s", "bold"),
            " (fetching, decoding and writing the files)",
        )
    )
    for path in summary.files:
        out.print(f"  {path}")
    out.print()
    out.print(Text("Pass rate per eval", style="bold"))
    width = max((len(name) for name, _, _ in rows), default=0)
    for name, rate, note in rows:
        style = "green" if rate >= 90 else "yellow" if rate >= 75 else "red"
        out.print(
            Text.assemble(f"  {name:<{width}}  ", (_bar(rate), style), f"  {rate:5.1f}% {note}")
        )
    if any(name.endswith(RETIRED) for name, _, _ in rows):
        out.print("  (retired: a config since removed from the run test; the gate ignores it)")
    out.print()
    out.print(Text("Most common failure reasons", style="bold"))
    for reason, count in reasons.most_common(5):
        out.print(f"  {count:>5,}  {reason}")
    if not reasons:
        out.print("  (none)")
    out.print()
    out.print(
        Text(
            f"Concurrency (the fake answers each request after {args.latency * 1000:.0f} ms; "
            "both fetches decode every row and write nothing)",
            style="bold",
        )
    )
    out.print(
        f"  {args.concurrency} executions at a time: {concurrent.requests:,} requests in "
        f"{concurrent.seconds:.3f}s = {concurrent.rate:,.1f} requests/s "
        f"({concurrent.executions} executions)"
    )
    out.print(
        f"  one request at a time:   {one_by_one.requests:,} requests in "
        f"{one_by_one.seconds:.3f}s = {one_by_one.rate:,.1f} requests/s "
        f"({one_by_one.executions} executions)"
    )
    ratio = concurrent.rate / one_by_one.rate if one_by_one.rate else 0.0
    out.print(
        Text(
            f"  {ratio:.1f}x the requests per second of fetching one request at a time",
            style="bold green",
        )
    )


async def _timed_fetch(
    base_url: str, name: str, ids: list[str], *, concurrency: int, fake: FakeAPI
) -> Fetch:
    """Fetch `ids` as `export` does, without files. With `concurrency` 1 the client sends
    one request at a time (no page look-ahead either)."""
    from ...testing import TEST_API_KEY, TEST_SECRET_KEY

    limit = 1 if concurrency == 1 else None  # None: the client's default, as in `export`
    async with AsyncClient(
        TEST_API_KEY, TEST_SECRET_KEY, base_url=base_url, max_concurrency=limit
    ) as client:
        fake.stats.reset()
        started = time.perf_counter()
        async with client.export(name, execution_ids=ids, concurrency=concurrency) as records:
            async for _ in records:
                pass
        seconds = time.perf_counter() - started
        return Fetch(fake.stats.requests_served, len(ids), seconds)


async def _demo(args: argparse.Namespace, directory: Path, *, temporary: bool = False) -> int:
    from ...testing import TEST_API_KEY, TEST_SECRET_KEY
    from ...testing.__main__ import build_fake

    fake = build_fake(args)
    name = fake.dataset.run_tests[0].name
    ids = [e.id for e in fake.dataset.executions_of(fake.dataset.run_tests[0].id)]
    async with (
        fake.serve() as base_url,
        AsyncClient(TEST_API_KEY, TEST_SECRET_KEY, base_url=base_url) as client,
    ):
        summary = await export(
            client,
            name,
            str(directory),
            formats=["jsonl", "csv"],
            concurrency=args.concurrency,
            overwrite=True,
            progress=wants_bar(args.progress),
            temporary=temporary,
        )
        concurrent = await _timed_fetch(
            base_url, name, ids, concurrency=args.concurrency, fake=fake
        )
        one_by_one = await _timed_fetch(
            base_url, name, ids[:_SEQUENTIAL_SAMPLE], concurrency=1, fake=fake
        )
    _report(summary, concurrent, one_by_one, args)
    return 0


def main(args: argparse.Namespace) -> int:
    console()  # fail early, with the clear message, if the `cli` extra is missing
    if args.out is not None:
        return anyio.run(partial(_demo, args, args.out))
    with tempfile.TemporaryDirectory(prefix="futureagi-demo-") as tmp:
        code = anyio.run(partial(_demo, args, Path(tmp), temporary=True))
        console().print("  (the files were temporary: pass --out DIR to keep them)")
        return code
