"""Export files that survive interruption: JSON Lines, CSV and a Parquet dataset.

While an export runs, JSON Lines and CSV go to `*.partial` files, and after each execution
is fully written and flushed, one line naming it and the files' sizes is appended to
`export.manifest`. A re-run reads the manifest, cuts the partial files back to the last
recorded sizes (dropping anything half-written by the interrupted run) and skips the
executions already there. Only a finished export is renamed to the final names, so a
reader never takes a half-written line, or a half-exported run, for data. Parquet parts
are written per execution, atomically (see `_parquet_dataset`).

A finished export leaves one line in `export.done`; running the same export again is then
a no-op that says so, which is what a CI step that may be retried needs.

Layout of `DIR`: `executions.jsonl` (one execution a line, with every call row),
`calls.csv` (one call a line, evals as columns), `calls/` and `executions/` (Parquet).
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

from .._json import dumps
from ..models import CallExecution, SimulationExecution
from ._errors import UsageError, install_hint
from ._jsonable import jsonable
from ._parquet_dataset import CALLS, EXECUTIONS, ParquetDataset

__all__ = ["FORMATS", "ExportWriter", "call_columns"]

FORMATS = ("jsonl", "csv", "parquet")
MANIFEST = "export.manifest"
DONE = "export.done"
LOCK = "export.lock"
JSONL = "executions.jsonl"
CSV = "calls.csv"

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
    return dumps(jsonable(value)).decode()


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
    row.append(by_name or None)
    if transcripts:
        row.append(call.transcript or None)
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

    def same_export(self, other: _Header) -> bool:
        """The same run test, files and options (the eval columns are the first run's)."""
        return (self.run_test, self.formats, self.transcripts) == (
            other.run_test,
            other.formats,
            other.transcripts,
        )

    @classmethod
    def read(cls, raw: Any) -> _Header:
        return cls(
            raw["run_test"], tuple(raw["formats"]), bool(raw["transcripts"]), tuple(raw["evals"])
        )


@attrs.frozen
class Finished:
    """What `export.done` says about an export that already finished."""

    executions: int
    calls: int


class ExportWriter:
    """Appends executions to the partial files; `finish()` publishes them.

    Open it with the run's settings: a manifest left by a different export in the same
    directory is an error, since mixing the two would corrupt both. When the same export
    already finished, `finished` is set and nothing is written.
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
        all_evals: bool = True,
    ):
        unknown = sorted(set(formats) - set(FORMATS))
        if unknown or not formats:
            raise UsageError(f"--format takes {', '.join(FORMATS)}; got {', '.join(formats)}")
        self._parquet: ParquetDataset | None = None
        if "parquet" in formats:
            try:
                self._parquet = ParquetDataset(
                    directory, run_test, transcripts=transcripts, all_evals=all_evals
                )
            except ImportError:
                raise UsageError(
                    f"Parquet needs the 'parquet' extra: {install_hint('parquet')}"
                ) from None
        self.directory = directory
        self._formats = tuple(f for f in FORMATS if f in formats)
        self._overwrite = overwrite
        self._wanted = _Header(run_test, self._formats, transcripts, tuple(evals))
        self.header = self._wanted
        self.done: set[str] = set()
        self.rows_written = 0
        self.finished: Finished | None = None
        self._files: dict[str, io.BufferedWriter] = {}
        self._manifest: io.BufferedWriter | None = None
        self._lock: io.BufferedWriter | None = None

    # --- files --------------------------------------------------------------------------

    @property
    def _staged(self) -> list[str]:
        """The files appended to while running."""
        names = {"jsonl": JSONL, "csv": CSV}
        return [names[f] for f in self._formats if f in names]

    def final_paths(self) -> list[Path]:
        names = {"jsonl": [JSONL], "csv": [CSV], "parquet": [CALLS, EXECUTIONS]}
        return [self.directory / name for f in self._formats for name in names[f]]

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
            for path in [manifest, *map(self._partial, (JSONL, CSV))]:
                path.unlink(missing_ok=True)
            for path in self.final_paths():
                if path.is_file():
                    path.unlink()
            if self._parquet is not None:
                self._parquet.remove()
            self._forget_done()
        elif not manifest.exists():
            self.finished = self._done_before()
            if self.finished is not None:
                return
            clash = [self.directory / n for n in self._staged if (self.directory / n).exists()]
            if clash:
                raise UsageError(
                    f"{self.directory} already holds a finished export "
                    f"({', '.join(p.name for p in clash)}) of another run test or with other "
                    "options; pass --overwrite to replace it, or use another directory"
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

    def _done_lines(self) -> list[dict[str, Any]]:
        path = self.directory / DONE
        if not path.exists():
            return []
        lines = []
        for line in path.read_bytes().splitlines():
            try:
                lines.append(json.loads(line))
            except ValueError:
                continue  # a torn line: that export is simply not known to be done
        return lines

    def _done_before(self) -> Finished | None:
        for entry in self._done_lines():
            try:
                header = _Header.read(entry)
                finished = Finished(int(entry["executions"]), int(entry["calls"]))
            except (KeyError, TypeError, ValueError):
                continue
            if header.same_export(self._wanted):
                return finished
        return None

    def _forget_done(self) -> None:
        kept = [e for e in self._done_lines() if e.get("run_test") != self._wanted.run_test]
        path = self.directory / DONE
        if kept:
            path.write_bytes(b"".join(dumps(e) + b"\n" for e in kept))
        else:
            path.unlink(missing_ok=True)

    def _resume(self, manifest: Path) -> dict[str, int]:
        """Read the manifest; return the sizes the partial files had at the last commit."""
        lines = manifest.read_bytes().split(b"\n")
        try:
            header = _Header.read(json.loads(lines[0]))
        except (ValueError, KeyError, TypeError):
            raise UsageError(
                f"{manifest} is unreadable; pass --overwrite to start the export again"
            ) from None
        if not header.same_export(self._wanted):
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
            record = jsonable({"execution": execution, "calls": calls})
            self._files[JSONL].write(dumps(record) + b"\n")
        if CSV in self._files:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            for call in calls:
                writer.writerow(
                    call_row(execution, call, self.header.evals, self.header.transcripts)
                )
            self._files[CSV].write(buffer.getvalue().encode())
        if self._parquet is not None:
            self._parquet.write(execution, calls)
        self.rows_written += len(calls)
        self._commit(execution.execution_id, len(calls))
        if execution.execution_id:
            self.done.add(execution.execution_id)

    def finish(self) -> list[Path]:
        """Publish: close, rename, note the export as done, drop the manifest.

        The lock is held until the end, so no other export sees a half-published directory.
        """
        self._close(keep_lock=True)
        for name in self._staged:
            self._partial(name).replace(self.directory / name)
        entry = {
            **attrs.asdict(self.header),
            "executions": len(self.done),
            "calls": self.rows_written,
        }
        with (self.directory / DONE).open("ab") as handle:
            handle.write(dumps(entry) + b"\n")
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
        if self.finished is not None:
            (self.directory / LOCK).unlink(missing_ok=True)


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
