"""A tiny HTTP/1.1 server on 127.0.0.1 that breaks the wire on purpose.

It runs in the test's own event loop through anyio, so on asyncio and trio alike, plain or
over TLS. Each request is answered by an `Answer`: `fake_answer` writes the fake API's
response (keep-alive), the others break the connection in one particular way. The server
counts what tests assert on: TCP connections accepted, TLS handshakes that failed, and the
requests it read, headers included.
"""

from __future__ import annotations

import socket
import ssl
import struct
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio
import attrs
import pytest
from anyio.abc import ByteStream, SocketAttribute, SocketStream
from anyio.streams.tls import TLSStream

from futureagi_async._errors import APIConnectionError, FutureAGIError, ResponseDecodeError
from futureagi_async.testing import FakeAPI

__all__ = [
    "FAULTS",
    "Answer",
    "Exchange",
    "LoopbackServer",
    "Received",
    "answer_with",
    "assert_no_http_objects",
    "clear_proxy_environment",
    "fake_answer",
    "ok_json",
    "reset",
    "response_head",
    "serve",
    "serve_fake",
]

_GONE = (
    anyio.EndOfStream,
    anyio.BrokenResourceError,
    anyio.ClosedResourceError,
    ssl.SSLError,
    OSError,
)


@attrs.frozen
class Received:
    """One request as the server read it; header names in lower case."""

    method: str
    target: str
    headers: dict[str, str]


@attrs.frozen
class Exchange:
    """A request, and the connection to answer it on (`tcp` is the socket under any TLS)."""

    request: Received
    stream: ByteStream
    tcp: SocketStream


# Answers one request; True keeps the connection open for the next one.
Answer = Callable[[Exchange], Awaitable[bool]]


