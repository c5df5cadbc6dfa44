"""The export's commit protocol under failures at every step: whatever writes fail, in
whatever order the executions come on each attempt, the run that finally succeeds publishes
every execution and every call exactly once, and leaves nothing of the protocol behind."""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from futureagi_async import ExecutionExport
from futureagi_async._export_target import ExportTarget
from futureagi_async.export import ExportError, open_export
from futureagi_async.testing import DatasetSpec, FakeAPI

pa_dataset = pytest.importorskip("pyarrow.dataset")

SPEC = DatasetSpec(seed=7, run_tests=1, executions_per_run_test=5, calls_per_execution=3)
FORMATS = ["jsonl", "csv", "parquet"]


@pytest.fixture(scope="module")
def records() -> list[ExecutionExport]:
    fake = FakeAPI(SPEC)

    async def fetch() -> list[ExecutionExport]:
        async with fake.client() as client, client.export(fake.dataset.run_tests[0].name) as rs:
            return [r async for r in rs]

    return anyio.run(fetch)


@contextmanager
def _failing_write(at: int) -> Iterator[None]:
    """The `at`-th whole-object write of the export (0-based) fails, as a dropped
    connection would; the ones before it succeed."""
    count = 0
    real_put, real_stream = ExportTarget.put, ExportTarget.stream

    def tick() -> None:
        nonlocal count
        count += 1
        if count > at:
            raise OSError("injected failure")

    def put(self: ExportTarget, path: str, data: bytes) -> None:
        tick()
        real_put(self, path, data)

    def stream(self: ExportTarget, path: str) -> Any:
        tick()
        return real_stream(self, path)

    with (
        mock.patch.object(ExportTarget, "put", put),
        mock.patch.object(ExportTarget, "stream", stream),
    ):
        yield


async def _export(destination: str, records: Sequence[ExecutionExport], run_test: str) -> None:
    async with open_export(destination, run_test=run_test, formats=FORMATS) as out:
        if out.finished is not None:
            return
        await out.begin(evals=["helpful_or_not"])
        for record in records:
            await out.write(record.execution, record.calls)
        await out.finish()


def _check(directory: Path, records: Sequence[ExecutionExport]) -> None:
    executions = sorted(r.execution.execution_id or "" for r in records)
    calls = sorted(c.id or "" for r in records for c in r.calls)
    assert sorted(p.name for p in directory.iterdir()) == [
        "calls",
        "calls.csv",
        "executions",
        "executions.jsonl",
        "export.done",
    ]
    lines = (directory / "executions.jsonl").read_bytes().splitlines()
    assert sorted(json.loads(line)["execution"]["execution_id"] for line in lines) == executions
    rows = list(csv.DictReader(io.StringIO((directory / "calls.csv").read_text("utf-8"))))
    assert sorted(r["call_id"] for r in rows) == calls
    table = pa_dataset.dataset(directory / "calls", partitioning="hive").to_table()
    assert sorted(table.column("call_id").to_pylist()) == calls
    assert not [p for p in directory.rglob("*") if p.name.startswith(".")]


def _attempt(destination: str, records: Sequence[ExecutionExport], backend: str) -> str | None:
    """One run of the export; its error message, if it failed."""
    try:
        anyio.run(_export, destination, records, "rt", backend=backend)
    except ExportError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_failed_runs_then_a_good_one_publish_every_row_once(
    records: list[ExecutionExport], backend: str, data: st.DataObject
) -> None:
    failures = data.draw(st.lists(st.integers(min_value=0, max_value=40), max_size=3))
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        for at in failures:
            order = data.draw(st.permutations(records))
            with _failing_write(at):
                failure = _attempt(tmp, order, backend)
            assert failure is None or "injected failure" in failure
            assert not (directory / "export.lock").exists()
            # What is published is whole: the JSON Lines appear with every execution or not
            # at all (a failure after it, before the export is recorded done, may leave it).
            if (directory / "executions.jsonl").exists():
                lines = (directory / "executions.jsonl").read_bytes().splitlines()
                assert len(lines) == len(records)
        anyio.run(_export, tmp, data.draw(st.permutations(records)), "rt", backend=backend)
        _check(directory, records)
