"""The export: every execution of a run test, each with its summary and all of its call rows.

Executions are fetched `concurrency` at a time, and each one's grid pages with the pager's
look-ahead; every request of both also passes the client-wide `max_concurrency` limiter, so
one bound holds for the whole export however it fans out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import attrs

from ._fanout import Progress, Results, bounded_map
from .models import CallExecution, SimulationExecution, TranscriptItem
from .resources import RunTests, Simulation, TestExecutions
from .resources._shared import path_id

__all__ = ["ExecutionExport", "export"]


@attrs.frozen
class ExecutionExport:
    """One execution: its record (status, counts, eval results) and every call row.

    `calls` are the grid rows of the execution; their `transcript` is filled only when the
    export was asked for transcripts (the grid itself always sends it empty).
    """

    execution: SimulationExecution
    calls: list[CallExecution]


def export(
    run_tests: RunTests,
    test_executions: TestExecutions,
    simulation: Simulation,
    run_test_name: str | None = None,
    *,
    execution_ids: Sequence[str] | None = None,
    transcripts: bool = False,
    eval_names: str | Sequence[str] | None = None,
    concurrency: int = 8,
    ordered: bool = False,
    return_exceptions: bool = False,
    progress: Callable[[Progress], object] | None = None,
) -> AbstractAsyncContextManager[Results[Any]]:
    """See `AsyncClient.export`."""
    if run_test_name is None and execution_ids is None:
        raise ValueError("pass a run_test_name, or execution_ids, or both")
    if transcripts and run_test_name is None:
        raise ValueError("transcripts come from the run test's call listing: pass run_test_name")
    wanted = None if execution_ids is None else [path_id(i, "execution id") for i in execution_ids]
    job = _Export(
        run_tests, test_executions, simulation, run_test_name, wanted, transcripts, eval_names
    )
    return _run(job, concurrency, ordered, return_exceptions, progress)


@asynccontextmanager
async def _run(
    job: _Export,
    concurrency: int,
    ordered: bool,
    return_exceptions: bool,
    progress: Callable[[Progress], object] | None,
) -> AsyncIterator[Any]:
    # The ids are listed before the fan-out starts so that progress has a total.
    ids = await job.prepare()
    async with bounded_map(
        job.one,
        ids,
        concurrency=concurrency,
        ordered=ordered,
        return_exceptions=return_exceptions,
        progress=progress,
    ) as results:
        yield results


@attrs.define
class _Export:
    run_tests: RunTests
    test_executions: TestExecutions
    simulation: Simulation
    run_test_name: str | None
    wanted: list[str] | None
    transcripts: bool
    eval_names: str | Sequence[str] | None
    # Filled before the first execution starts: records from the runs listing (so each
    # execution needs no second record request) and, on request, every call's transcript.
    _records: dict[str, SimulationExecution] = attrs.field(factory=dict, init=False)
    _transcript_of: dict[str, list[TranscriptItem]] | None = attrs.field(default=None, init=False)

    async def prepare(self) -> list[str]:
        ids: list[str] = []
        if self.run_test_name is not None:
            runs = self.simulation.runs(self.run_test_name, eval_names=self.eval_names)
            async for record in runs:
                if record.execution_id:
                    self._records[record.execution_id] = record
                    ids.append(record.execution_id)
        if self.wanted is not None:
            # An id the listing did not show is still fetched on its own: it arrives, or it
            # fails visibly, but it is never dropped.
            ids = self.wanted
        if self.transcripts and self.run_test_name is not None:
            self._transcript_of = await self._load_transcripts(self.run_test_name)
        return ids

    async def _load_transcripts(self, name: str) -> dict[str, list[TranscriptItem]]:
        found: dict[str, list[TranscriptItem]] = {}
        async for run_test in self.run_tests.list(search=name):
            if run_test.name != name or run_test.id is None:
                continue  # search is a substring match; the SDK endpoint matches exactly
            async for row in self.run_tests.call_executions(run_test.id):
                if row.id and not row.is_snapshot:
                    found[row.id] = row.transcript
        return found

    async def one(self, execution_id: str) -> ExecutionExport:
        record = self._records.get(execution_id)
        if record is None:
            record = await self.simulation.execution(execution_id, eval_names=self.eval_names)
        calls = await self.test_executions.calls(execution_id).collect()
        if self._transcript_of is not None:
            calls = [
                attrs.evolve(call, transcript=self._transcript_of.get(call.id or "", []))
                for call in calls
            ]
        return ExecutionExport(record, calls)
