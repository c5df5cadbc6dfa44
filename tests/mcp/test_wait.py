"""`wait_for_execution` on a live execution of the fake: progress, the end, cancellation."""

from __future__ import annotations

from typing import Any

import anyio
import httpx2
import mcp.types
import pytest
from mcp import Client

from futureagi_async import AsyncClient
from futureagi_async.mcp import build_server
from futureagi_async.testing import DatasetSpec, FakeAPI
from futureagi_async.testing._fake import BASE_URL

pytestmark = pytest.mark.anyio

RUN_TEST = "Billing bot nightly"


class Ticking:
    """A clock that moves on a second each time the fake reads it: the execution runs as
    fast as the tool polls it, with no real time passing."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def live_fake() -> FakeAPI:
    return FakeAPI(DatasetSpec(run_tests=2, executions_per_run_test=1), clock=Ticking())


async def test_progress_as_calls_finish_then_the_final_execution() -> None:
    fake = live_fake()
    execution_id = fake.run_execution(RUN_TEST, calls=12, seconds=120, seed=1, rerun_ratio=0)
    reported: list[tuple[float, float | None, str | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        reported.append((progress, total, message))

    async with fake.client() as client, Client(build_server(client, poll_interval=0.001)) as s:
        result = await s.call_tool(
            "wait_for_execution",
            {"execution_id": execution_id, "timeout_seconds": 60},
            progress_callback=on_progress,
        )
    assert not result.is_error, result.content
    answer: dict[str, Any] | None = result.structured_content
    assert answer is not None
    assert answer["execution"]["status"] == "completed"
    assert answer["execution"]["execution_id"] == execution_id
    assert answer["calls_seen"] == 12
    assert [p for p, _, _ in reported] == list(range(1, 13))  # one per call, in order
    assert all(message for _, _, message in reported)


async def test_an_execution_that_outlasts_the_timeout_is_a_tool_error() -> None:
    fake = live_fake()
    execution_id = fake.run_execution(RUN_TEST, calls=3, seconds=10**9, seed=2)
    async with fake.client() as client, Client(build_server(client, poll_interval=0.001)) as s:
        result = await s.call_tool(
            "wait_for_execution", {"execution_id": execution_id, "timeout_seconds": 0.05}
        )
    assert result.is_error
    [block] = result.content
    assert isinstance(block, mcp.types.TextContent)
    assert "timeout" in block.text.lower()


class Parked(httpx2.AsyncBaseTransport):
    """The fake, except that grid reads after the first wait on `release` (never set):
    a wait is then certainly mid-request when the agent cancels it."""

    def __init__(self, fake: FakeAPI) -> None:
        self._inner = fake.transport()
        self.parked = anyio.Event()
        self.unparked = anyio.Event()
        self._grid_reads = 0

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if "/simulate/test-executions/" in request.url.path:
            self._grid_reads += 1
            if self._grid_reads > 1:
                self.parked.set()
                try:
                    await anyio.sleep_forever()
                finally:
                    self.unparked.set()
        return await self._inner.handle_async_request(request)


async def test_cancelling_the_request_stops_the_wait() -> None:
    fake = live_fake()
    execution_id = fake.run_execution(RUN_TEST, calls=3, seconds=10**9, seed=3)
    parked = Parked(fake)
    http = httpx2.AsyncClient(transport=parked, base_url=BASE_URL)
    client = AsyncClient(fake.api_key, fake.secret_key, base_url=BASE_URL, http_client=http)
    async with http, client, Client(build_server(client, poll_interval=0.001), mode="legacy") as s:
        async with anyio.create_task_group() as tg:

            async def call() -> None:
                await s.call_tool("wait_for_execution", {"execution_id": execution_id})

            tg.start_soon(call)
            with anyio.fail_after(30):
                await parked.parked.wait()
            tg.cancel_scope.cancel()  # the agent gives up: the client sends cancelled
        with anyio.fail_after(30):
            await parked.unparked.wait()  # the server's request was cancelled too
        # The server is still there for the next request.
        again = await s.call_tool("list_run_tests", {"limit": 1})
    assert not again.is_error


async def test_an_unknown_execution_is_a_tool_error() -> None:
    fake = live_fake()
    async with fake.client() as client, Client(build_server(client)) as s:
        result = await s.call_tool(
            "wait_for_execution", {"execution_id": "00000000-0000-4000-8000-000000000000"}
        )
    assert result.is_error


async def test_compare_executions_gives_the_gates_verdict() -> None:
    clock = Ticking()
    fake = FakeAPI(DatasetSpec(run_tests=2, executions_per_run_test=1), clock=clock)
    baseline = fake.run_execution(RUN_TEST, calls=200, seconds=60, pass_rate=0.9, seed=4)
    worse = fake.run_execution(RUN_TEST, calls=200, seconds=60, pass_rate=0.5, seed=5)
    clock.now += 3600  # both have ended
    async with fake.client() as client, Client(build_server(client)) as s:
        result = await s.call_tool(
            "compare_executions", {"baseline_execution_id": baseline, "execution_id": worse}
        )
    assert not result.is_error, result.content
    answer: dict[str, Any] | None = result.structured_content
    assert answer is not None
    assert answer["verdict"] == "regression"
    pass_fail = [e for e in answer["evals"] if e["statistic"] == "pass rate"]
    assert pass_fail
    assert all(e["verdict"] == "regression" for e in pass_fail)
    assert all(e["baseline_interval"] is not None for e in pass_fail)
