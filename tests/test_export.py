from __future__ import annotations

import pytest

import futureagi_async as fa
from futureagi_async.testing import DatasetSpec, FakeAPI

from .resources.helpers import in_process, over_loopback

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def fake() -> FakeAPI:
    return FakeAPI(
        DatasetSpec(seed=5, run_tests=2, executions_per_run_test=4, calls_per_execution=9)
    )


async def test_every_execution_with_every_call(fake: FakeAPI) -> None:
    run_test = fake.dataset.run_tests[0]
    seen: list[fa.Progress] = []
    async with (
        in_process(fake) as client,
        client.export(run_test.name, concurrency=2, progress=seen.append) as records,
    ):
        exported = [record async for record in records]
    expected = {e.id for e in fake.dataset.executions_of(run_test.id)}
    assert {r.execution.execution_id for r in exported} == expected
    for record in exported:
        assert record.execution.execution_id is not None
        calls = fake.dataset.calls_of(record.execution.execution_id)
        assert sorted(str(c.id) for c in record.calls) == sorted(c.id for c in calls)
        assert all(c.transcript == [] for c in record.calls)
    assert seen[-1].done == seen[-1].total == len(expected)
    assert max(p.in_flight for p in seen) <= 2


async def test_transcripts_come_from_the_run_tests_call_listing(fake: FakeAPI) -> None:
    run_test = fake.dataset.run_tests[0]
    async with (
        over_loopback(fake) as client,
        client.export(run_test.name, transcripts=True) as records,
    ):
        exported = [record async for record in records]
    calls = [call for record in exported for call in record.calls]
    turns = {c.id: len(c.turns) for c in fake.dataset.calls}
    assert sum(turns[c.id or ""] for c in calls) > 0
    assert [len(c.transcript) for c in calls] == [turns[c.id or ""] for c in calls]


async def test_one_missing_execution_loses_none_of_the_others(fake: FakeAPI) -> None:
    ids = [e.id for e in fake.dataset.executions[:3]] + [MISSING]
    async with (
        in_process(fake) as client,
        client.export(execution_ids=ids, return_exceptions=True, ordered=True) as records,
    ):
        outcomes = [outcome async for outcome in records]
    assert [o.input for o in outcomes] == ids
    assert [o.ok for o in outcomes] == [True, True, True, False]
    assert isinstance(outcomes[-1].error, fa.NotFoundError)


async def test_by_default_the_first_failure_is_raised(fake: FakeAPI) -> None:
    async def export_missing(client: fa.AsyncClient) -> None:
        async with client.export(execution_ids=[MISSING]) as records:
            async for _ in records:
                pass

    async with in_process(fake) as client:
        with pytest.raises(fa.NotFoundError):
            await export_missing(client)


def test_arguments_are_checked_up_front() -> None:
    client = fa.AsyncClient("k", "s", base_url="http://127.0.0.1")
    with pytest.raises(ValueError, match="run_test_name"):
        client.export()
    with pytest.raises(ValueError, match="transcripts"):
        client.export(execution_ids=[MISSING], transcripts=True)
    with pytest.raises(ValueError, match="UUID"):
        client.export(execution_ids=["nope"])
