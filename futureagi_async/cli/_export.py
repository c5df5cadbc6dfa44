"""Export files that survive interruption: JSON Lines, CSV and (optionally) Parquet.

While an export runs, data goes to `*.partial` files, and after each execution is fully
written and flushed, one line naming it and the files' sizes is appended to
`export.manifest`. A re-run reads the manifest, cuts the partial files back to the last
recorded sizes (dropping anything half-written by the interrupted run) and skips the
executions already there. Only a finished export is renamed to the final names, so a
reader never takes a half-written line, or a half-exported run, for data.

Layout of `DIR`: `executions.jsonl` (one execution a line, with every call row),
`calls.csv` (one call a line, evals as columns), `calls.parquet` (the same rows).
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import attrs

from .._convert import unstructure
from .._json import dumps
from ..models import CallExecution, SimulationExecution
from ._gate import UsageError

__all__ = ["FORMATS", "ExportWriter", "call_columns", "eval_config_names"]

FORMATS = ("jsonl", "csv", "parquet")
MANIFEST = "export.manifest"
LOCK = "export.lock"
JSONL = "executions.jsonl"
CSV = "calls.csv"
PARQUET = "calls.parquet"

_BASE_COLUMNS = (
    "execution_id",
    "execution_status",
    "call_id",
    "scenario",
    "status",
    "started_at",
    "duration_seconds",
    "ended_reason",
    "overall_score",
    "response_time_ms",
    "avg_agent_latency_ms",
    "cost_cents",
    "call_summary",
)


def eval_config_names(executions: Iterable[SimulationExecution]) -> list[str]:
    """Eval config names (the names call outputs carry), in first-seen order."""
    names = dict.fromkeys(
        config.name
        for execution in executions
        for result in execution.eval_results
        for config in result.result
        if config.name
    )
    return list(names)


def call_columns(evals: Sequence[str], *, transcripts: bool) -> list[str]:
    columns = list(_BASE_COLUMNS)
    for name in evals:
        columns += [f"eval:{name}", f"eval:{name}:reason"]
    columns.append("other_evals")
    if transcripts:
        columns.append("transcript")
    return columns


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    return dumps(unstructure(value) if attrs.has(type(value)) else value).decode()


def call_row(
    execution: SimulationExecution, call: CallExecution, evals: Sequence[str], transcripts: bool
) -> list[str]:
    started = call.timestamp or call.start_time
    duration = call.duration_seconds if call.duration_seconds is not None else call.duration
    row: list[object] = [
        execution.execution_id or call.test_execution_id,
        execution.status,
        call.id,
        call.scenario,
        call.status,
        started.isoformat().replace("+00:00", "Z") if started else None,
        duration,
        call.ended_reason,
        call.overall_score,
        call.response_time_ms,
        call.avg_agent_latency_ms,
        call.cost_cents,
        call.call_summary,
    ]
    by_name = {o.name: o for o in call.eval_outputs.values() if o.name}
    for name in evals:
        output = by_name.pop(name, None)
        row += [output.value, output.reason] if output else [None, None]
    row.append({k: unstructure(v) for k, v in by_name.items()} or None)
    if transcripts:
        row.append([unstructure(t) for t in call.transcript] or None)
    return [_text(value) for value in row]


@attrs.frozen
class _Header:
    run_test: str
    formats: tuple[str, ...]
    transcripts: bool
    evals: tuple[str, ...]

    @property
    def columns(self) -> list[str]:
        return call_columns(self.evals, transcripts=self.transcripts)


class ExportWriter:
    """Appends executions to the partial files; `finish()` publishes them.

    Open it with the run's settings: a manifest left by a different export in the same
    directory is an error, since mixing the two would corrupt both.
    """

    def __init__(
        self,
        directory: Path,
        *,
        run_test: str,
        formats: Sequence[str],
        transcripts: bool,
        evals: Sequence[str],
        overwrite: bool = False,
    ):
        unknown = sorted(set(formats) - set(FORMATS))
        if unknown or not formats:
            raise UsageError(f"--format takes {', '.join(FORMATS)}; got {', '.join(formats)}")
        if "parquet" in formats:
            try:
                import pyarrow  # noqa: F401
            except ImportError:
                raise UsageError(
                    "Parquet needs the 'parquet' extra: pip install 'futureagi-async[parquet]'"
                ) from None
        self.directory = directory
        self._formats = tuple(f for f in FORMATS if f in formats)
        self._transcripts = transcripts
        self._overwrite = overwrite
        self._wanted = _Header(
            run_test,
            self._formats,
            transcripts,
            tuple(evals),
        )
        self.header = self._wanted
        self.done: set[str] = set()
        self.rows_written = 0
        self._files: dict[str, io.BufferedWriter] = {}
        self._manifest: io.BufferedWriter | None = None
        self._lock: io.BufferedWriter | None = None

    # --- files --------------------------------------------------------------------------

    @property
    def _staged(self) -> list[str]:
        """What is written while running: parquet is made from the CSV at the end."""
        names = [JSONL] if "jsonl" in self._formats else []
        if "csv" in self._formats or "parquet" in self._formats:
            names.append(CSV)
        return names

    def final_paths(self) -> list[Path]:
        names = {"jsonl": JSONL, "csv": CSV, "parquet": PARQUET}
        return [self.directory / names[f] for f in self._formats]

    def _partial(self, name: str) -> Path:
        return self.directory / f"{name}.partial"

    def __enter__(self) -> Self:
        self.directory.mkdir(parents=True, exist_ok=True)
        self._lock = _lock(self.directory / LOCK)
        try:
            self._open()
        except BaseException:
            self._close()
            raise
        return self

    def _open(self) -> None:
        manifest = self.directory / MANIFEST
        if self._overwrite:
            for path in [manifest, *map(self._partial, (JSONL, CSV)), *self.final_paths()]:
                path.unlink(missing_ok=True)
        elif not manifest.exists():
            done = [p.name for p in self.final_paths() if p.exists()]
            if done:
                raise UsageError(
                    f"{self.directory} already holds a finished export ({', '.join(done)}); "
                    "pass --overwrite to export again"
                )
        offsets = self._resume(manifest) if manifest.exists() else None
        for name in self._staged:
            path = self._partial(name)
            handle = path.open("r+b" if offsets is not None and path.exists() else "wb")
            handle.truncate(offsets.get(name, 0) if offsets is not None else 0)
            handle.seek(0, os.SEEK_END)
            self._files[name] = handle  # type: ignore[assignment]
        if offsets is None:
            self._manifest = manifest.open("wb")
            self._manifest.write(dumps(attrs.asdict(self.header)) + b"\n")
            if CSV in self._files:
                self._files[CSV].write(_csv_line(self.header.columns))
            self._commit(None)
        else:
            self._manifest = manifest.open("ab")

    def _resume(self, manifest: Path) -> dict[str, int]:
        """Read the manifest; return the sizes the partial files had at the last commit."""
        lines = manifest.read_bytes().split(b"\n")
        try:
            raw = json.loads(lines[0])
            header = _Header(
                raw["run_test"],
                tuple(raw["formats"]),
                bool(raw["transcripts"]),
                tuple(raw["evals"]),
            )
        except (ValueError, KeyError, TypeError):
            raise UsageError(
                f"{manifest} is unreadable; pass --overwrite to start the export again"
            ) from None
        wanted = self._wanted
        if (header.run_test, header.formats, header.transcripts) != (
            wanted.run_test,
            wanted.formats,
            wanted.transcripts,
        ):
            raise UsageError(
                f"{self.directory} holds an unfinished export of {header.run_test!r} "
                f"({', '.join(header.formats)}, transcripts={header.transcripts}); rerun it "
                "with the same options to resume, or pass --overwrite"
            )
        # The columns of the first run stay: they are already in the CSV header.
        self.header = header
        offsets: dict[str, int] = {}
        good = 1
        for line in lines[1:]:
            try:
                entry = json.loads(line)
            except ValueError:
                break  # the interrupted run's last, half-written manifest line
            offsets = entry["offsets"]
            if entry.get("execution_id"):
                self.done.add(entry["execution_id"])
                self.rows_written += int(entry.get("rows", 0))
            good += 1
        # Drop a torn manifest tail too, so the next append starts on a fresh line.
        with manifest.open("r+b") as handle:
            handle.truncate(sum(len(line) + 1 for line in lines[:good]))
        return offsets

    def _commit(self, execution_id: str | None, rows: int = 0) -> None:
        # A flush is enough to survive an interrupted process, which is what resuming is
        # for; an fsync per execution would cost more than fetching it.
        for handle in self._files.values():
            handle.flush()
        assert self._manifest is not None
        entry = {
            "execution_id": execution_id,
            "rows": rows,
            "offsets": {name: handle.tell() for name, handle in self._files.items()},
        }
        self._manifest.write(dumps(entry) + b"\n")
        self._manifest.flush()

    # --- writing ------------------------------------------------------------------------

    def write(self, execution: SimulationExecution, calls: Sequence[CallExecution]) -> None:
        """Append one execution with its calls, then record it as done."""
        if execution.execution_id in self.done:
            return
        if JSONL in self._files:
            record = {
                "execution": unstructure(execution),
                "calls": [unstructure(call) for call in calls],
            }
            self._files[JSONL].write(dumps(record) + b"\n")
        if CSV in self._files:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            for call in calls:
                writer.writerow(
                    call_row(execution, call, self.header.evals, self.header.transcripts)
                )
            self._files[CSV].write(buffer.getvalue().encode())
        self.rows_written += len(calls)
        self._commit(execution.execution_id, len(calls))
        if execution.execution_id:
            self.done.add(execution.execution_id)

    def finish(self) -> list[Path]:
        """Publish: close, make Parquet from the CSV, rename, drop the manifest.

        The lock is held until the end, so no other export sees a half-published directory.
        """
        self._close(keep_lock=True)
        if "parquet" in self._formats:
            _csv_to_parquet(self._partial(CSV), self.directory / PARQUET)
        if "jsonl" in self._formats:
            self._partial(JSONL).replace(self.directory / JSONL)
        if "csv" in self._formats:
            self._partial(CSV).replace(self.directory / CSV)
        else:
            self._partial(CSV).unlink(missing_ok=True)
        (self.directory / MANIFEST).unlink()
        (self.directory / LOCK).unlink(missing_ok=True)
        self._close()
        return self.final_paths()

    def _close(self, *, keep_lock: bool = False) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()
        if self._manifest is not None:
            self._manifest.close()
            self._manifest = None
        if self._lock is not None and not keep_lock:
            self._lock.close()  # closing releases the lock
            self._lock = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()


def _lock(path: Path) -> io.BufferedWriter:
    """Hold `path` locked, so two exports never append to the same files at once."""
    handle = path.open("ab")
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, no check
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise UsageError(f"another export is writing to {path.parent}") from None
    return handle


def _csv_line(values: Iterable[Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue().encode()


def _csv_to_parquet(source: Path, target: Path) -> None:
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    partial = target.with_name(target.name + ".partial")
    # Every column as text: a column of mostly numbers with one "Passed" must not fail.
    with source.open(newline="", encoding="utf-8") as handle:
        header = next(csv.reader(handle))
    table = pacsv.read_csv(
        source,
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(header, "string"), strings_can_be_null=True
        ),
        parse_options=pacsv.ParseOptions(newlines_in_values=True),
    )
    pq.write_table(table, partial)
    partial.replace(target)
