"""`demo`: the export pipeline end to end, offline, in a few seconds.

It serves the built-in fake on loopback with realistic latency, exports a few thousand
calls through the same code path as `export`, reads the files back and shows what a user
would look at first: pass rate per eval, the commonest failure reasons, and the time taken
against what fetching one request at a time would have cost (requests x latency).
"""

from __future__ import annotations

import argparse
import tempfile
from collections import Counter
from functools import partial
from pathlib import Path

import anyio

from .._client import AsyncClient
from .._convert import structure_list
from .._json import loads
from ..models import CallExecution
from ._exporting import ExportSummary, export
from ._fake_server import add_dataset_options, build_fake
from ._output import console
from ._progress import wants_bar

__all__ = ["HELP", "add_parser", "main"]

HELP = "export a few thousand calls from the built-in fake and show the results (offline)"

_BAR = 32


def add_parser(p: argparse.ArgumentParser) -> None:
    add_dataset_options(p, executions=60, calls=50)
    p.set_defaults(run_tests=1)
    p.add_argument(
        "--latency", type=float, default=0.08, help="fake latency, seconds (default 0.08)"
    )
    p.add_argument("--concurrency", type=int, default=16, help="executions at once (default 16)")
    p.add_argument("-o", "--out", type=Path, help="keep the exported files in this directory")
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: only on a terminal)",
    )
    p.set_defaults(main=main)


def _read_calls(path: Path) -> list[CallExecution]:
    calls: list[CallExecution] = []
    with path.open("rb") as handle:
        for line in handle:
            calls += structure_list(loads(line)["calls"], CallExecution)
    return calls


def _bar(rate: float) -> str:
    filled = round(rate / 100 * _BAR)
    return "█" * filled + "░" * (_BAR - filled)


def _report(summary: ExportSummary, requests: int, latency: float, concurrency: int) -> None:
    from rich.text import Text

    out = console()
    calls = _read_calls(summary.directory / "executions.jsonl")
    verdicts: dict[str, Counter[bool]] = {}
    scores: dict[str, list[float]] = {}
    reasons: Counter[str] = Counter()
    for call in calls:
        for output in call.eval_outputs.values():
            value = output.value
            is_score = (output.output_type or "").casefold() == "score"
            if output.name and is_score and isinstance(value, int | float):
                scores.setdefault(output.name, []).append(100 * value)
            if output.passed is None or not output.name:
                continue
            verdicts.setdefault(output.name, Counter())[output.passed] += 1
            if output.passed is False and output.reason:
                reasons[output.reason] += 1

    out.print(
        Text.assemble(
            ("Exported ", ""),
            (f"{summary.calls:,} calls", "bold"),
            f" from {summary.executions} executions in ",
            (f"{summary.seconds:.2f}s", "bold"),
        )
    )
    for path in summary.files:
        out.print(f"  {path}")
    out.print()
    out.print(Text("Pass rate per eval", style="bold"))
    width = max((len(name) for name in [*verdicts, *scores]), default=0)
    rows: list[tuple[str, float, str]] = []
    for name, counts in sorted(verdicts.items()):
        judged = counts[True] + counts[False]
        rate = 100 * counts[True] / judged if judged else 0.0
        rows.append((name, rate, f"passed  ({counts[True]:,}/{judged:,})"))
    for name, values in sorted(scores.items()):
        rows.append((name, sum(values) / len(values), f"average score  ({len(values):,})"))
    for name, rate, note in rows:
        style = "green" if rate >= 90 else "yellow" if rate >= 75 else "red"
        out.print(
            Text.assemble(f"  {name:<{width}}  ", (_bar(rate), style), f"  {rate:5.1f}% {note}")
        )
    out.print()
    out.print(Text("Most common failure reasons", style="bold"))
    for reason, count in reasons.most_common(5):
        out.print(f"  {count:>5,}  {reason}")
    if not reasons:
        out.print("  (none)")
    out.print()
    one_at_a_time = requests * latency
    speedup = one_at_a_time / summary.seconds if summary.seconds else 0.0
    out.print(Text("Time", style="bold"))
    out.print(
        f"  {requests:,} requests, {concurrency} executions at a time: {summary.seconds:.2f}s"
    )
    out.print(
        f"  one request at a time: {requests:,} x {latency * 1000:.0f} ms = "
        f"{one_at_a_time:.2f}s at least"
    )
    out.print(Text(f"  {speedup:.1f}x faster", style="bold green"))


async def _demo(args: argparse.Namespace, directory: Path) -> int:
    from ..testing import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI

    fake = build_fake(args)
    assert isinstance(fake, FakeAPI)
    name = fake.dataset.run_tests[0].name
    async with (
        fake.serve() as base_url,
        AsyncClient(TEST_API_KEY, TEST_SECRET_KEY, base_url=base_url) as client,
    ):
        fake.stats.reset()
        summary = await export(
            client,
            name,
            directory,
            formats=["jsonl", "csv"],
            concurrency=args.concurrency,
            overwrite=True,
            progress=wants_bar(args.progress),
        )
        requests = fake.stats.requests_served
    _report(summary, requests, args.latency, args.concurrency)
    return 0


def main(args: argparse.Namespace) -> int:
    console()  # fail early, with the clear message, if the `cli` extra is missing
    if args.out is not None:
        return anyio.run(partial(_demo, args, args.out))
    with tempfile.TemporaryDirectory(prefix="futureagi-demo-") as tmp:
        code = anyio.run(partial(_demo, args, Path(tmp)))
        console().print("  (the files were temporary: pass --out DIR to keep them)")
        return code
