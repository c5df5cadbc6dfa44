"""Export files that survive interruption, on a local disk or an object store.

No step needs a rename or an append, which object stores do not have. Under the destination
(a directory or a prefix):

    export.lock                       one export at a time (see `_export_lock`)
    _staging/header.json              what is being exported: run test, formats, options
    _staging/jsonl/<execution>.jsonl  one execution's JSON line, when jsonl is asked for
    _staging/csv/<execution>.csv      its CSV rows, when csv is
    _staging/committed/<execution>=<rows>   the commit log: one empty object per execution,
                                      written after all of that execution's data
    calls/..., executions/...         Parquet parts, at their final names (`_parquet_dataset`)

Every object is written whole (`ExportTarget.put`). A run that stops, however it stops,
leaves a commit log naming the executions it finished; the next run with the same options
skips those and writes the rest again under the same names, replacing whatever an
unfinished execution had written, so no execution is lost or doubled. `finish()` then
assembles `executions.jsonl` and `calls.csv` from the staged pieces (each a single object
that appears whole), records the export in `export.done`, and deletes `_staging/`. Readers
of `calls/` and `executions/` never see `_staging/` (and Spark and pyarrow skip names that
start with `_` anyway), and the final files appear only when complete.

Running a finished export again is a no-op that says so (what a retried CI step needs);
an export into a destination holding another export's unfinished work, another run test's
JSON Lines or CSV, or files no export wrote, is refused before any page is read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from os import PathLike
from typing import Any
from urllib.parse import quote, unquote

import anyio
import anyio.to_thread
import attrs

from ._convert import unstructure
from ._export_lock import LOCK, Lease
from ._export_target import ExportError, ExportTarget, open_target
from ._extras import install_hint
from ._json import dumps
from ._parquet_dataset import CALLS, EXECUTIONS, ParquetDataset
from .models import CallExecution, SimulationExecution

__all__ = ["FORMATS", "ExportWriter", "Finished", "call_columns", "open_export"]

FORMATS = ("jsonl", "csv", "parquet")
DONE = "export.done"
STAGING = "_staging"
HEADER = "header.json"
COMMITTED = "committed"
JSONL = "executions.jsonl"
CSV = "calls.csv"
#: The names an export puts at the top of its destination.
_OURS = frozenset({LOCK, DONE, STAGING, JSONL, CSV, CALLS, EXECUTIONS})
#: Staged pieces fetched at once when the JSON Lines and CSV are assembled.
_BATCH = 64
#: How long a lock outlives its holder's last renewal; renewed every third of it.
LEASE_SECONDS = 60.0

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
    return dumps(unstructure(value)).decode()


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


def _id_name(execution_id: str) -> str:
    return quote(execution_id, safe="")


class ExportWriter:
    """Writes one run test's executions to a destination; made by `open_export`.

    `begin(evals)` once the eval columns are known, `write()` per execution, `finish()` to
    publish. When the same export already finished, `finished` is set and nothing is
    written; on a resumed export `done` holds the executions already saved.
    """

    def __init__(
        self,
        target: ExportTarget,
        *,
        run_test: str,
        formats: Sequence[str],
        transcripts: bool,
        overwrite: bool,
        all_evals: bool,
        lease_seconds: float,
    ):
        unknown = sorted(set(formats) - set(FORMATS))
        if unknown or not formats:
            raise ExportError(f"formats are {', '.join(FORMATS)}; got {', '.join(formats)}")
        self.target = target
        self._parquet: ParquetDataset | None = None
        if "parquet" in formats:
            try:
                self._parquet = ParquetDataset(
                    target, run_test, transcripts=transcripts, all_evals=all_evals
                )
            except ImportError:
                raise ExportError(
                    f"Parquet needs the 'parquet' extra: {install_hint('parquet')}"
                ) from None
        self._formats = tuple(f for f in FORMATS if f in formats)
        self._overwrite = overwrite
        self._wanted = _Header(run_test, self._formats, transcripts, ())
        #: What is being written; on a resumed export, the first run's (its eval columns).
        self.header: _Header | None = None
        self.done: set[str] = set()
        self.rows_written = 0
        self.finished: Finished | None = None
        self._lease = Lease(target, run_test, lease_seconds)
        self._made_root = False

    # --- paths --------------------------------------------------------------------------

    def _staging(self, *parts: str) -> str:
        return self.target.path(STAGING, *parts)

    def final_paths(self) -> list[str]:
        """The published files and datasets, as the destination spells them."""
        names = {"jsonl": [JSONL], "csv": [CSV], "parquet": [CALLS, EXECUTIONS]}
        base = self.target.display.rstrip("/")
        return [f"{base}/{name}" for f in self._formats for name in names[f]]

    # --- opening ------------------------------------------------------------------------

    def _open(self) -> None:
        target = self.target
        with target.errors("opening the export"):
            # A local folder this export makes is removed again if it ends up empty (an
            # export refused after the lock, say), so a refusal leaves nothing behind.
            self._made_root = target.local and not target.exists(target.root)
            # Before the lock, so that not even the lock is left in someone else's folder.
            names = target.names(target.root)
            foreign = [n for n in names if n not in _OURS and not n.startswith(".")]
            if foreign:
                raise ExportError(
                    f"{target.display} holds files no export wrote ({', '.join(foreign[:3])}"
                    f"{', ...' if len(foreign) > 3 else ''}); export into an empty directory "
                    "or prefix, or one an export wrote"
                )
            self._lease.acquire()
            try:
                self._read_state()
            except BaseException:
                self._lease.release()
                raise

    def _close(self) -> None:
        self._lease.release()
        if self._made_root:
            with self.target.errors("closing the export"):
                self.target.remove_if_empty(self.target.root)

    def _read_state(self) -> None:
        target = self.target
        if self._overwrite:
            target.remove_tree(self._staging())
            published = {"jsonl": JSONL, "csv": CSV}
            for name in (published[f] for f in self._formats if f in published):
                target.remove(target.path(name))
            if self._parquet is not None:
                self._parquet.remove()
            self._record_done(None)
            return
        raw = target.read(self._staging(HEADER))
        if raw is not None:
            self._resume(raw)
            return
        self.finished = self._done_before()
        if self.finished is not None:
            return
        staged = {"jsonl": JSONL, "csv": CSV}
        clash = [staged[f] for f in self._formats if f in staged]
        clash = [name for name in clash if target.exists(target.path(name))]
        if clash:
            raise ExportError(
                f"{target.display} already holds a finished export ({', '.join(clash)}) of "
                "another run test or with other options; pass --overwrite to replace it, or "
                "use another destination"
            )

    def _resume(self, raw: bytes) -> None:
        try:
            header = _Header.read(json.loads(raw))
        except (ValueError, KeyError, TypeError):
            raise ExportError(
                f"{self.target.display}: {STAGING}/{HEADER} is unreadable; pass --overwrite "
                "to start the export again"
            ) from None
        if not header.same_export(self._wanted):
            raise ExportError(
                f"{self.target.display} holds an unfinished export of {header.run_test!r} "
                f"({', '.join(header.formats)}, transcripts={header.transcripts}); rerun it "
                "with the same options to resume, or pass --overwrite"
            )
        self.header = header
        for name in self.target.names(self._staging(COMMITTED)):
            quoted, _, rows = name.rpartition("=")
            if quoted and rows.isdigit():
                self.done.add(unquote(quoted))
                self.rows_written += int(rows)

    def _done_lines(self) -> list[dict[str, Any]]:
        data = self.target.read(self.target.path(DONE))
        lines = []
        for line in (data or b"").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue  # not ours to judge: that export is simply not known to be done
            if isinstance(entry, dict):
                lines.append(entry)
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

    def _record_done(self, entry: dict[str, Any] | None) -> None:
        """Replace this run test's line of `export.done` with `entry` (None: drop it)."""
        run_test = self._wanted.run_test
        kept = [e for e in self._done_lines() if e.get("run_test") != run_test]
        if entry is not None:
            kept.append(entry)
        path = self.target.path(DONE)
        if kept:
            self.target.put(path, b"".join(dumps(e) + b"\n" for e in kept))
        else:
            self.target.remove(path)

    # --- writing ------------------------------------------------------------------------

    def _begin(self, evals: Sequence[str]) -> None:
        if self.header is not None:
            return  # resumed: the first run's columns stay
        header = attrs.evolve(self._wanted, evals=tuple(evals))
        with self.target.errors("starting the export"):
            self.target.put(self._staging(HEADER), dumps(attrs.asdict(header)))
        self.header = header

    def _write(self, execution: SimulationExecution, calls: Sequence[CallExecution]) -> None:
        header = self.header
        if header is None:
            raise RuntimeError("ExportWriter.begin() comes before write()")
        execution_id = execution.execution_id
        if not execution_id or execution_id in self.done:
            return
        name = _id_name(execution_id)
        target = self.target
        objects: dict[str, bytes] = {}
        if "jsonl" in self._formats:
            record = unstructure({"execution": execution, "calls": calls})
            objects[self._staging("jsonl", f"{name}.jsonl")] = dumps(record) + b"\n"
        if "csv" in self._formats:
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\n")
            for call in calls:
                writer.writerow(call_row(execution, call, header.evals, header.transcripts))
            objects[self._staging("csv", f"{name}.csv")] = buffer.getvalue().encode()
        if self._parquet is not None:
            objects |= self._parquet.parts(execution, calls)
        with target.errors(f"writing execution {execution_id}"):
            target.put_many(objects)
            # The commit, after all of the execution's data: only now is it saved.
            self._lease.raise_if_lost()
            target.put(self._staging(COMMITTED, f"{name}={len(calls)}"), b"")
        self.done.add(execution_id)
        self.rows_written += len(calls)

    def _finish(self) -> list[str]:
        header = self.header
        if header is None:
            raise RuntimeError("ExportWriter.begin() comes before finish()")
        self._lease.check()
        target = self.target
        order = sorted(self.done)
        with target.errors("publishing the export"):
            if "jsonl" in self._formats:
                with target.stream(target.path(JSONL)) as out:
                    for data in self._staged("jsonl", order):
                        out.write(data)
            if "csv" in self._formats:
                with target.stream(target.path(CSV)) as out:
                    out.write(_csv_line(header.columns))
                    for data in self._staged("csv", order):
                        out.write(data)
            entry = {
                **attrs.asdict(header),
                "executions": len(self.done),
                "calls": self.rows_written,
            }
            self._record_done(entry)
            target.remove_tree(self._staging())
        self._lease.release()
        return self.final_paths()

    def _staged(self, kind: str, order: Sequence[str]) -> Iterator[bytes]:
        """The staged pieces of `kind`, in `order`, fetched a batch at a time."""
        for start in range(0, len(order), _BATCH):
            batch = order[start : start + _BATCH]
            paths = [self._staging(kind, f"{_id_name(i)}.{kind}") for i in batch]
            try:
                yield from self.target.read_many(paths)
            except FileNotFoundError:
                raise ExportError(
                    f"{self.target.display}: a staged {kind} piece of a committed execution is "
                    "missing; pass --overwrite to export again"
                ) from None

    # --- the async face -------------------------------------------------------------------

    async def begin(self, evals: Sequence[str]) -> None:
        """Start (or go on with) the export; `evals` name the CSV's eval columns."""
        await anyio.to_thread.run_sync(self._begin, evals)

    async def write(self, execution: SimulationExecution, calls: Sequence[CallExecution]) -> None:
        """Save one execution with its calls; an execution already saved is skipped."""
        await anyio.to_thread.run_sync(self._write, execution, calls)

    async def finish(self) -> list[str]:
        """Publish the files, note the export as done, clean up; returns what it wrote."""
        return await anyio.to_thread.run_sync(self._finish)


