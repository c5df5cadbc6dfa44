"""`AiohttpTransport` over real loopback sockets: aiohttp's pool on asyncio, httpx2's on trio.

Each test runs on both backends and expects the same outcome from each: the point of the
transport is that the library cannot tell them apart. The small threaded server below lets a
test choose the server's misbehaviour (hang, drop, truncate, close when idle) and count its
connections; the TLS cases use trustme certificates.
"""

from __future__ import annotations

import asyncio
import datetime
import gzip
import json
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import anyio
import anyio.to_thread
import httpx2
import pytest
import trustme

from futureagi_async import APIConnectionError, AsyncClient, ConfigurationError
from futureagi_async._aiohttp import AiohttpTransport
from futureagi_async._http import read_whole
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI
from tests.test_wire import server_context, trusting

pytestmark = pytest.mark.anyio

GZIPPED = {"rows": list(range(200))}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, tls: ssl.SSLContext | None):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.tls = tls
        self.connections = 0
        self.closed = 0
        self.requests: list[tuple[str, list[str]]] = []
        self.changed = threading.Condition()
        self.hanging = threading.Event()  # a /hang request has arrived

    @property
    def url(self) -> str:
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.server_address[1]}"

    def get_request(self) -> tuple[Any, Any]:
        sock, address = super().get_request()
        if self.tls:  # the handshake happens in the connection's thread
            sock = self.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        with self.changed:
            self.closed += 1
            self.changed.notify_all()

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # failed handshakes and dropped connections are what the tests make happen

    def wait_closed(self, count: int) -> None:
        """Block until `count` connections have been closed (at most 10 s)."""
        with self.changed:
            assert self.changed.wait_for(lambda: self.closed >= count, timeout=10)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        with self.server.changed:
            self.server.connections += 1
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        route = self.path.split("?")[0]
        self.server.requests.append((route, [k.lower() for k in self.headers]))
        if route == "/hang":  # never answer; notice when the client gives up
            self.server.hanging.set()
            self.rfile.read(1)
            self.close_connection = True
        elif route == "/drop":
            self.close_connection = True
        elif route == "/garbage" or route.startswith("/garbage/"):
            self.wfile.write(b"NOT HTTP AT ALL\r\n\r\n")
            self.close_connection = True
        elif route == "/truncated":
            self._head(200, 100)
            self.wfile.write(b"0123456789")
            self.close_connection = True
        elif route == "/redirect":
            self._head(302, 0, (("Location", "/page"),))
        elif route == "/gzip":
            body = gzip.compress(json.dumps(GZIPPED).encode())
            self._head(200, len(body), (("Content-Encoding", "gzip"),))
            self.wfile.write(body)
        else:
            answer = {"path": self.path}
            if route.startswith("/simulate/"):  # a row needs its id to be read
                answer["id"] = route.rstrip("/").rsplit("/", 1)[-1]
            body = json.dumps(answer).encode()
            self._head(200, len(body), (("Set-Cookie", "session=1"),))
            self.wfile.write(body)
            # /close-when-idle: keep-alive as far as the client knows, then close at once.
            self.close_connection = route == "/close-when-idle"

    def _head(self, status: int, length: int, extra: tuple[tuple[str, str], ...] = ()) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(length))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


def _serve(tls: ssl.SSLContext | None = None) -> Iterator[_Server]:
    server = _Server(tls)
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def server() -> Iterator[_Server]:
    yield from _serve()


@pytest.fixture
def tls_server(ca: trustme.CA) -> Iterator[_Server]:
    yield from _serve(server_context(ca.issue_cert("127.0.0.1")))


