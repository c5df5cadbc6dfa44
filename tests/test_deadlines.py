"""Every call is bounded: `total_timeout` ends a call that per-read timeouts never would.

The servers here are loopback sockets in the test's own event loop. No assertion is about
time: each says which error ended the call, or that it had not ended.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.abc
import pytest

import futureagi_async as fa
from futureagi_async import AsyncClient
from futureagi_async._retry import instant_retries
from futureagi_async.testing import FakeAPI

from .test_hostile import API_KEY, ID, SECRET_KEY, tcp_server

pytestmark = [pytest.mark.anyio, pytest.mark.timeout(60)]

DRIP_EVERY = 0.3


async def drip(stream: anyio.abc.SocketStream) -> None:
    """A 200 whose body comes one byte every 0.3 s: no read ever waits a whole second."""
    await stream.receive()
    await stream.send(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n"
    )
    while True:
        await stream.send(b" ")
        await anyio.sleep(DRIP_EVERY)


async def unavailable(stream: anyio.abc.SocketStream) -> None:
    """503 with a Retry-After hint, on every request of a keep-alive connection."""
    body = b"<html>503</html>"
    while await stream.receive():
        await stream.send(
            b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 0.4\r\n"
            b"content-type: text/html\r\ncontent-length: %d\r\n\r\n%s" % (len(body), body)
        )


async def silent(stream: anyio.abc.SocketStream) -> None:
    await stream.receive()
    await anyio.sleep_forever()


@asynccontextmanager
async def client_of(
    handle: Callable[[anyio.abc.SocketStream], Awaitable[None]], **kwargs: Any
) -> AsyncIterator[tuple[AsyncClient, list[int]]]:
    """A client of a loopback server running `handle`, and the server's connection count."""
    async with (
        tcp_server(handle) as (port, connections),
        AsyncClient(API_KEY, SECRET_KEY, base_url=f"http://127.0.0.1:{port}", **kwargs) as client,
    ):
        yield client, connections


async def test_a_dripping_server_keeps_a_call_without_total_timeout_running() -> None:
    async with client_of(drip, timeout=1.0, max_retries=0) as (client, _):
        with anyio.move_on_after(3 * DRIP_EVERY * 4) as scope:
            await client.run_tests.get(ID)
        assert scope.cancelled_caught  # still reading: the per-read timeout never fires


async def test_total_timeout_ends_a_dripping_call() -> None:
    async with client_of(drip, timeout=1.0, total_timeout=1.0) as (client, _):
        with pytest.raises(fa.APITimeoutError) as info:
            await client.run_tests.get(ID)
    assert "total_timeout=1" in str(info.value)
    assert info.value.url is not None


async def test_total_timeout_from_with_options_ends_a_dripping_listing() -> None:
    async with client_of(drip, timeout=1.0) as (client, _):
        bounded = client.with_options(total_timeout=1.0)
        with pytest.raises(fa.APITimeoutError):
            await bounded.run_tests.list().collect()
        with pytest.raises(fa.APITimeoutError):
            await bounded.simulation.execution_calls(ID).collect()
        assert bounded.config.total_timeout == 1.0
        assert client.config.total_timeout != 1.0


async def test_retries_and_their_waits_count_in_total_timeout() -> None:
    with instant_retries(False):  # the server's Retry-After is really waited
        async with client_of(unavailable, max_retries=1_000, total_timeout=1.0) as (client, seen):
            with pytest.raises((fa.ServerError, fa.APITimeoutError)) as info:
                await client.run_tests.get(ID)
    # It ended by the deadline, long before the retries ran out.
    assert info.value.retries < 1_000
    assert seen[0] >= 1


async def test_a_silent_server_names_the_read_timeout() -> None:
    async with client_of(silent, timeout=0.2, max_retries=0) as (client, _):
        with pytest.raises(fa.APITimeoutError) as info:
            await client.run_tests.get(ID)
    assert str(info.value).startswith("no response within timeout.read=0.2s")
    assert "cancel scope" not in str(info.value).lower()


async def test_the_in_process_fake_honours_the_read_timeout() -> None:
    """`FakeAPI(latency=...)` in-process times out as a socket would, attempt by attempt
    (without its transport's bound the call would wait out the latency and succeed)."""
    fake = FakeAPI(latency=5.0)
    with instant_retries():
        async with fake.client(timeout=0.05, max_retries=1) as client:
            with pytest.raises(fa.APITimeoutError) as info:
                await client.run_tests.get(ID)
    assert str(info.value).startswith("no response within timeout.read=0.05s")
    assert info.value.retries == 1
    # Two attempts arrived, and both were cut off before an answer (status 0).
    assert [logged.status for logged in fake.stats.request_log] == [0, 0]


async def test_timed_out_attempts_are_retried_within_total_timeout() -> None:
    with instant_retries(False):
        async with client_of(silent, timeout=0.3, max_retries=1_000, total_timeout=2.0) as (
            client,
            seen,
        ):
            with pytest.raises(fa.APITimeoutError) as info:
                await client.run_tests.get(ID)
    assert info.value.retries < 1_000
    assert seen[0] >= 1


@pytest.mark.parametrize("value", [0, -1, -0.5, float("nan"), True, "1"])
async def test_total_timeout_must_be_a_positive_number(value: object) -> None:
    with pytest.raises(fa.ConfigurationError):
        AsyncClient(API_KEY, SECRET_KEY, total_timeout=value)  # type: ignore[arg-type]
    async with AsyncClient(API_KEY, SECRET_KEY) as client:
        with pytest.raises(fa.ConfigurationError):
            client.with_options(total_timeout=value)  # type: ignore[arg-type]
