"""`http_client=`: a user's httpx2.AsyncClient or legacy httpx.AsyncClient, on real loopback
sockets, next to the library's own pool; and what is refused at construction."""

from __future__ import annotations

import gzip
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import httpx2
import pytest

from futureagi_async import AsyncClient
from futureagi_async._errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    ConfigurationError,
    FutureAGIError,
)
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, DatasetSpec, FakeAPI

from . import wire_helpers as wire

pytestmark = pytest.mark.anyio

SNEAKY_AUTH: dict[str, Any] = {
    "auth": ("user", "password"),
    "headers": {"Authorization": "Bearer not-for-this-api", "X-Trace": "t-1"},
}

# What each kind of `http_client=` is built from; "own" is the library's pool.
KINDS: dict[str, Callable[..., Any]] = {
    "own": lambda **kwargs: None,
    "httpx2": httpx2.AsyncClient,
    "legacy httpx": httpx.AsyncClient,
}


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(DatasetSpec(seed=5, run_tests=4, executions_per_run_test=1))


@pytest.fixture(autouse=True)
def _no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    wire.clear_proxy_environment(monkeypatch)


@asynccontextmanager
async def user_client(kind: str) -> AsyncIterator[Any]:
    """A user's client (built with auth and an Authorization header it must not send), or
    None for the library's own pool. Closed here, after the test: never by the library."""
    client = KINDS[kind](**SNEAKY_AUTH)
    if client is None:
        yield None
        return
    async with client:
        yield client
        assert not client.is_closed


@pytest.fixture(params=list(KINDS))
async def http_client(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    async with user_client(request.param) as client:
        yield client


@pytest.fixture(params=["httpx2", "legacy httpx"])
async def lent_client(request: pytest.FixtureRequest) -> AsyncIterator[Any]:
    """Only the user's kinds (the own pool's faults are in test_wire.py)."""
    async with user_client(request.param) as client:
        yield client


def client_for(base_url: str, http_client: object, **kwargs: Any) -> AsyncClient:
    # `Any`: the legacy httpx.AsyncClient is accepted at run time; the annotation says httpx2.
    lent: Any = http_client
    return AsyncClient(TEST_API_KEY, TEST_SECRET_KEY, base_url=base_url, http_client=lent, **kwargs)


async def test_every_kind_reads_the_api_and_never_sends_authorization(
    fake: FakeAPI, http_client: Any
) -> None:
    run_test = fake.dataset.run_tests[0]
    async with wire.serve_fake(fake) as server:
        async with client_for(server.base_url, http_client) as client:
            assert (await client.run_tests.get(run_test.id)).id == run_test.id
            listed = [item.id async for item in client.run_tests.list(page_size=3)]
            assert sorted(listed, key=str) == sorted(rt.id for rt in fake.dataset.run_tests)
        sent = list(server.requests)
        if http_client is not None:
            # The library closed its own client, not the user's: that one still works.
            response = await http_client.get(f"{server.base_url}/simulate/run-tests/")
            assert response.status_code == 401  # (it has no API keys of its own)
    assert len(sent) == 3
    for request in sent:
        assert "authorization" not in request.headers
        assert request.headers["x-api-key"] == TEST_API_KEY
        # The user's client's own headers do go out: only its auth is left behind.
        assert request.headers.get("x-trace") == (None if http_client is None else "t-1")


async def test_every_kind_survives_connections_the_server_closed(
    fake: FakeAPI, http_client: Any
) -> None:
    ids = [rt.id for rt in fake.dataset.run_tests] * 4
    async with wire.serve_fake(fake) as server, client_for(server.base_url, http_client) as client:
        for _ in range(2):
            async with client.run_tests.get_many(ids, concurrency=16) as results:
                assert sorted([rt.id async for rt in results], key=str) == sorted(ids)
            assert await server.close_idle() >= 1


async def test_every_kind_reads_a_gzip_body(fake: FakeAPI, http_client: Any) -> None:
    run_test = fake.dataset.run_tests[1]
    path = f"/simulate/run-tests/{run_test.id}/"
    async with fake.http_client() as http:
        body = gzip.compress((await http.get(path)).content)

    async def gzipped(exchange: wire.Exchange) -> bool:
        headers = [
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
            ("content-length", str(len(body))),
        ]
        await exchange.stream.send(wire.response_head(200, headers) + body)
        return True

    async with wire.serve(gzipped) as server, client_for(server.base_url, http_client) as client:
        assert (await client.run_tests.get(run_test.id)).id == run_test.id
    [request] = server.requests
    assert request.target == path


def _refused_url() -> str:
    """A loopback port nobody listens on (bound, then let go)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def test_every_kind_types_a_refused_connection(http_client: Any) -> None:
    async with client_for(_refused_url(), http_client, max_retries=1) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.run_tests.get("0b7b0c1e-0000-4000-8000-000000000000")
    assert type(caught.value) is APIConnectionError
    assert caught.value.retries == 1
    assert not type(caught.value.__cause__).__module__.startswith(("httpx", "httpcore"))


@asynccontextmanager
async def silent_server() -> AsyncIterator[str]:
    """Reads the request, never answers (until the test is done)."""

    async def never(exchange: wire.Exchange) -> bool:
        await anyio.sleep_forever()
        return False

    async with wire.serve(never) as server:
        yield server.base_url


async def test_every_kind_types_a_read_timeout(http_client: Any) -> None:
    timeout = httpx2.Timeout(10.0, read=0.1)
    async with (
        silent_server() as base_url,
        client_for(base_url, http_client, timeout=timeout, max_retries=0) as client,
    ):
        with pytest.raises(APITimeoutError) as caught:
            await client.run_tests.get("0b7b0c1e-0000-4000-8000-000000000000")
    assert caught.value.retries == 0
    # The timeout that fired, by name; not the message of the cancel scope behind it.
    assert "no response within timeout.read=0.1s" in str(caught.value)
    assert "cancel scope" not in str(caught.value).lower()


async def test_a_closed_lent_client_is_reported(fake: FakeAPI) -> None:
    for lent in (httpx2.AsyncClient(), httpx.AsyncClient()):
        await lent.aclose()
        async with client_for("http://127.0.0.1:1", lent) as client:
            assert client.is_closed
            with pytest.raises(ClientClosedError):
                await client.run_tests.get(fake.dataset.run_tests[0].id)


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (httpx2.Client, "httpx2.Client"),
        (httpx.Client, "httpx.Client"),
        (lambda: "http://127.0.0.1:8000", "str"),
        (lambda: httpx2.AsyncHTTPTransport(), "AsyncHTTPTransport"),
    ],
    ids=["sync httpx2", "sync httpx", "a string", "a transport"],
)
def test_anything_else_is_refused_at_construction(make: Callable[[], Any], named: str) -> None:
    thing = make()
    try:
        with pytest.raises(ConfigurationError, match=r"httpx2\.AsyncClient") as caught:
            client_for("http://127.0.0.1:1", thing)
        assert named in str(caught.value)
    finally:
        if hasattr(thing, "close"):
            thing.close()


@pytest.mark.parametrize("fault", list(wire.FAULTS))
async def test_a_broken_wire_gives_typed_errors(fault: str, lent_client: Any) -> None:
    answer, expected = wire.FAULTS[fault]
    async with wire.serve(answer) as server, client_for(server.base_url, lent_client) as client:
        with pytest.raises(FutureAGIError) as caught:
            await client.run_tests.get("0b7b0c1e-0000-4000-8000-000000000000")
    assert isinstance(caught.value, expected), repr(caught.value)
    wire.assert_no_http_objects(caught.value)
