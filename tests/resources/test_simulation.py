from __future__ import annotations

import pytest

import futureagi_async as fa
from futureagi_async.testing import FakeAPI

from .helpers import ClientFactory

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("page_size", [1, 3, 7, 10])
async def test_runs_yields_every_execution_once(
    fake: FakeAPI, connect: ClientFactory, page_size: int
) -> None:
    run_test = fake.dataset.run_tests[0]
    async with connect() as client:
        runs = await client.simulation.runs(run_test.name, page_size=page_size).collect()
    expected = {e.id for e in fake.dataset.executions_of(run_test.id)}
    assert [r.execution_id for r in runs if r.execution_id in expected]
    assert {r.execution_id for r in runs} >= expected
    assert len(runs) == len({r.execution_id for r in runs})


async def test_execution_and_its_calls_agree_with_the_grid(
    fake: FakeAPI, connect: ClientFactory
) -> None:
    execution = fake.dataset.executions[0]
    async with connect() as client:
        record = await client.simulation.execution(execution.id)
        calls = await client.simulation.execution_calls(execution.id, page_size=4).collect()
        grid = await client.test_executions.calls(execution.id).collect()
    assert record.execution_id == execution.id
    assert record.total_calls == len(calls) == len(grid)
    assert {c.call_execution_id for c in calls} == {r.id for r in grid}
    assert all(c.execution_id == execution.id for c in calls)


async def test_call_detail(fake: FakeAPI, connect: ClientFactory) -> None:
    call = fake.dataset.calls_of(fake.dataset.executions[0].id)[0]
    async with connect() as client:
        detail = await client.simulation.call(call.id)
    assert isinstance(detail, fa.SimulationCall)
    assert detail.call_execution_id == call.id
    for output in detail.eval_outputs.values():
        assert output.passed in (True, False, None)


async def test_missing_ids_are_not_found(connect: ClientFactory) -> None:
    async with connect() as client:
        with pytest.raises(fa.NotFoundError):
            await client.simulation.execution(MISSING)
        with pytest.raises(fa.NotFoundError):
            await client.simulation.call(MISSING)
        with pytest.raises(fa.NotFoundError):
            await client.simulation.runs("no such run test").collect()


async def test_eval_names_must_not_hold_commas(client: fa.AsyncClient) -> None:
    with pytest.raises(ValueError, match="commas"):
        await client.simulation.call(MISSING, eval_names=["a,b"])
