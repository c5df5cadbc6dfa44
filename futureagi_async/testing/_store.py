"""The dataset: the generated records, O(1) lookups, and the changes tests make mid-paging.

Records are frozen; the dataset swaps whole tuples when it changes, so a server thread
reading it never sees a half-made list.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import attrs

from ._live import LiveExecution, LiveSchedule, plan_execution
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
    #: The monotonic clock live executions run on: a test may swap in one it drives.
    monotonic: Callable[[], float] = time.monotonic
    _live: list[LiveExecution] = attrs.field(factory=list)
    _schedules: list[LiveSchedule] = attrs.field(factory=list)

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

    # --- live executions -------------------------------------------------------------------

    def run_execution(
        self,
        run_test_name: str,
        *,
        calls: int = 25,
        seconds: float = 60.0,
        pass_rate: float = 0.8,
        fail_ratio: float = 0.05,
        rerun_ratio: float = 0.05,
        seed: int | None = None,
    ) -> str:
        """Start a live execution of the run test named so, now on `monotonic`; its id."""
        _check_live(calls, seconds, pass_rate, fail_ratio, rerun_ratio)
        with self._lock:
            now = self.monotonic()
            self._sync_locked(now)
            run_test = next((r for r in self.run_tests if r.name == run_test_name), None)
            if run_test is None:
                names = ", ".join(repr(r.name) for r in self.run_tests)
                raise LookupError(f"the fake has no run test {run_test_name!r}; it has {names}")
            rng = random.Random(
                seed if seed is not None else self.spec.seed * 7919 + len(self._live)
            )
            # After everything stored, so the new execution is the run test's newest.
            newest = max((e.created_at for e in self.executions), default=self._clock)
            base = max(self._clock, newest) + timedelta(minutes=1)
            self._clock = base
            live = plan_execution(
                run_test,
                calls=calls,
                seconds=seconds,
                pass_rate=pass_rate,
                fail_ratio=fail_ratio,
                rerun_ratio=rerun_ratio,
                turns=self.spec.transcript_turns,
                rng=rng,
                started=now,
                base=base,
            )
            self._live.append(live)
            self._materialize(live, now)
            return live.id

    def live_execution(self, execution_id: str) -> LiveExecution | None:
        """The plan of a live execution (timelines, `end`), for tests that check a watcher."""
        return next((x for x in self._live if x.id == execution_id), None)

    def run_every(self, run_test_name: str, every: float, **options: Any) -> None:
        """Start an execution of `run_test_name` now and then every `every` seconds (lazily,
        at the first request after each start time: no background task)."""
        with self._lock:
            self._schedules.append(LiveSchedule(run_test_name, every, options, self.monotonic()))
        self.sync()

    def sync(self) -> None:
        """Bring every live execution's records to the clock's present (the app calls this
        before each request); the version moves only when an event passed."""
        if not self._live and not self._schedules:
            return
        due = []
        with self._lock:
            now = self.monotonic()
            for schedule in self._schedules:
                if now >= schedule.next_start:
                    schedule.next_start = now + schedule.every
                    due.append(schedule)
            self._sync_locked(now)
        for schedule in due:
            self.run_execution(schedule.run_test_name, **schedule.options)

    def _sync_locked(self, now: float) -> None:
        for live in self._live:
            if live.changed(now):
                self._materialize(live, now)

    def _materialize(self, live: LiveExecution, now: float) -> None:
        record, calls = live.at(now)
        others = tuple(c for c in self.calls if c.execution_id != live.id)
        self.calls = (*others, *calls)
        if self.execution(live.id) is None:
            self.executions = (*self.executions, record)
        else:
            self.executions = tuple(record if e.id == live.id else e for e in self.executions)
        self.version += 1

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


def _check_live(
    calls: int, seconds: float, pass_rate: float, fail_ratio: float, rerun_ratio: float
) -> None:
    if isinstance(calls, bool) or not isinstance(calls, int) or calls < 0:
        raise ValueError(f"calls must be a whole number >= 0, got {calls!r}")
    if isinstance(seconds, bool) or not isinstance(seconds, int | float) or not seconds > 0:
        raise ValueError(f"seconds must be a positive number, got {seconds!r}")
    for name, value in (
        ("pass_rate", pass_rate),
        ("fail_ratio", fail_ratio),
        ("rerun_ratio", rerun_ratio),
    ):
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise ValueError(f"{name} must be a number from 0 to 1, got {value!r}")