def response_head(status: int, headers: list[tuple[str, str]]) -> bytes:
    lines = [f"HTTP/1.1 {status} Whatever"] + [f"{name}: {value}" for name, value in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def answer_with(raw: bytes, *, keep_alive: bool = False) -> Answer:
    """Write `raw` bytes as the whole answer, then keep or drop the connection."""

    async def answer(exchange: Exchange) -> bool:
        await exchange.stream.send(raw)
        return keep_alive

    return answer


async def reset(exchange: Exchange) -> None:
    """Abort the connection with a TCP RST (SO_LINGER 0), not a polite FIN."""
    raw = exchange.tcp.extra(SocketAttribute.raw_socket)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    await exchange.tcp.aclose()


@asynccontextmanager
async def fake_answer(fake: FakeAPI, *, keep_alive: bool = True) -> AsyncIterator[Answer]:
    """Answers rendered by the fake in-process, written keep-alive (no `Connection: close`
    even when `keep_alive=False` drops the connection: that is the point of it)."""
    async with fake.http_client(headers={}) as http:

        async def answer(exchange: Exchange) -> bool:
            request = exchange.request
            response = await http.get(request.target, headers=request.headers)
            headers = [
                (name, value)
                for name, value in response.headers.items()
                if name not in ("content-length", "transfer-encoding", "connection")
            ]
            headers.append(("content-length", str(len(response.content))))
            await exchange.stream.send(response_head(response.status_code, headers))
            await exchange.stream.send(response.content)
            return keep_alive

        yield answer


class LoopbackServer:
    def __init__(self, answer: Answer, tls: ssl.SSLContext | None):
        self.answer = answer
        self.tls = tls
        self.port = 0
        self.connections = 0
        self.failed_handshakes = 0
        self.requests: list[Received] = []
        self._open = 0
        self._idle: set[SocketStream] = set()
        self._changed = anyio.Event()

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    async def close_idle(self) -> int:
        """Close every kept-alive connection, as a server does once they sit idle too long.

        Waits (on events, not time) until every open connection is between requests first,
        so none is missed. Returns how many it closed.
        """
        while True:
            changed = self._changed
            if len(self._idle) >= self._open:
                break
            await changed.wait()
        idle, self._idle = self._idle, set()
        for tcp in idle:
            await tcp.aclose()
        return len(idle)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = anyio.Event()

    async def handle(self, tcp: SocketStream) -> None:
        self.connections += 1
        self._open += 1
        try:
            async with tcp:
                await self._converse(tcp)
        finally:
            self._open -= 1
            self._idle.discard(tcp)
            self._notify()

    async def _converse(self, tcp: SocketStream) -> None:
        stream: ByteStream = tcp
        if self.tls is not None:
            try:
                stream = await TLSStream.wrap(
                    tcp, server_side=True, ssl_context=self.tls, standard_compatible=False
                )
            except _GONE:
                self.failed_handshakes += 1
                return
        buffer = b""
        while True:
            self._idle.add(tcp)
            self._notify()
            try:
                while b"\r\n\r\n" not in buffer:
                    buffer += await stream.receive()
                    if not buffer[:1].isalpha():  # a TLS hello, say: not HTTP
                        await stream.send(response_head(400, [("connection", "close")]))
                        return
            except _GONE:
                return
            finally:
                self._idle.discard(tcp)
            head, _, buffer = buffer.partition(b"\r\n\r\n")
            request = _parse(head)
            self.requests.append(request)
            try:
                if not await self.answer(Exchange(request, stream, tcp)):
                    return
            except _GONE:
                return


def _parse(head: bytes) -> Received:
    first, *lines = head.decode("latin-1").split("\r\n")
    method, target, _ = first.split(" ", 2)
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Received(method, target, headers)


@asynccontextmanager
async def serve(
    answer: Answer, *, tls: ssl.SSLContext | None = None
) -> AsyncIterator[LoopbackServer]:
    """Serve on a free loopback port for the length of the block."""
    server = LoopbackServer(answer, tls)
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1")
    async with listener, anyio.create_task_group() as tg:
        server.port = listener.extra(SocketAttribute.local_port)
        tg.start_soon(listener.serve, server.handle)
        try:
            yield server
        finally:
            tg.cancel_scope.cancel()


def ok_json(body: bytes, *, keep_alive: bool = True) -> Answer:
    """A 200 with a JSON body."""
    head = response_head(
        200, [("content-type", "application/json"), ("content-length", str(len(body)))]
    )
    return answer_with(head + body, keep_alive=keep_alive)


@asynccontextmanager
async def serve_fake(
    fake: FakeAPI, *, tls: ssl.SSLContext | None = None, keep_alive: bool = True
) -> AsyncIterator[LoopbackServer]:
    """The fake's answers on this server's wire."""
    async with fake_answer(fake, keep_alive=keep_alive) as answer, serve(answer, tls=tls) as server:
        yield server


BODY = b'{"id": "x"}'


async def _reset_mid_body(exchange: Exchange) -> bool:
    head = response_head(200, [("content-length", "1000")])
    await exchange.stream.send(head + BODY)
    await reset(exchange)
    return False


async def _reset_before_answering(exchange: Exchange) -> bool:
    await reset(exchange)
    return False


async def _close_before_answering(exchange: Exchange) -> bool:
    return False


async def _over_large_head(exchange: Exchange) -> bool:
    # h11 (httpx2's parser) refuses a head over 100 KiB; this one never ends.
    await exchange.stream.send(b"HTTP/1.1 200 OK\r\nx-big: ")
    for _ in range(64):
        await exchange.stream.send(b"a" * 4096)
    return False


TRUNCATED_CHUNKED = (
    response_head(200, [("transfer-encoding", "chunked"), ("content-type", "application/json")])
    + b'5\r\n{"id"\r\n'
)
NOT_GZIP = response_head(200, [("content-encoding", "gzip"), ("content-length", "8")]) + b"not gzip"

# Each way to break an answer, and the library error it must become.
FAULTS: dict[str, tuple[Answer, type[FutureAGIError]]] = {
    "reset mid-body": (_reset_mid_body, APIConnectionError),
    "reset before answering": (_reset_before_answering, APIConnectionError),
    "closed before answering": (_close_before_answering, APIConnectionError),
    "garbage status line": (answer_with(b"HTTP/1.1 banana\r\n\r\n"), APIConnectionError),
    "not http at all": (answer_with(b"\x00\x01\x02 hello\r\n\r\n"), APIConnectionError),
    "truncated chunked body": (answer_with(TRUNCATED_CHUNKED), APIConnectionError),
    "short content-length body": (
        answer_with(response_head(200, [("content-length", "100")]) + BODY),
        APIConnectionError,
    ),
    "over-large head": (_over_large_head, APIConnectionError),
    "bad gzip": (answer_with(NOT_GZIP), ResponseDecodeError),
    "not json": (ok_json(b"<html>oops</html>", keep_alive=False), ResponseDecodeError),
}


def assert_no_http_objects(error: BaseException) -> None:
    """No httpx2/httpcore2/h11 exception, nor a request, anywhere in the chain."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        assert not type(current).__module__.startswith(("httpx", "httpcore", "h11")), current
        current = current.__cause__ or current.__context__


def clear_proxy_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests set the proxy variables they want; none leaks in from the machine."""
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