@asynccontextmanager
async def open_export(
    destination: str | PathLike[str],
    *,
    run_test: str,
    formats: Sequence[str] = ("jsonl", "csv"),
    transcripts: bool = False,
    overwrite: bool = False,
    all_evals: bool = True,
    lease_seconds: float = LEASE_SECONDS,
) -> AsyncIterator[ExportWriter]:
    """Open an export of `run_test` into `destination`: a path, or a `file://`, `s3://`,
    `gs://` or `az://` URL.

    Takes the destination's lock and reads its state before returning, so a bad URL, a
    missing bucket, refused credentials or another export's files raise `ExportError`
    here, before anything is fetched. The lock is renewed (from a thread) while the block
    runs and released when it ends; what was saved stays, for the next run.
    """
    target = open_target(destination)
    writer = ExportWriter(
        target,
        run_test=run_test,
        formats=formats,
        transcripts=transcripts,
        overwrite=overwrite,
        all_evals=all_evals,
        lease_seconds=lease_seconds,
    )
    try:
        # Inside the try: cancelled while the lock is being taken, it is released all the same.
        await anyio.to_thread.run_sync(writer._open)
        if writer.finished is None:
            writer._lease.start_renewing()
        yield writer
    finally:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(writer._close)


def _csv_line(values: Iterable[Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue().encode()
