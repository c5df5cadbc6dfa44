"""`export`: every execution of a run test, with all its call rows, to files, resumably."""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path

import attrs

from .._client import AsyncClient
from .._errors import FutureAGIError
from .._fanout import Progress
from ._export import FORMATS, ExportWriter, eval_config_names
from ._gate import UsageError
from ._output import Output
from ._progress import ProgressBar, wants_bar

__all__ = ["HELP", "ExportSummary", "add_parser", "export", "run"]

HELP = (
    "export every execution of a run test, with all its call rows, to JSONL/CSV/Parquet; "
    "interrupt and rerun to resume"
)


def add_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("name", metavar="RUN_TEST_NAME", help="exact, case-sensitive name")
    p.add_argument("-o", "--out", type=Path, help="output directory (default: ./<name>-export)")
    p.add_argument(
        "--format",
        default="jsonl,csv",
        help=f"comma-separated, from {', '.join(FORMATS)} (default: jsonl,csv)",
    )
    p.add_argument("--transcripts", action="store_true", help="include call transcripts")
    p.add_argument("--eval", action="append", metavar="NAME", help="only this eval; repeatable")
    p.add_argument(
        "--concurrency", type=int, default=8, help="executions fetched at once (default 8)"
    )
    p.add_argument(
        "--overwrite", action="store_true", help="start again instead of resuming or refusing"
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress bar on stderr (default: only on a terminal)",
    )


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "run-test"


@attrs.frozen
class ExportSummary:
    directory: Path
    files: tuple[Path, ...]
    executions: int
    skipped: int
    calls: int
    seconds: float


async def export(
    client: AsyncClient,
    name: str,
    directory: Path,
    *,
    formats: list[str],
    transcripts: bool = False,
    eval_names: list[str] | None = None,
    concurrency: int = 8,
    overwrite: bool = False,
    progress: bool = False,
) -> ExportSummary:
    """The export pipeline the command and the demo share."""
    if concurrency < 1:
        raise UsageError(f"--concurrency must be at least 1, got {concurrency}")
    started = time.perf_counter()
    executions = await client.simulation.runs(name, eval_names=eval_names).collect()
    with ExportWriter(
        directory,
        run_test=name,
        formats=formats,
        transcripts=transcripts,
        evals=eval_config_names(executions),
        overwrite=overwrite,
    ) as writer:
        skipped = len(writer.done)
        remaining = [
            e.execution_id
            for e in executions
            if e.execution_id and e.execution_id not in writer.done
        ]
        with ProgressBar(f"exporting {name}", enabled=progress) as bar:

            def on_progress(p: Progress) -> None:
                total = None if p.total is None else p.total + skipped
                bar.update(
                    attrs.evolve(p, total=total, done=p.done + skipped),
                    extra=f"{writer.rows_written} calls",
                )

            try:
                if remaining:
                    async with client.export(
                        name,
                        execution_ids=remaining,
                        transcripts=transcripts,
                        eval_names=eval_names,
                        concurrency=concurrency,
                        progress=on_progress,
                    ) as records:
                        async for record in records:
                            writer.write(record.execution, record.calls)
            except FutureAGIError as exc:
                raise UsageError(
                    f"{exc} ({len(writer.done)} of {len(executions)} executions are saved in "
                    f"{directory}; rerun the same command to resume)"
                ) from exc
            except BaseException:
                print(
                    f"stopped: {len(writer.done)} of {len(executions)} executions are saved in "
                    f"{directory}; rerun the same command to resume",
                    file=sys.stderr,
                )
                raise
        files = writer.finish()
        return ExportSummary(
            directory,
            tuple(files),
            len(executions),
            skipped,
            writer.rows_written,
            time.perf_counter() - started,
        )


async def run(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    summary = await export(
        client,
        args.name,
        args.out or Path(f"{_slug(args.name)}-export"),
        formats=formats,
        transcripts=args.transcripts,
        eval_names=args.eval,
        concurrency=args.concurrency,
        overwrite=args.overwrite,
        progress=wants_bar(args.progress),
    )
    resumed = f" ({summary.skipped} already saved)" if summary.skipped else ""
    out.line(
        f"exported {summary.executions} execution(s){resumed}, {summary.calls} call row(s) "
        f"in {summary.seconds:.1f}s:"
    )
    for path in summary.files:
        out.line(f"  {path}")
    return 0
