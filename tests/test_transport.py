"""The default transport against a tiny loopback HTTP/1.1 server started by each test."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from urllib.parse import parse_qs, urlsplit

import anyio
import anyio.abc
import httpx
import pytest

from futureagi_async._transport import AnyioTransport, create_transport

pytestmark = pytest.mark.anyio

BODY = json.dumps({"results": [{"id": i, "name": "x" * 40} for i in range(500)]}).encode()


class _Server:
    """Serves canned responses; path picks the behaviour, `?delay=` adds latency."""

    def __init__(self) -> None:
        self.port = 0
        self.connections = 0
        self.open_connections = 0
        self.hanging = 0
        self._hanging_target = 0
        self._hanging_reached = anyio.Event()

    def expect_hanging(self, count: int) -> anyio.Event:
        self.hanging = 0
        self._hanging_target = count
        self._hanging_reached = anyio.Event()
        return self._hanging_reached

    async def handle(self, stream: anyio.abc.SocketStream) -> None:
        self.connections += 1
        self.open_connections += 1
        serial = self.connections
        buf = bytearray()
        try:
            while True:
                while (end := buf.find(b"\r\n\r\n")) < 0:
                    try:
                        buf += await stream.receive()
                    except (anyio.EndOfStream, anyio.BrokenResourceError):
                        return
                head = bytes(buf[:end]).decode("latin-1").split("\r\n")
                del buf[: end + 4]
                method, target, _ = head[0].split(" ")
                headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in head[1:])}
                body = await _read_request_body(stream, buf, headers)
                url = urlsplit(target)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if delay := float(query.get("delay", 0)):
                    await anyio.sleep(delay)
                if not await self._respond(stream, method, url.path, body, serial):
                    return
        finally:
            self.open_connections -= 1
            await stream.aclose()

    async def _respond(
        self, stream: anyio.abc.SocketStream, method: str, path: str, body: bytes, serial: int
    ) -> bool:
        """Answer one request; False when the connection must end afterwards."""
        if path in ("/hang", "/half-then-hang"):
            if path == "/half-then-hang":
                await stream.send(_response(BODY)[: len(BODY) // 2])
            self.hanging += 1
            if self.hanging == self._hanging_target:
                self._hanging_reached.set()
            # Never answer; leave once the client goes away.
            try:
                while await stream.receive():
                    pass
            except (anyio.EndOfStream, anyio.BrokenResourceError):
                pass
            return False
        elif path == "/json":
            await stream.send(
                _response(BODY)[: -len(BODY)] if method == "HEAD" else _response(BODY)
            )
        elif path == "/conn":
            await stream.send(_response(str(serial).encode()))
        elif path == "/echo":
            await stream.send(_response(method.encode() + b" " + body))
        elif path == "/chunked":
            parts = [BODY[i : i + 1000] for i in range(0, len(BODY), 1000)]
            chunks = b"".join(b"%x;ext=1\r\n%b\r\n" % (len(p), p) for p in parts)
            head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
            # Split mid-chunk on purpose so the parser has to resume across reads.
            await stream.send(head + chunks[:1500])
            await stream.send(chunks[1500:] + b"0\r\nX-Trailer: yes\r\n\r\n")
        elif path == "/until-close":
            await stream.send(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + BODY)
            return False
        elif path == "/cut":
            await stream.send(_response(BODY)[: len(BODY) // 2])
            return False
        elif path == "/cut-chunked":
            await stream.send(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100\r\nabc")
            return False
        elif path == "/conn-then-forget":
            # A keep-alive response, then the server drops the idle connection, as servers
            # do when their keep-alive expiry passes.
            await stream.send(_response(str(serial).encode()))
            return False
        elif path == "/drop":
            return False
        elif path == "/garbage":
            await stream.send(b"SPDY/9 nonsense\r\n\r\n")
            return False
        elif path == "/no-content":
            await stream.send(b"HTTP/1.1 204 No Content\r\n\r\n")
        elif path == "/continue":
            await stream.send(b"HTTP/1.1 100 Continue\r\n\r\n" + _response(b"after"))
        else:
            await stream.send(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
        return True


async def _read_request_body(
    stream: anyio.abc.SocketStream, buf: bytearray, headers: dict[str, str]
) -> bytes:
    async def need(n: int) -> None:
        while len(buf) < n:
            buf.extend(await stream.receive())

    if "chunked" in headers.get("transfer-encoding", ""):
        body = bytearray()
        while True:
            while (eol := buf.find(b"\r\n")) < 0:
                buf.extend(await stream.receive())
            size = int(buf[:eol], 16)
            del buf[: eol + 2]
            await need(size + 2)
            body += buf[:size]
            del buf[: size + 2]
            if size == 0:
                return bytes(body)
    length = int(headers.get("content-length", 0))
    await need(length)
    body = bytes(buf[:length])
    del buf[:length]
    return body


def _response(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%b" % (len(body), body)


@asynccontextmanager
async def serving() -> AsyncIterator[_Server]:
    server = _Server()
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    async with listener, anyio.create_task_group() as tg:
        server.port = listener.extra(anyio.abc.SocketAttribute.local_port)
        tg.start_soon(listener.serve, server.handle, tg)
        try:
            yield server
        finally:
            tg.cancel_scope.cancel()


@asynccontextmanager
async def client(
    server: _Server, max_connections: int = 8, **kwargs: object
) -> AsyncIterator[tuple[httpx.AsyncClient, AnyioTransport]]:
    transport = create_transport(max_connections=max_connections)
    assert isinstance(transport, AnyioTransport)
    async with httpx.AsyncClient(
        transport=transport, base_url=f"http://127.0.0.1:{server.port}", **kwargs
    ) as http:
        yield http, transport


def _assert_pool_healthy(transport: AnyioTransport, max_connections: int) -> None:
    assert not transport._active
    assert len(transport._idle) <= max_connections
    assert transport._slots is not None
    assert transport._slots.value == max_connections


async def test_fetch_reads_the_whole_body() -> None:
    async with serving() as server, client(server) as (http, transport):
        response = await http.get("/json")
        assert response.status_code == 200
        assert response.content == BODY
        assert response.json()["results"][499]["id"] == 499
        assert response.http_version == "HTTP/1.1"
        _assert_pool_healthy(transport, 8)


async def test_keep_alive_reuses_one_connection() -> None:
    async with serving() as server, client(server) as (http, _):
        serials = {(await http.get("/conn")).text for _ in range(5)}
        assert serials == {"1"}
        assert server.connections == 1


async def test_chunked_body_with_extensions_and_trailers() -> None:
    async with serving() as server, client(server) as (http, _):
        assert (await http.get("/chunked")).content == BODY
        # The connection survived the chunked body and is reused.
        assert (await http.get("/conn")).text == "1"


async def test_body_until_close_is_complete_and_not_reused() -> None:
    async with serving() as server, client(server) as (http, transport):
        assert (await http.get("/until-close")).content == BODY
        assert not transport._idle
        assert (await http.get("/conn")).text == "2"


async def test_no_content_and_interim_responses() -> None:
    async with serving() as server, client(server) as (http, _):
        assert (await http.get("/no-content")).content == b""
        assert (await http.get("/continue")).text == "after"
        assert (await http.head("/json")).content == b""
        assert (await http.get("/conn")).text == "1"


async def test_request_bodies_fixed_and_streamed() -> None:
    async def parts() -> AsyncIterator[bytes]:
        yield b"hello "
        yield b"world"

    async with serving() as server, client(server) as (http, _):
        assert (await http.post("/echo", content=b"abc")).text == "POST abc"
        assert (await http.post("/echo", content=parts())).text == "POST hello world"


@pytest.mark.parametrize("path", ["/cut", "/cut-chunked"])
async def test_body_cut_mid_way_raises(path: str) -> None:
    async with serving() as server, client(server) as (http, transport):
        with pytest.raises(httpx.RemoteProtocolError, match="complete message body"):
            await http.get(path)
        _assert_pool_healthy(transport, 8)
        assert (await http.get("/json")).content == BODY


@pytest.mark.parametrize(
    ("path", "error"),
    [("/drop", httpx.RemoteProtocolError), ("/garbage", httpx.RemoteProtocolError)],
)
async def test_protocol_errors_map_to_httpx(path: str, error: type[Exception]) -> None:
    async with serving() as server, client(server) as (http, transport):
        with pytest.raises(error):
            await http.get(path)
        _assert_pool_healthy(transport, 8)


async def test_connect_error() -> None:
    async with serving() as server:
        port = server.port
    transport = create_transport(max_connections=2)
    async with httpx.AsyncClient(transport=transport) as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(f"http://127.0.0.1:{port}/json")
        assert isinstance(transport, AnyioTransport)
        _assert_pool_healthy(transport, 2)


async def test_read_timeout() -> None:
    async with (
        serving() as server,
        client(server, timeout=httpx.Timeout(5, read=0.05)) as (
            http,
            transport,
        ),
    ):
        server.expect_hanging(1)
        with pytest.raises(httpx.ReadTimeout):
            await http.get("/hang")
        _assert_pool_healthy(transport, 8)


async def test_pool_timeout_when_every_connection_is_busy() -> None:
    async with (
        serving() as server,
        client(server, max_connections=1, timeout=httpx.Timeout(5, pool=0.05)) as (http, _),
        anyio.create_task_group() as tg,
    ):
        reached = server.expect_hanging(1)
        tg.start_soon(http.get, "/hang")
        await reached.wait()
        with pytest.raises(httpx.PoolTimeout):
            await http.get("/json")
        tg.cancel_scope.cancel()


async def test_stale_keep_alive_connection_is_replaced() -> None:
    async with serving() as server, client(server) as (http, transport):
        assert (await http.get("/conn-then-forget")).text == "1"
        assert len(transport._idle) == 1
        assert (await http.get("/conn")).text == "2"
        assert server.connections == 2


async def test_aclose_closes_every_connection() -> None:
    async with serving() as server:
        async with client(server) as (http, transport):
            async with anyio.create_task_group() as tg:
                for _ in range(4):
                    tg.start_soon(http.get, "/json?delay=0.01")
            assert len(transport._idle) == 4
        assert not transport._idle
        assert not transport._active
        with pytest.raises(RuntimeError, match="closed"):
            await transport.handle_async_request(httpx.Request("GET", "http://127.0.0.1/"))


async def _fan_out(count: int, fetch: Callable[[], Awaitable[object]]) -> None:
    async with anyio.create_task_group() as tg:
        for _ in range(count):
            tg.start_soon(fetch)


async def test_cancelling_in_flight_fan_outs_leaks_nothing() -> None:
    """Issue 4: cancel 64 in-flight requests, 100 times; the pool must stay whole."""
    fan_out, rounds = 64, 100
    async with (
        serving() as server,
        client(server, max_connections=fan_out, timeout=httpx.Timeout(10, pool=1.0)) as (
            http,
            transport,
        ),
    ):
        for _ in range(rounds):
            reached = server.expect_hanging(fan_out)
            async with anyio.create_task_group() as tg:
                for _ in range(fan_out):
                    tg.start_soon(http.get, "/hang")
                with anyio.fail_after(10):
                    await reached.wait()
                tg.cancel_scope.cancel()
            _assert_pool_healthy(transport, fan_out)

        # Full concurrency still works with a small pool timeout: no slot leaked.
        done = 0

        async def fetch() -> None:
            nonlocal done
            response = await http.get("/json?delay=0.02")
            assert response.content == BODY
            done += 1

        await _fan_out(fan_out, fetch)
        assert done == fan_out
        _assert_pool_healthy(transport, fan_out)
        assert len(transport._idle) == fan_out


async def test_cancelling_mid_body_does_not_reuse_the_connection() -> None:
    async with serving() as server, client(server) as (http, transport):
        reached = server.expect_hanging(1)
        async with anyio.create_task_group() as tg:
            tg.start_soon(http.get, "/half-then-hang")
            await reached.wait()
            tg.cancel_scope.cancel()
        _assert_pool_healthy(transport, 8)
        assert not transport._idle
        assert (await http.get("/conn")).text == "2"
