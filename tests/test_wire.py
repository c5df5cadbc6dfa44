"""The library's own pool on real loopback sockets: TLS, dropped keep-alives, a broken wire,
and proxies from the environment. Servers are `tests.wire_helpers` (raw, in the test's loop)."""

from __future__ import annotations

import datetime
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
import trustme

from futureagi_async import AsyncClient
from futureagi_async._errors import (
    APIConnectionError,
    APIError,
    ConfigurationError,
)
from futureagi_async._http import OwnPool
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, DatasetSpec, FakeAPI

from .wire_helpers import (
    FAULTS,
    Exchange,
    answer_with,
    assert_no_http_objects,
    clear_proxy_environment,
    response_head,
    serve,
    serve_fake,
)

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def _no_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_proxy_environment(monkeypatch)


@pytest.fixture(scope="module")
def fake() -> FakeAPI:
    return FakeAPI(DatasetSpec(seed=3, run_tests=8, executions_per_run_test=1))


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def server_context(cert: trustme.LeafCert) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(context)
    return context


def trusting(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    ca.configure_trust(context)
    return context


def client_for(base_url: str, **kwargs: Any) -> AsyncClient:
    return AsyncClient(TEST_API_KEY, TEST_SECRET_KEY, base_url=base_url, **kwargs)


def ids_of(fake: FakeAPI, n: int) -> list[str]:
    """`n` run test ids, repeating the fake's few."""
    ids = [run_test.id for run_test in fake.dataset.run_tests]
    return [ids[i % len(ids)] for i in range(n)]


# 1. TLS ------------------------------------------------------------------------------------


async def test_trusted_certificate_by_context_reuses_its_connection(
    fake: FakeAPI, ca: trustme.CA
) -> None:
    tls = server_context(ca.issue_cert("127.0.0.1"))
    async with (
        serve_fake(fake, tls=tls) as server,
        client_for(server.base_url, verify=trusting(ca)) as client,
    ):
        for run_test_id in ids_of(fake, 3):
            assert (await client.run_tests.get(run_test_id)).id == run_test_id
    assert len(server.requests) == 3
    assert (server.connections, server.failed_handshakes) == (1, 0)


async def test_trusted_certificate_by_ca_bundle_path(
    fake: FakeAPI, ca: trustme.CA, tmp_path: Path
) -> None:
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    tls = server_context(ca.issue_cert("127.0.0.1"))
    async with (
        serve_fake(fake, tls=tls) as server,
        client_for(server.base_url, verify=str(bundle)) as client,
    ):
        for run_test_id in ids_of(fake, 2):
            await client.run_tests.get(run_test_id)
    assert (len(server.requests), server.connections) == (2, 1)


def test_a_ca_bundle_that_is_not_there_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"nope\.pem"):
        client_for("https://127.0.0.1:1", verify=str(tmp_path / "nope.pem"))
    not_a_bundle = tmp_path / "empty.pem"
    not_a_bundle.write_text("not a certificate")
    with pytest.raises(ConfigurationError, match=r"empty\.pem"):
        client_for("https://127.0.0.1:1", verify=str(not_a_bundle))
    wrong: Any = 1
    with pytest.raises(ConfigurationError, match="verify must be"):
        client_for("https://127.0.0.1:1", verify=wrong)


def _yesterday() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=1)


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("untrusted CA", "certificate verify failed"),
        ("hostname mismatch", "address mismatch, certificate is not valid"),
        ("expired", "certificate has expired"),
    ],
)
async def test_a_certificate_that_fails_verification_is_not_retried(
    fake: FakeAPI, ca: trustme.CA, case: str, reason: str
) -> None:
    if case == "untrusted CA":
        cert = trustme.CA().issue_cert("127.0.0.1")
    elif case == "hostname mismatch":
        cert = ca.issue_cert("api.example.org")
    else:
        yesterday = _yesterday()
        cert = ca.issue_cert(
            "127.0.0.1",
            not_before=yesterday - datetime.timedelta(days=30),
            not_after=yesterday,
        )
    async with (
        serve_fake(fake, tls=server_context(cert)) as server,
        client_for(server.base_url, verify=trusting(ca), max_retries=4) as client,
    ):
        with pytest.raises(APIConnectionError) as caught:
            await client.run_tests.get(ids_of(fake, 1)[0])
    error = caught.value
    assert type(error) is APIConnectionError
    assert error.retries == 0
    assert "certificate" in str(error).lower()
    assert reason in str(error).lower()
    assert isinstance(error.__cause__, ssl.SSLCertVerificationError)
    # One handshake, refused by the client; nothing was asked.
    assert (server.connections, server.requests) == (1, [])


