"""Bulk export: every execution of a run test, with every call row, to one JSON Lines file.

`client.export` fetches executions concurrently (bounded by `concurrency` and by the
client's `max_concurrency`) and hands each over complete, so memory holds a few executions,
never the whole run test. With `return_exceptions=True` one broken execution is reported
and skipped instead of failing the export. The file is written under a temporary name and
renamed when complete, so a crash never leaves a half-file that looks finished. (The
`futureagi-async export` command adds resuming, CSV/Parquet and a progress bar.)

    python examples/bulk_export.py                      # from the built-in fake, to a temp dir
    python examples/bulk_export.py "Billing bot nightly 0" out.jsonl
    FI_API_KEY=... FI_SECRET_KEY=... python examples/bulk_export.py "My run test" out.jsonl --live

Without an output path the file goes to a new temporary directory, never the current one.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import anyio
import httpx2

from futureagi_async import AsyncClient, ExecutionExport, Progress


def _json_line(record: ExecutionExport) -> bytes:
    """One execution and its calls as one compact JSON line, in the API's own JSON shape."""
    data = {"execution": record.execution.to_dict(), "calls": [c.to_dict() for c in record.calls]}
    return json.dumps(data, separators=(",", ":")).encode() + b"\n"


def _reporter() -> Callable[[Progress], None]:
    """On a terminal, one line redrawn in place; in a log (not a TTY), a plain line at each
    tenth of the way and at the end, so the log holds no carriage returns."""
    logged: set[int] = set()  # progress is reported more than once per count

    def report(progress: Progress) -> None:
        text = f"{progress.done}/{progress.total or '?'} executions"
        if sys.stderr.isatty():
            print(f"\r{text}", end="", file=sys.stderr)
            return
        step = max(1, (progress.total or 0) // 10)
        if progress.done in logged or not progress.done:
            return
        if progress.done % step == 0 or progress.done == progress.total:
            logged.add(progress.done)
            print(text, file=sys.stderr)

    return report


def _newline() -> str:
    """Ends the progress line on a terminal; a log's lines are already whole."""
    return "\n" if sys.stderr.isatty() else ""


async def main(
    base_url: str | None = None,
    *,
    http_client: httpx2.AsyncClient | None = None,
    api_key: str | None = None,
    secret_key: str | None = None,
    run_test: str | None = None,
    out: Path | None = None,
    concurrency: int = 8,
) -> dict[str, int]:
    """Write `out` (default: a new temporary directory's export.jsonl); return how many
    executions, calls and failures there were."""
    if out is None:
        out = Path(tempfile.mkdtemp(prefix="futureagi-export-")) / "export.jsonl"
    counts = {"executions": 0, "calls": 0, "failed": 0}
    partial = out.with_name(out.name + ".partial")
    async with AsyncClient(
        api_key, secret_key, base_url=base_url, http_client=http_client
    ) as client:
        if run_test is None:
            async for first in client.run_tests.list(page_size=1):
                run_test = first.name
                break
        assert run_test is not None
        with partial.open("wb") as file:
            async with client.export(
                run_test, concurrency=concurrency, return_exceptions=True, progress=_reporter()
            ) as records:
                async for outcome in records:
                    if not outcome.ok:
                        counts["failed"] += 1
                        print(
                            f"{_newline()}skipped {outcome.input}: {outcome.error}", file=sys.stderr
                        )
                        continue
                    record = outcome.unwrap()
                    file.write(_json_line(record))
                    counts["executions"] += 1
                    counts["calls"] += len(record.calls)
    partial.replace(out)
    failed = f" ({counts['failed']} failed)" if counts["failed"] else ""
    print(
        f"{_newline()}{run_test}: {counts['executions']} executions, "
        f"{counts['calls']} calls -> {out}{failed}"
    )
    return counts


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--live"]
    name = args[0] if args else None
    target = Path(args[1]) if len(args) > 1 else None
    if "--live" in sys.argv:
        anyio.run(lambda: main(run_test=name, out=target))
    else:
        from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI

        fake = httpx2.AsyncClient(transport=FakeAPI().transport())
        anyio.run(
            lambda: main(
                "http://127.0.0.1",
                http_client=fake,
                api_key=TEST_API_KEY,
                secret_key=TEST_SECRET_KEY,
                run_test=name,
                out=target,
            )
        )