def _cert_error_in_chain(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


async def _get(transport: AiohttpTransport, url: str, **timeout: float) -> httpx2.Response:
    """One request straight through the transport, as the library's pipeline sends it."""
    extensions = {"timeout": httpx2.Timeout(5.0, **timeout).as_dict()}
    request = httpx2.Request("GET", url, headers={"X-Api-Key": "k"}, extensions=extensions)
    response = await transport.handle_async_request(request)
    await response.aread()
    return response


# --- plain HTTP -------------------------------------------------------------------------------


async def test_a_get_through_httpx2_client_reuses_one_connection(
    server: _Server, anyio_backend_name: str
) -> None:
    transport = AiohttpTransport(max_connections=4)
    async with httpx2.AsyncClient(transport=transport) as http:
        for i in range(5):
            response = await http.get(f"{server.url}/page", params={"page": i})
            assert response.status_code == 200
            assert response.json() == {"path": f"/page?page={i}"}
            assert response.http_version == "HTTP/1.1"
            assert response.reason_phrase == "OK"
        assert http.cookies["session"] == "1"  # cookies are the httpx2 client's, as usual
        # aiohttp's pool on asyncio; trio keeps the httpx2 pool.
        pools = (transport._session is not None, transport._fallback is not None)
        assert pools == ((True, False) if anyio_backend_name == "asyncio" else (False, True))
    assert server.connections == 1


async def test_sends_exactly_the_requests_headers(server: _Server) -> None:
    async with AiohttpTransport(max_connections=1) as transport:
        await _get(transport, f"{server.url}/echo")
    # No User-Agent, Accept or Accept-Encoding of aiohttp's own, just as from httpx2's pool.
    assert server.requests == [("/echo", ["host", "x-api-key"])]


async def test_gzip_body_is_decoded_once_and_headers_are_the_wire_headers(server: _Server) -> None:
    async with AiohttpTransport(max_connections=1) as transport:
        response = await _get(transport, f"{server.url}/gzip")
    assert response.json() == GZIPPED
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < len(response.content)


async def test_a_body_with_nothing_to_decode_comes_back_as_read(
    server: _Server, anyio_backend_name: str
) -> None:
    async with AiohttpTransport(max_connections=1) as transport:
        request = httpx2.Request("GET", f"{server.url}/page")
        response = await transport.handle_async_request(request)
        # On asyncio, as `httpx2.Response(content=...)` leaves it; trio's httpx2 pool streams.
        read = (response.is_stream_consumed, response.is_closed)
        assert read == ((True, True) if anyio_backend_name == "asyncio" else (False, False))
        whole = await read_whole(response)  # how the library's own pool reads a response
    assert whole.json() == {"path": "/page"}
    assert whole.headers["content-length"] == str(len(whole.content))


async def test_concurrent_requests_stay_within_max_connections(server: _Server) -> None:
    async with AiohttpTransport(max_connections=3) as transport, anyio.create_task_group() as tg:
        for _ in range(12):
            tg.start_soon(_get, transport, f"{server.url}/page")
    assert len(server.requests) == 12
    assert server.connections <= 3


async def test_a_server_closing_idle_connections_does_not_break_the_next_request(
    server: _Server,
) -> None:
    async with AiohttpTransport(max_connections=2) as transport:
        for i in range(3):
            response = await _get(transport, f"{server.url}/close-when-idle")
            assert response.status_code == 200
            # The server has closed the idle connection before the next request goes out.
            await anyio.to_thread.run_sync(server.wait_closed, i + 1)
    assert server.connections == 3


async def test_redirects_are_returned_not_followed(server: _Server) -> None:
    async with httpx2.AsyncClient(transport=AiohttpTransport(max_connections=1)) as http:
        response = await http.get(server.url + "/redirect")
    assert (response.status_code, response.headers["location"]) == (302, "/page")
    assert [route for route, _ in server.requests] == ["/redirect"]


# --- failures map to httpx2's exceptions ------------------------------------------------------


@pytest.mark.parametrize(
    ("route", "error"),
    [
        ("/drop", httpx2.RemoteProtocolError),
        ("/truncated", httpx2.RemoteProtocolError),
        ("/garbage", httpx2.RemoteProtocolError),
    ],
)
async def test_broken_answers_raise_httpx2_errors(
    server: _Server, route: str, error: type[httpx2.TransportError]
) -> None:
    async with AiohttpTransport(max_connections=1) as transport:
        with pytest.raises(error):
            await _get(transport, server.url + route)
        # The pool is still usable afterwards.
        assert (await _get(transport, server.url + "/page")).status_code == 200


async def test_connection_refused_is_a_connect_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with AiohttpTransport(max_connections=1) as transport:
        with pytest.raises(httpx2.ConnectError):
            await _get(transport, f"http://127.0.0.1:{port}/")


async def test_read_timeout_closes_the_connection(server: _Server) -> None:
    async with AiohttpTransport(max_connections=1) as transport:
        with pytest.raises(httpx2.ReadTimeout):
            await _get(transport, f"{server.url}/hang", read=0.05)
        # Given up on, the connection is closed, not put back in the pool.
        await anyio.to_thread.run_sync(server.wait_closed, 1)
        assert (await _get(transport, f"{server.url}/page")).status_code == 200
    assert server.connections == 2


async def test_connect_timeout() -> None:
    # A listener whose accept queue is full: the kernel drops further SYNs, so a connect hangs.
    with socket.socket() as listener, socket.socket() as filler:
        listener.bind(("127.0.0.1", 0))
        listener.listen(0)
        filler.connect(listener.getsockname())
        url = f"http://127.0.0.1:{listener.getsockname()[1]}/"
        async with AiohttpTransport(max_connections=1) as transport:
            with pytest.raises(httpx2.ConnectTimeout):
                await _get(transport, url, connect=0.1)


async def test_pool_timeout_when_every_connection_is_busy(server: _Server) -> None:
    async with AiohttpTransport(max_connections=1) as transport, anyio.create_task_group() as tg:
        tg.start_soon(_get, transport, f"{server.url}/hang")
        await anyio.to_thread.run_sync(server.hanging.wait)  # the one connection is taken
        with pytest.raises(httpx2.PoolTimeout):
            await _get(transport, f"{server.url}/page", pool=0.05)
        tg.cancel_scope.cancel()


async def test_cancellation_leaves_no_connection_or_task_behind(server: _Server) -> None:
    async with AiohttpTransport(max_connections=1) as transport:
        tasks_before = _task_count()
        with anyio.move_on_after(0.05) as scope:
            await _get(transport, f"{server.url}/hang")
        assert scope.cancelled_caught
        await anyio.to_thread.run_sync(server.wait_closed, 1)  # the client closed it
        assert _task_count() == tasks_before
        # The slot it held is free again: with max_connections=1 this would wait forever.
        with anyio.fail_after(5):
            assert (await _get(transport, f"{server.url}/page")).status_code == 200


def _task_count() -> int:
    try:
        return len(asyncio.all_tasks())
    except RuntimeError:  # trio
        return 0


async def test_closed_transport_refuses_requests(server: _Server) -> None:
    transport = AiohttpTransport(max_connections=1)
    await _get(transport, f"{server.url}/page")
    await transport.aclose()
    with pytest.raises(RuntimeError, match="closed"):
        await _get(transport, f"{server.url}/page")


def test_without_the_extra_it_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "aiohttp", None)  # as if not installed
    with pytest.raises(ConfigurationError, match=r"futureagi-async\[aiohttp\]"):
        AiohttpTransport(max_connections=1)