# 2. Keep-alive connections the server dropped ----------------------------------------------


async def _burst(client: AsyncClient, fake: FakeAPI) -> None:
    """16 concurrent gets and 4 concurrent listings on one client: every one must succeed."""
    ids = ids_of(fake, 16)
    listed: list[int] = []

    async def listing() -> None:
        listed.append(len([run_test async for run_test in client.run_tests.list(page_size=2)]))

    async with anyio.create_task_group() as tg:
        for _ in range(4):
            tg.start_soon(listing)
        async with client.run_tests.get_many(ids, concurrency=16) as results:
            got = [run_test.id async for run_test in results]
    assert sorted(got, key=str) == sorted(ids)
    assert listed == [len(fake.dataset.run_tests)] * 4


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
async def test_bursts_after_the_server_closed_every_idle_connection(
    fake: FakeAPI, ca: trustme.CA, tls: bool
) -> None:
    """The regression: a shared client idle past the keep-alive expiry, then a burst (once
    14 of 16 requests failed with a bare IndexError)."""
    context = server_context(ca.issue_cert("127.0.0.1")) if tls else None
    async with (
        serve_fake(fake, tls=context) as server,
        client_for(server.base_url, verify=trusting(ca)) as client,
    ):
        for _ in range(3):
            await _burst(client, fake)
            # The idle gap: the server expires every kept-alive connection, silently.
            assert await server.close_idle() >= 1
        await _burst(client, fake)
    assert server.connections > 1


async def test_bursts_when_every_connection_is_dropped_after_one_answer(fake: FakeAPI) -> None:
    """A server that drops each connection after one answer, without `Connection: close`."""
    async with (
        serve_fake(fake, keep_alive=False) as server,
        client_for(server.base_url) as client,
    ):
        for _ in range(2):
            await _burst(client, fake)
    assert server.connections >= len(server.requests) >= 2 * (16 + 4 * 4)


async def test_bursts_past_the_pools_own_keepalive_expiry(fake: FakeAPI) -> None:
    """The client's side of the idle gap: with a zero keep-alive expiry, every pooled
    connection has expired by the time it is picked again."""
    async with serve_fake(fake) as server, client_for(server.base_url) as client:
        pool = client._pipeline.shared.connection
        assert isinstance(pool, OwnPool)
        await pool.transport.aclose()
        pool.transport = httpx2.AsyncHTTPTransport(
            limits=httpx2.Limits(max_connections=32, keepalive_expiry=0.0)
        )
        for _ in range(2):
            await _burst(client, fake)
    assert server.connections >= 2


# 3. A broken wire gives typed errors only --------------------------------------------------


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
@pytest.mark.parametrize("fault", list(FAULTS))
async def test_a_broken_wire_gives_typed_errors(
    fault: str, tls: bool, ca: trustme.CA, fake: FakeAPI
) -> None:
    answer, expected = FAULTS[fault]
    context = server_context(ca.issue_cert("127.0.0.1")) if tls else None
    async with (
        serve(answer, tls=context) as server,
        client_for(server.base_url, verify=trusting(ca), max_retries=1) as client,
    ):
        with pytest.raises(APIError) as caught:
            await client.run_tests.get(ids_of(fake, 1)[0])
    error = caught.value
    assert isinstance(error, expected), repr(error)
    assert_no_http_objects(error)
    if fault == "bad gzip":
        assert (error.retries, len(server.requests)) == (0, 1)  # it will not decode next time
    else:
        assert (error.retries, len(server.requests)) == (1, 2)


async def test_plain_http_where_tls_was_expected(fake: FakeAPI) -> None:
    async with serve_fake(fake) as server:
        https = server.base_url.replace("http://", "https://")
        async with client_for(https, max_retries=3) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.run_tests.get(ids_of(fake, 1)[0])
    assert_no_http_objects(caught.value)
    # Permanent, like a certificate that fails: not retried, and the message says why.
    assert caught.value.retries == 0
    assert "WRONG_VERSION_NUMBER" in str(caught.value)
    assert "should start with http://" in str(caught.value)


async def test_a_tls_handshake_the_server_rejects(ca: trustme.CA, fake: FakeAPI) -> None:
    """The server wants a client certificate nobody has, and sends an alert instead."""

    async def never(exchange: Exchange) -> bool:
        raise AssertionError("no request should arrive")

    context = server_context(ca.issue_cert("127.0.0.1"))
    context.verify_mode = ssl.CERT_REQUIRED
    async with (
        serve(never, tls=context) as server,
        client_for(server.base_url, verify=trusting(ca), max_retries=1) as client,
    ):
        with pytest.raises(APIConnectionError) as caught:
            await client.run_tests.get(ids_of(fake, 1)[0])
    assert_no_http_objects(caught.value)
    assert server.requests == []


