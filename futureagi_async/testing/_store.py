"""The dataset: the generated records, O(1) lookups, and the changes tests make mid-paging.

Records are frozen; the dataset swaps whole tuples when it changes, so a server thread
reading it never sees a half-made list.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import attrs

from ._records import (
    CallRecord,
    DatasetSpec,
    EvalTemplateRecord,
    ExecutionRecord,
    RunTestRecord,
    ScenarioRecord,
)

__all__ = ["CallFactory", "Dataset"]

#: Makes one new completed call of an execution, last updated at the given time.
CallFactory = Callable[[RunTestRecord, ExecutionRecord, datetime], CallRecord]


@attrs.define
class Dataset:
    """The generated organization. Read the attributes; change calls through the methods.

    `run_tests`, `executions` and `calls` are tuples in creation order; `calls` includes
    soft-deleted calls (`call.deleted`), which only the `count` of
    `/simulate/run-tests/{id}/call-executions/` sees.
    """

    spec: DatasetSpec
    organization_id: str
    workspace_id: str
    templates: tuple[EvalTemplateRecord, ...]
    run_tests: tuple[RunTestRecord, ...]
    executions: tuple[ExecutionRecord, ...]
    calls: tuple[CallRecord, ...]
    _new_call: CallFactory
    _clock: datetime
    _lock: threading.Lock = attrs.field(factory=threading.Lock)
    #: Bumped on every change, so cached responses of the old data are never served.
    version: int = 0
    _index: tuple[int, dict[str, list[CallRecord]], dict[str, ScenarioRecord]] | None = None

    def _indexed(self) -> tuple[dict[str, list[CallRecord]], dict[str, ScenarioRecord]]:
        # Rebuilt lazily per version: lookups stay O(1) for benchmark-sized datasets.
        index = self._index
        if index is None or index[0] != self.version:
            by_execution: dict[str, list[CallRecord]] = {}
            for call in self.calls:
                by_execution.setdefault(call.execution_id, []).append(call)
            scenarios = {s.id: s for r in self.run_tests for s in r.scenarios}
            index = (self.version, by_execution, scenarios)
            self._index = index
        return index[1], index[2]

    # --- lookups -------------------------------------------------------------------------

    def run_test(self, run_test_id: str) -> RunTestRecord | None:
        return next((r for r in self.run_tests if r.id == run_test_id), None)

    def execution(self, execution_id: str) -> ExecutionRecord | None:
        return next((e for e in self.executions if e.id == execution_id), None)

    def call(self, call_id: str) -> CallRecord | None:
        return next((c for c in self.calls if c.id == call_id and not c.deleted), None)

    def scenario(self, scenario_id: str) -> ScenarioRecord | None:
        return self._indexed()[1].get(scenario_id)

    def executions_of(self, run_test_id: str) -> list[ExecutionRecord]:
        return [e for e in self.executions if e.run_test_id == run_test_id]

    def calls_of(self, execution_id: str, *, include_deleted: bool = False) -> list[CallRecord]:
        calls = self._indexed()[0].get(execution_id, [])
        return [c for c in calls if include_deleted or not c.deleted]

    def last_run_at(self, run_test_id: str) -> datetime | None:
        return max((e.created_at for e in self.executions_of(run_test_id)), default=None)

    # --- mutation, for "data changes while a client pages" ------------------------------

    def add_calls(self, execution_id: str, n: int) -> list[CallRecord]:
        """Add `n` completed calls, newest of all, so they sort first where order is by time."""
        with self._lock:
            execution = self.execution(execution_id)
            if execution is None:
                raise LookupError(f"the fake's dataset has no execution {execution_id!r}")
            run_test = self.run_test(execution.run_test_id)
            assert run_test is not None
            new: list[CallRecord] = []
            for _ in range(n):
                self._clock += timedelta(seconds=1, microseconds=1)
                new.append(self._new_call(run_test, execution, self._clock))
            self.calls = (*self.calls, *new)
            self.version += 1
            return new

    def remove_calls(self, execution_id: str, n: int) -> list[CallRecord]:
        """Hard-delete the `n` newest calls of an execution (they vanish from every view)."""
        with self._lock:
            live = sorted(self.calls_of(execution_id), key=lambda c: c.updated_at, reverse=True)
            gone = {c.id for c in live[:n]}
            self.calls = tuple(c for c in self.calls if c.id not in gone)
            self.version += 1
            return live[:n]
