"""The `*_many` reads: bounded, both error modes, and cancel-safe against a loopback fake."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import pytest

import futureagi_async as fa
from futureagi_async.testing import DatasetSpec, FakeAPI

from .helpers import in_process, over_loopback

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture
def fake() -> FakeAPI:
    return FakeAPI(
        DatasetSpec(seed=2, run_tests=3, executions_per_run_test=4, calls_per_execution=3)
    )


async def test_get_many_in_order_and_bounded(fake: FakeAPI) -> None:
    ids = [r.id for r in fake.dataset.run_tests] * 5
    async with (
        in_process(fake) as client,
        client.run_tests.get_many(ids, concurrency=4, ordered=True) as results,
    ):
        got = [run_test.id async for run_test in results]
    assert got == ids
    assert fake.stats.max_in_flight <= 4


async def test_client_wide_bound_caps_the_sum_of_fan_outs(fake: FakeAPI) -> None:
    ids = [e.id for e in fake.dataset.executions]
    fake.app.latency = 0.01
    async with over_loopback(fake, max_concurrency=3) as client, anyio.create_task_group() as tg:
        for _ in range(3):
            tg.start_soon(drain, client.simulation.execution_many(ids, concurrency=8))
    assert fake.stats.max_in_flight <= 3


async def drain(the_map: fa.BoundedMap[Any]) -> None:
    async with the_map as results:
        async for _ in results:
            pass


async def test_call_many_outcomes_keep_every_item(fake: FakeAPI) -> None:
    calls = [c.id for c in fake.dataset.calls if not c.deleted][:5]
    async with (
        in_process(fake) as client,
        client.simulation.call_many([*calls, MISSING], return_exceptions=True) as results,
    ):
        outcomes = [outcome async for outcome in results]
    assert sorted(o.input for o in outcomes if o.ok) == sorted(calls)
    (failed,) = [o for o in outcomes if not o.ok]
    assert failed.input == MISSING
    assert isinstance(failed.error, fa.NotFoundError)


async def test_ids_are_checked_before_any_request(fake: FakeAPI) -> None:
    async with in_process(fake) as client:
        with pytest.raises(ValueError, match="UUID"):
            client.simulation.execution_many(["ok", "../x"])
    assert fake.stats.requests_served == 0


def running_tasks() -> int:
    return len(anyio.get_running_tasks())


async def test_cancelling_64_in_flight_100_times_leaves_the_client_healthy() -> None:
    fake = FakeAPI(
        DatasetSpec(seed=4, run_tests=64, executions_per_run_test=1, calls_per_execution=1),
        latency=0.5,
    )
    ids = [r.id for r in fake.dataset.run_tests]
    stats = fake.stats

    def received() -> int:
        # Cancelled requests sleep on in the server; this sum does not change when they end.
        return stats.in_flight + stats.requests_served

    timeout = httpx2.Timeout(10.0, pool=1.0)
    async with over_loopback(fake, max_concurrency=64, timeout=timeout, max_retries=0) as client:
        baseline = running_tasks()
        for _ in range(100):
            target = received() + 64
            with anyio.CancelScope() as scope:
                async with client.run_tests.get_many(ids, concurrency=64) as results:
                    # The server's own thread counts requests; it cannot set an event here.
                    while received() < target:  # noqa: ASYNC110
                        await anyio.sleep(0.001)
                    scope.cancel()
                    async for _ in results:
                        pass
            assert scope.cancelled_caught
        assert running_tasks() == baseline
        # Let the server finish the cancelled requests' latency before measuring again.
        while stats.in_flight:  # noqa: ASYNC110
            await anyio.sleep(0.01)
        stats.reset()
        async with client.run_tests.get_many(ids, concurrency=64) as results:
            got = {run_test.id async for run_test in results}
    assert got == set(ids)
    assert stats.max_in_flight == 64