# 5. Proxies from the environment -----------------------------------------------------------


@pytest.mark.parametrize("variable", ["HTTP_PROXY", "http_proxy", "ALL_PROXY"])
async def test_http_proxy_from_the_environment(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch, variable: str
) -> None:
    run_test_id = ids_of(fake, 1)[0]
    async with serve_fake(fake) as origin, serve_fake(fake) as proxy:
        monkeypatch.setenv(variable, proxy.base_url)
        async with client_for(origin.base_url) as client:
            assert (await client.run_tests.get(run_test_id)).id == run_test_id
        assert origin.requests == []
        [request] = proxy.requests
        # Absolute form: the request was meant for the origin, sent to the proxy.
        assert request.target == f"{origin.base_url}/simulate/run-tests/{run_test_id}/"
        assert "authorization" not in request.headers
        assert "proxy-authorization" not in request.headers


@pytest.mark.parametrize("no_proxy", ["127.0.0.1", "*"])
async def test_no_proxy_bypasses_the_proxy(
    fake: FakeAPI, monkeypatch: pytest.MonkeyPatch, no_proxy: str
) -> None:
    run_test_id = ids_of(fake, 1)[0]
    async with serve_fake(fake) as origin, serve_fake(fake) as proxy:
        monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
        monkeypatch.setenv("NO_PROXY", no_proxy)
        async with client_for(origin.base_url) as client:
            await client.run_tests.get(run_test_id)
    assert (len(origin.requests), proxy.requests) == (1, [])


@asynccontextmanager
async def tunnel() -> AsyncIterator[Any]:
    """An HTTP proxy that answers CONNECT by piping bytes to the target (what HTTPS_PROXY
    names): it sees the target, never the request inside the TLS."""

    async def connect(exchange: Exchange) -> bool:
        assert exchange.request.method == "CONNECT"
        host, _, port = exchange.request.target.rpartition(":")
        async with await anyio.connect_tcp(host, int(port)) as upstream:
            await exchange.stream.send(b"HTTP/1.1 200 Connection established\r\n\r\n")

            async def pipe(source: Any, sink: Any) -> None:
                try:
                    async for chunk in source:
                        await sink.send(chunk)
                except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
                    pass
                tg.cancel_scope.cancel()

            async with anyio.create_task_group() as tg:
                tg.start_soon(pipe, exchange.stream, upstream)
                tg.start_soon(pipe, upstream, exchange.stream)
        return False

    async with serve(connect) as proxy:
        yield proxy


async def test_https_proxy_tunnels_to_a_verified_origin(
    fake: FakeAPI, ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_test_id = ids_of(fake, 1)[0]
    tls = server_context(ca.issue_cert("127.0.0.1"))
    async with serve_fake(fake, tls=tls) as origin, tunnel() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.base_url)
        async with client_for(origin.base_url, verify=trusting(ca)) as client:
            for _ in range(2):
                assert (await client.run_tests.get(run_test_id)).id == run_test_id
        assert [r.target for r in proxy.requests] == [f"127.0.0.1:{origin.port}"]
        assert (len(origin.requests), origin.connections) == (2, 1)


async def test_https_proxy_with_an_untrusted_origin_is_not_retried(
    fake: FakeAPI, ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    tls = server_context(trustme.CA().issue_cert("127.0.0.1"))
    async with serve_fake(fake, tls=tls) as origin, tunnel() as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.base_url)
        async with client_for(origin.base_url, verify=trusting(ca)) as client:
            with pytest.raises(APIConnectionError, match="certificate") as caught:
                await client.run_tests.get(ids_of(fake, 1)[0])
    assert caught.value.retries == 0
    assert (len(proxy.requests), origin.requests) == (1, [])


async def test_a_proxy_that_refuses_the_tunnel_gives_a_typed_error(
    fake: FakeAPI, ca: trustme.CA, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusal = response_head(407, [("proxy-authenticate", "Basic"), ("content-length", "0")])
    async with serve(answer_with(refusal)) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.base_url)
        async with client_for("https://127.0.0.1:9", max_retries=1) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.run_tests.get(ids_of(fake, 1)[0])
    assert_no_http_objects(caught.value)
    assert "407" in str(caught.value)