def test_importing_the_library_does_not_import_aiohttp() -> None:
    code = "import sys, futureagi_async, futureagi_async._aiohttp; print('aiohttp' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert result.stdout.strip() == b"False"


# --- TLS ----------------------------------------------------------------------------------------


async def test_tls_get_with_a_trusted_ca(tls_server: _Server, ca: trustme.CA) -> None:
    async with AiohttpTransport(max_connections=2, verify=trusting(ca)) as transport:
        for _ in range(3):
            assert (await _get(transport, f"{tls_server.url}/page")).status_code == 200
    assert tls_server.connections == 1


async def test_tls_without_verification(tls_server: _Server) -> None:
    async with AiohttpTransport(max_connections=1, verify=False) as transport:
        assert (await _get(transport, f"{tls_server.url}/page")).status_code == 200


@pytest.mark.parametrize("problem", ["untrusted CA", "hostname mismatch", "expired"])
async def test_certificate_failures_are_connect_errors_caused_by_the_ssl_error(
    ca: trustme.CA, problem: str
) -> None:
    trusted = ca
    if problem == "untrusted CA":
        leaf = trustme.CA().issue_cert("127.0.0.1")
    elif problem == "hostname mismatch":
        leaf = ca.issue_cert("other.example")
    else:
        now = datetime.datetime.now(datetime.UTC)
        leaf = ca.issue_cert(
            "127.0.0.1",
            not_before=now - datetime.timedelta(days=2),
            not_after=now - datetime.timedelta(days=1),
        )
    for server in _serve(server_context(leaf)):
        async with AiohttpTransport(max_connections=1, verify=trusting(trusted)) as transport:
            with pytest.raises(httpx2.ConnectError) as caught:
                await _get(transport, f"{server.url}/page")
        assert _cert_error_in_chain(caught.value)
        assert not server.requests


