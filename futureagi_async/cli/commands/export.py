"""`export`: every execution of a run test, with all its call rows, to files, resumably."""

from __future__ import annotations

import argparse
import re
import sys
import time

import attrs

from ..._client import AsyncClient
from ..._errors import FutureAGIError
from ...export import FORMATS, open_export
from .._arguments import Subcommands, add_command, at_least
from .._errors import UsageError, naming_a_run_test
from .._eval_names import check_eval_names, config_names
from .._output import Output
from .._progress import ProgressBar, wants_bar

__all__ = ["ExportSummary", "export", "register"]

HELP = (
    "export every execution of a run test, with all its call rows, to JSONL/CSV/Parquet; "
    "interrupt and rerun to resume"
)


def register(commands: Subcommands) -> None:
    p = add_command(commands, "export", HELP, run=run, formats=False)
    p.add_argument("name", metavar="RUN_TEST_NAME", help="exact, case-sensitive name")
    p.add_argument(
        "-o",
        "--out",
        metavar="DEST",
        help="a directory, or an s3://, gs://, az:// or file:// URL (default: ./<name>-export)",
    )
    p.add_argument(
        "--format",
        default="jsonl,csv",
        help=f"comma-separated, from {', '.join(FORMATS)} (default: jsonl,csv); parquet "
        "writes a hive-partitioned dataset under calls/ and executions/",
    )
    p.add_argument("--transcripts", action="store_true", help="include call transcripts")
    p.add_argument("--eval", action="append", metavar="NAME", help="only this eval; repeatable")
    p.add_argument(
        "--concurrency",
        type=at_least(1),
        default=8,
        help="executions fetched at once (default 8)",
    )
    p.add_argument(
        "--overwrite", action="store_true", help="start again instead of resuming or refusing"
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="progress on stderr (default: a bar on a terminal, nothing otherwise; forced "
        "off a terminal, one line per update)",
    )


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.") or "run-test"


@attrs.frozen
class ExportSummary:
    #: The destination as given: a path or a URL.
    directory: str
    files: tuple[str, ...]
    executions: int
    skipped: int
    calls: int
    seconds: float
    #: The same export had already finished: nothing was fetched or written.
    already_done: bool = False


async def export(
    client: AsyncClient,
    name: str,
    directory: str,
    *,
    formats: list[str],
    transcripts: bool = False,
    eval_names: list[str] | None = None,
    concurrency: int = 8,
    overwrite: bool = False,
    progress: bool = False,
    temporary: bool = False,
) -> ExportSummary:
    """The export pipeline the command and the demo share. `temporary`: `directory` is
    removed afterwards (the demo's), so a stop must not suggest resuming from it."""
    started = time.perf_counter()
    unknown = sorted(set(formats) - set(FORMATS))
    if unknown or not formats:
        raise UsageError(f"--format takes {', '.join(FORMATS)}; got {', '.join(formats)}")
    # The destination first (its lock, its state): a bad one fails before any request.
    async with open_export(
        directory,
        run_test=name,
        formats=formats,
        transcripts=transcripts,
        overwrite=overwrite,
        all_evals=not eval_names,
    ) as writer:
        if writer.finished is not None:
            return ExportSummary(
                directory,
                tuple(writer.final_paths()),
                writer.finished.executions,
                writer.finished.executions,
                writer.finished.calls,
                time.perf_counter() - started,
                already_done=True,
            )
        with naming_a_run_test(name):
            await check_eval_names(client, name, eval_names)
            executions = await client.simulation.runs(name, eval_names=eval_names).collect()
        await writer.begin(evals=config_names(executions))
        skipped = len(writer.done)
        remaining = [
            e.execution_id
            for e in executions
            if e.execution_id and e.execution_id not in writer.done
        ]
        # The bar closes (its last redraw) before any `stopped:` line below is printed.
        try:
            with ProgressBar(f"exporting {name}", enabled=progress) as bar:

                def show() -> None:
                    done, calls = len(writer.done), writer.rows_written
                    bar.update(done, len(executions), extra=f"{calls:,} calls")

                show()
                if remaining:
                    if transcripts:
                        bar.phase("reading the run test's call listing for transcripts")
                    async with client.export(
                        name,
                        execution_ids=remaining,
                        transcripts=transcripts,
                        eval_names=eval_names,
                        concurrency=concurrency,
                    ) as records:
                        show()
                        async for record in records:
                            await writer.write(record.execution, record.calls)
                            show()
        except FutureAGIError as exc:
            saved = (
                "the files were temporary and are removed"
                if temporary
                else f"are saved in {directory}; rerun the same command to resume"
            )
            raise UsageError(
                f"{exc} ({len(writer.done)} of {len(executions)} executions {saved})"
            ) from exc
        except BaseException:
            # After the bar's last redraw, so this is the last line on the terminal.
            if temporary:
                print(
                    f"stopped after {len(writer.done)} of {len(executions)} executions; the "
                    "files were temporary and are removed (pass --out DIR to keep them)",
                    file=sys.stderr,
                )
            else:
                print(
                    f"stopped: {len(writer.done)} of {len(executions)} executions are saved in "
                    f"{directory}; rerun the same command to resume",
                    file=sys.stderr,
                )
            raise
        files = await writer.finish()
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
        args.out or f"{_slug(args.name)}-export",
        formats=formats,
        transcripts=args.transcripts,
        eval_names=args.eval,
        concurrency=args.concurrency,
        overwrite=args.overwrite,
        progress=wants_bar(args.progress),
    )
    if summary.already_done:
        out.line(
            f"already exported: {summary.directory} holds a finished export of {args.name!r} "
            f"({summary.executions} execution(s), {summary.calls} call row(s)); nothing to do "
            "(pass --overwrite to export again, e.g. to pick up newer executions)"
        )
        return 0
    resumed = f" ({summary.skipped} already saved)" if summary.skipped else ""
    out.line(
        f"exported {summary.executions} execution(s){resumed}, {summary.calls} call row(s) "
        f"in {summary.seconds:.1f}s:"
    )
    for path in summary.files:
        out.line(f"  {path}")
    return 0