# --- through the library ------------------------------------------------------------------------


async def test_the_library_on_the_transport_over_the_fake() -> None:
    async with FakeAPI().serve() as base_url:
        http = httpx2.AsyncClient(transport=AiohttpTransport(max_connections=8))
        async with (
            http,
            AsyncClient(
                TEST_API_KEY, TEST_SECRET_KEY, base_url=base_url, http_client=http
            ) as client,
        ):
            ids = [run_test.id async for run_test in client.run_tests.list()]
            first = ids[0]
            assert first is not None
            assert (await client.run_tests.get(first)).id == first


async def test_the_library_reports_a_certificate_failure_with_the_ssl_error_in_its_chain(
    ca: trustme.CA,
) -> None:
    for server in _serve(server_context(trustme.CA().issue_cert("127.0.0.1"))):
        transport = AiohttpTransport(max_connections=1, verify=trusting(ca))
        async with (
            httpx2.AsyncClient(transport=transport) as http,
            AsyncClient(
                TEST_API_KEY, TEST_SECRET_KEY, base_url=server.url, http_client=http, max_retries=0
            ) as client,
        ):
            with pytest.raises(APIConnectionError) as caught:
                await client.run_tests.get("3f6c2a52-8d1e-4c4b-9a57-0c3b1f0e9a11")
        assert _cert_error_in_chain(caught.value)


async def test_http_backend_aiohttp_over_the_fake(anyio_backend_name: str) -> None:
    async with (
        FakeAPI().serve() as base_url,
        AsyncClient(
            TEST_API_KEY, TEST_SECRET_KEY, base_url=base_url, http_backend="aiohttp"
        ) as client,
    ):
        ids = [run_test.id async for run_test in client.run_tests.list()]
        first = ids[0]
        assert first is not None
        assert (await client.run_tests.get(first)).id == first
        transport = getattr(client._pipeline.shared.connection, "transport", None)
        assert isinstance(transport, AiohttpTransport)
        assert (transport._session is not None) == (anyio_backend_name == "asyncio")


async def test_http_backend_aiohttp_over_tls(tls_server: _Server, ca: trustme.CA) -> None:
    async with AsyncClient(
        TEST_API_KEY,
        TEST_SECRET_KEY,
        base_url=tls_server.url,
        http_backend="aiohttp",
        verify=trusting(trustme.CA()),  # not the server's CA
    ) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.run_tests.get("3f6c2a52-8d1e-4c4b-9a57-0c3b1f0e9a11")
        assert _cert_error_in_chain(caught.value)
    async with AsyncClient(
        TEST_API_KEY,
        TEST_SECRET_KEY,
        base_url=tls_server.url,
        http_backend="aiohttp",
        verify=trusting(ca),
        max_retries=0,
    ) as client:
        # Trusted, the request arrives (the answer makes a tolerant RunTest with only an id).
        await client.run_tests.get("3f6c2a52-8d1e-4c4b-9a57-0c3b1f0e9a11")
    assert [route for route, _ in tls_server.requests] == [
        "/simulate/run-tests/3f6c2a52-8d1e-4c4b-9a57-0c3b1f0e9a11/"
    ]


async def test_the_library_keeps_aiohttp_requests_out_of_its_errors(server: _Server) -> None:
    # aiohttp wraps a malformed answer in a ClientResponseError holding the request's
    # headers (the keys): it must not be reachable from the library's error.
    async with AsyncClient(
        TEST_API_KEY,
        TEST_SECRET_KEY,
        base_url=server.url + "/garbage",
        http_backend="aiohttp",
        max_retries=0,
    ) as client:
        with pytest.raises(APIConnectionError) as caught:
            await client.run_tests.get("3f6c2a52-8d1e-4c4b-9a57-0c3b1f0e9a11")
    links: list[BaseException] = []
    todo: list[BaseException] = [caught.value]
    while todo:
        link = todo.pop()
        links.append(link)
        todo += [e for e in (link.__cause__, link.__context__) if e is not None and e not in links]
    for link in links:
        assert type(link).__module__.split(".")[0] not in ("aiohttp", "httpx2", "httpcore2"), link
        assert TEST_API_KEY not in repr(vars(link))
        assert TEST_SECRET_KEY not in repr(vars(link))


# --- the library's direct path: a GET from the URL string, no httpx2.Request -----------------


async def test_the_library_builds_no_httpx2_request_on_asyncio(
    server: _Server, anyio_backend_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[object] = []
    real_request = httpx2.Request

    def counting_request(*args: Any, **kwargs: Any) -> httpx2.Request:
        built.append(args)
        return real_request(*args, **kwargs)

    monkeypatch.setattr("futureagi_async._http.httpx2.Request", counting_request)
    async with AsyncClient(
        TEST_API_KEY, TEST_SECRET_KEY, base_url=server.url, http_backend="aiohttp"
    ) as client:
        await client.run_tests.get("3f6c2a52-8d1e-4c4b-9a57-0c3b1f0e9a11")
    # Trio keeps httpx2's pool, which needs the request object.
    assert len(built) == (0 if anyio_backend_name == "asyncio" else 1)
    [(route, headers)] = server.requests
    assert route == "/simulate/run-tests/3f6c2a52-8d1e-4c4b-9a57-0c3b1f0e9a11/"
    expected = {"host", "x-api-key", "x-secret-key", "user-agent", "accept", "accept-encoding"}
    assert set(headers) == expected  # the pipeline's headers and Host, nothing of aiohttp's


async def test_the_direct_path_sends_what_the_request_path_sends(server: _Server) -> None:
    async with AiohttpTransport(max_connections=1) as transport:
        await _get(transport, f"{server.url}/echo?a=%2F&b=1")
        response = await transport.get(
            f"{server.url}/echo?a=%2F&b=1", {"X-Api-Key": "k"}, httpx2.Timeout(5.0)
        )
    assert response.status_code == 200
    assert server.requests[0] == server.requests[1] == ("/echo", ["host", "x-api-key"])


async def test_the_direct_path_raises_httpx2_errors(server: _Server) -> None:
    # (On trio, through httpx2's pool, whose errors these are too.)
    async with AiohttpTransport(max_connections=1) as transport:
        with pytest.raises(httpx2.RemoteProtocolError):
            await transport.get(server.url + "/garbage", {}, httpx2.Timeout(5.0))
        with pytest.raises(httpx2.ReadTimeout):
            await transport.get(server.url + "/hang", {}, httpx2.Timeout(5.0, read=0.05))
