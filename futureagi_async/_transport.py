"""The default transport: a small HTTP/1.1 keep-alive pool on anyio streams.

Users see and pass an `httpx.AsyncClient`; this module decides what sits under it.

Why not httpx's own transport: httpcore 1.0.9's pool re-scans every connection against every
queued request on each request and each release, so its cost grows with the square of the
concurrency, and it is known to leak pool slots on cancellation (encode/httpcore 1093, 830,
785). Measured by `python -m benchmarks --rounds 3` (benchmarks/README.md; 1,000 pages of
26 KB, 50 ms latency, C=64; medians, ratios within a round, 2 shared cores):

    client (all but aiohttp are httpx-shaped)   wall/ideal  wall vs aiohttp  CPU vs aiohttp
    aiohttp, raw, json.loads                    1.09        1.00             1.00 (262 us)
    httpx on this transport, asyncio            1.10        1.02             1.44
    httpx on this transport, trio               1.10        1.01             1.54
    httpx on httpx-aiohttp                      1.22        1.12             1.89
    httpx2                                      1.19        1.10             2.92
    httpx default (httpcore 1.0.9)              10.84       9.94             31.2

This pool is the cheapest of the httpx-shaped options, needs no dependency beyond anyio
(httpx-aiohttp would add aiohttp and could not run on trio), and is one code path for both
backends, so it is the default everywhere.

Why this design is cheap: a checkout is a semaphore acquire plus a list pop, a release is a
list append plus a synchronous semaphore release; nothing scans. Parsing is a few `bytes`
operations per response, because the API speaks plain HTTP/1.1 with small headers.

Why it is cancel-safe: the semaphore slot and the connection travel together. Every path
that ends a request early (an exception, a cancellation, a response closed before its body
was read) closes that connection under a shielded scope and releases the slot synchronously,
so a cancelled fan-out can neither leak a slot nor return a half-read connection to the pool.

Scope, deliberately: HTTP/1.1 only, no proxies (the pool refuses nothing, it simply connects
to the request's origin), at most `max_connections` sockets across all origins.
"""

from __future__ import annotations

import re
import select
import ssl
import sys
from collections.abc import AsyncIterator

import anyio
import anyio.abc
import httpx

__all__ = ["AnyioTransport", "create_transport"]

_MAX_HEAD = 64 * 1024
_RECEIVE_SIZE = 64 * 1024
# Only requests whose replay is harmless are retried when a reused connection turns out to
# have been closed by the server between our readiness check and our write.
_IDEMPOTENT = frozenset({b"GET", b"HEAD", b"OPTIONS"})
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")


def create_transport(
    *,
    max_connections: int,
    keepalive_expiry: float = 5.0,
    verify: ssl.SSLContext | str | bool = True,
) -> httpx.AsyncBaseTransport:
    """The library's default transport; safe to create outside an event loop."""
    return AnyioTransport(
        max_connections=max_connections, keepalive_expiry=keepalive_expiry, verify=verify
    )


class _StaleConnection(Exception):
    """A reused connection died before the response started; the request may be replayed."""


class _Connection:
    __slots__ = ("buffer", "idle_since", "origin", "reused", "socket", "stream")

    def __init__(self, stream: anyio.abc.ByteStream, origin: tuple[bytes, bytes, int]) -> None:
        self.stream = stream
        # Looked up once: anyio builds its whole attribute map on every `extra()` call.
        self.socket = stream.extra(anyio.abc.SocketAttribute.raw_socket, None)
        self.origin = origin
        self.buffer = bytearray()
        self.idle_since = 0.0
        self.reused = False

    def looks_dead(self) -> bool:
        # A pooled connection must have nothing to read: readable means the server closed
        # it (EOF) or sent bytes we never asked for. Either way it must not be reused.
        if self.buffer:
            return True
        sock = self.socket
        if sock is None:
            return False
        try:
            if sys.platform != "win32":
                poller = select.poll()
                poller.register(sock, select.POLLIN)
                return bool(poller.poll(0))
            return bool(select.select([sock], [], [], 0)[0])
        except (OSError, ValueError):
            return True

    async def receive(self, time_limit: float | None, request: httpx.Request) -> bytes:
        try:
            with anyio.fail_after(time_limit):
                return await self.stream.receive(_RECEIVE_SIZE)
        except TimeoutError as exc:
            raise httpx.ReadTimeout("read timed out", request=request) from exc
        except anyio.EndOfStream:
            return b""
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError) as exc:
            raise httpx.ReadError(str(exc) or type(exc).__name__, request=request) from exc

    async def send(self, data: bytes, time_limit: float | None, request: httpx.Request) -> None:
        try:
            with anyio.fail_after(time_limit):
                await self.stream.send(data)
        except TimeoutError as exc:
            raise httpx.WriteTimeout("write timed out", request=request) from exc
        except (anyio.BrokenResourceError, anyio.ClosedResourceError, OSError) as exc:
            if self.reused:
                raise _StaleConnection from exc
            raise httpx.WriteError(str(exc) or type(exc).__name__, request=request) from exc

    async def aclose(self) -> None:
        # Shielded so that a cancelled caller still closes the socket; forcefully so that
        # closing never waits on the peer (no TLS close_notify round trip).
        with anyio.CancelScope(shield=True):
            await anyio.aclose_forcefully(self.stream)


class AnyioTransport(httpx.AsyncBaseTransport):
    """HTTP/1.1 keep-alive pool; runs on whatever anyio backend is running."""

    def __init__(
        self,
        *,
        max_connections: int,
        keepalive_expiry: float = 5.0,
        verify: ssl.SSLContext | str | bool = True,
    ) -> None:
        if max_connections < 1:
            raise ValueError("max_connections must be at least 1")
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._verify = verify
        self._ssl_context: ssl.SSLContext | None = None
        # Created on first use: anyio primitives belong to the running event loop, and the
        # transport is built in AsyncClient.__init__, outside of one.
        self._slots: anyio.Semaphore | None = None
        self._idle: list[_Connection] = []
        self._active: set[_Connection] = set()
        self._closed = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self._closed:
            raise RuntimeError("the transport is closed")
        timeouts = request.extensions.get("timeout", {})
        if self._slots is None:
            self._slots = anyio.Semaphore(self._max_connections, fast_acquire=True)
        slots = self._slots
        try:
            # A free slot needs no deadline: arming one costs a timer on every request.
            slots.acquire_nowait()
        except anyio.WouldBlock:
            try:
                with anyio.fail_after(timeouts.get("pool")):
                    await slots.acquire()
            except TimeoutError as exc:
                raise httpx.PoolTimeout("no connection free in the pool", request=request) from exc

        conn: _Connection | None = None
        try:
            head = _request_head(request)
            body_iter = request.stream
            replayable = request.method.encode() in _IDEMPOTENT and isinstance(
                body_iter, httpx.ByteStream
            )
            while True:
                conn = await self._checkout(request, timeouts)
                try:
                    await self._send_request(conn, request, head, timeouts.get("write"))
                    status, reason, headers, http10 = await _receive_head(
                        conn, timeouts.get("read"), request
                    )
                    break
                except _StaleConnection:
                    await self._discard(conn)
                    conn = None
                    if not replayable:
                        raise httpx.RemoteProtocolError(
                            "server closed the connection before responding", request=request
                        ) from None
            stream = _ResponseStream(
                self, conn, request, request.method == "HEAD", status, headers, http10, timeouts
            )
        except BaseException:
            if conn is not None:
                await self._discard(conn)
            slots.release()
            raise
        return httpx.Response(
            status,
            headers=headers,
            stream=stream,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason},
        )

    async def _checkout(self, request: httpx.Request, timeouts: dict[str, float]) -> _Connection:
        url = request.url
        origin = (url.raw_scheme, url.raw_host, url.port or (443 if url.scheme == "https" else 80))
        now = anyio.current_time()
        # Most recently used first: it is the least likely to have been closed by the server.
        for i in range(len(self._idle) - 1, -1, -1):
            conn = self._idle[i]
            if conn.origin != origin:
                continue
            del self._idle[i]
            if now - conn.idle_since > self._keepalive_expiry or conn.looks_dead():
                await conn.aclose()
                continue
            conn.reused = True
            self._active.add(conn)
            return conn
        if len(self._active) + len(self._idle) >= self._max_connections and self._idle:
            # Every slot is ours to use, but a socket to another origin is parked on it.
            await self._idle.pop(0).aclose()
        conn = _Connection(await self._connect(request, origin, timeouts.get("connect")), origin)
        self._active.add(conn)
        return conn

    async def _connect(
        self, request: httpx.Request, origin: tuple[bytes, bytes, int], time_limit: float | None
    ) -> anyio.abc.ByteStream:
        scheme, host, port = origin
        hostname = host.decode("ascii")
        try:
            with anyio.fail_after(time_limit):
                if scheme == b"https":
                    return await anyio.connect_tcp(
                        hostname,
                        port,
                        ssl_context=self._get_ssl_context(),
                        tls_standard_compatible=False,
                    )
                return await anyio.connect_tcp(hostname, port)
        except TimeoutError as exc:
            raise httpx.ConnectTimeout("connect timed out", request=request) from exc
        except (OSError, ssl.SSLError, anyio.BrokenResourceError) as exc:
            raise httpx.ConnectError(str(exc) or type(exc).__name__, request=request) from exc

    def _get_ssl_context(self) -> ssl.SSLContext:
        if self._ssl_context is None:
            if isinstance(self._verify, ssl.SSLContext):
                self._ssl_context = self._verify
            else:
                self._ssl_context = httpx.create_ssl_context(verify=self._verify)
                self._ssl_context.set_alpn_protocols(["http/1.1"])
        return self._ssl_context

    async def _send_request(
        self, conn: _Connection, request: httpx.Request, head: bytes, time_limit: float | None
    ) -> None:
        stream = request.stream
        if isinstance(stream, httpx.ByteStream):
            # One write for the common case: head and a small fixed body together.
            await conn.send(head + b"".join(stream), time_limit, request)
            return
        chunked = "chunked" in request.headers.get("transfer-encoding", "").lower()
        await conn.send(head, time_limit, request)
        assert isinstance(stream, httpx.AsyncByteStream)
        async for part in stream:
            if part:
                data = b"%x\r\n%b\r\n" % (len(part), part) if chunked else part
                await conn.send(data, time_limit, request)
        if chunked:
            await conn.send(b"0\r\n\r\n", time_limit, request)

    def _release(self, conn: _Connection, *, reusable: bool) -> bool:
        """Give the slot back, synchronously so that a cancelled caller cannot skip it.

        Keeps `conn` for reuse if it can be; returns True if the caller must close it.
        """
        self._active.discard(conn)
        assert self._slots is not None
        self._slots.release()
        if reusable and not self._closed and not conn.buffer:
            conn.idle_since = anyio.current_time()
            self._idle.append(conn)
            return False
        return True

    async def _discard(self, conn: _Connection) -> None:
        self._active.discard(conn)
        await conn.aclose()

    async def aclose(self) -> None:
        self._closed = True
        conns = [*self._idle, *self._active]
        self._idle.clear()
        self._active.clear()
        for conn in conns:
            await conn.aclose()


def _request_head(request: httpx.Request) -> bytes:
    url = request.url
    target = url.raw_path
    lines = [request.method.encode("ascii"), b" ", target, b" HTTP/1.1\r\n"]
    for name, value in request.headers.raw:
        if b"\r" in value or b"\n" in value or b"\r" in name or b"\n" in name or b":" in name:
            raise httpx.LocalProtocolError(f"invalid header {name!r}", request=request)
        lines += (name, b": ", value, b"\r\n")
    lines.append(b"\r\n")
    return b"".join(lines)


async def _receive_head(
    conn: _Connection, time_limit: float | None, request: httpx.Request
) -> tuple[int, bytes, list[tuple[bytes, bytes]], bool]:
    """Read one final response head; skip interim (1xx) ones."""
    buf = conn.buffer
    first_read = True
    while True:
        start = 0
        while (end := buf.find(b"\r\n\r\n", start)) < 0:
            if len(buf) > _MAX_HEAD:
                raise httpx.RemoteProtocolError("response head too large", request=request)
            start = max(0, len(buf) - 3)
            try:
                data = await conn.receive(time_limit, request)
            except httpx.ReadError:
                if first_read and conn.reused:
                    raise _StaleConnection from None
                raise
            if not data:
                if first_read and conn.reused:
                    raise _StaleConnection
                raise httpx.RemoteProtocolError(
                    "server disconnected without sending a complete response", request=request
                )
            first_read = False
            buf += data
        lines = bytes(buf[:end]).split(b"\r\n")
        del buf[: end + 4]
        version, _, rest = lines[0].partition(b" ")
        code, _, reason = rest.partition(b" ")
        if not version.startswith(b"HTTP/1.") or len(code) != 3 or not code.isdigit():
            raise httpx.RemoteProtocolError(f"bad status line {lines[0]!r}", request=request)
        headers = []
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not name or name[-1:] in b" \t" or line[:1] in b" \t":
                raise httpx.RemoteProtocolError(f"bad header line {line!r}", request=request)
            headers.append((name, value.strip(b" \t")))
        status = int(code)
        if 100 <= status < 200 and status != 101:
            continue
        return status, reason, headers, version == b"HTTP/1.0"


class _ResponseStream(httpx.AsyncByteStream):
    """The body of one response, framed per RFC 9112 section 6.3."""

    def __init__(
        self,
        transport: AnyioTransport,
        conn: _Connection,
        request: httpx.Request,
        head_request: bool,
        status: int,
        headers: list[tuple[bytes, bytes]],
        http10: bool,
        timeouts: dict[str, float],
    ) -> None:
        self._transport = transport
        self._conn: _Connection | None = conn
        self._request = request
        self._timeout = timeouts.get("read")
        self._chunked = False
        keep_alive = not http10
        transfer_coded = False
        lengths: set[bytes] = set()
        for name, value in headers:
            lname = name.lower()
            if lname == b"content-length":
                lengths.update(v.strip() for v in value.split(b","))
            elif lname == b"transfer-encoding":
                transfer_coded = True
                self._chunked = value.lower().rsplit(b",", 1)[-1].strip() == b"chunked"
            elif lname == b"connection":
                keep_alive = keep_alive and b"close" not in value.lower()
        self._length: int | None = None
        if head_request or status in (204, 304):
            self._length = 0
        elif transfer_coded:
            # A length next to a transfer coding is ignored (RFC 9112 6.3), and such a
            # message is a smuggling smell, so the connection is not reused after it.
            keep_alive = keep_alive and not lengths
        elif lengths:
            if len(lengths) != 1 or not (length := lengths.pop()).isdigit():
                raise httpx.RemoteProtocolError("bad Content-Length", request=request)
            self._length = int(length)
        # Without a length or chunking the body runs to EOF and the connection is spent.
        self._keep_alive = keep_alive and (self._chunked or self._length is not None)

    async def _finish(self, conn: _Connection) -> None:
        self._conn = None
        if self._transport._release(conn, reusable=self._keep_alive):
            await conn.aclose()

    async def _fill(self, conn: _Connection, what: str) -> None:
        data = await conn.receive(self._timeout, self._request)
        if not data:
            raise httpx.RemoteProtocolError(
                f"peer closed connection without sending complete message body ({what})",
                request=self._request,
            )
        conn.buffer += data

    async def __aiter__(self) -> AsyncIterator[bytes]:
        conn = self._conn
        if conn is None:
            return
        buf = conn.buffer
        if self._chunked:
            async for part in self._iter_chunked(conn, buf):
                yield part
            await self._finish(conn)
        elif self._length is not None:
            remaining = self._length
            while remaining:
                if not buf:
                    await self._fill(conn, f"{remaining} bytes missing")
                part = bytes(buf[:remaining])
                del buf[:remaining]
                remaining -= len(part)
                if not remaining:
                    # Hand the connection back before the last yield: the consumer may stop
                    # iterating as soon as it has the whole body.
                    await self._finish(conn)
                yield part
            if self._conn is not None:
                await self._finish(conn)
        else:
            if buf:
                yield bytes(buf)
                buf.clear()
            while data := await conn.receive(self._timeout, self._request):
                yield data
            await self._finish(conn)

    async def _iter_chunked(self, conn: _Connection, buf: bytearray) -> AsyncIterator[bytes]:
        while True:
            while (eol := buf.find(b"\r\n")) < 0:
                if len(buf) > _MAX_HEAD:
                    raise httpx.RemoteProtocolError("bad chunk size line", request=self._request)
                await self._fill(conn, "chunk size")
            size_field = bytes(buf[:eol]).split(b";", 1)[0].strip()
            if not _CHUNK_SIZE.fullmatch(size_field):
                raise httpx.RemoteProtocolError("bad chunk size line", request=self._request)
            remaining = int(size_field, 16)
            del buf[: eol + 2]
            if remaining == 0:
                # Trailers are allowed and ignored; the body ends at the empty line.
                while True:
                    while (eol := buf.find(b"\r\n")) < 0:
                        await self._fill(conn, "trailers")
                    del buf[: eol + 2]
                    if eol == 0:
                        return
            while remaining:
                if not buf:
                    await self._fill(conn, "chunk data")
                part = bytes(buf[:remaining])
                del buf[:remaining]
                remaining -= len(part)
                yield part
            while len(buf) < 2:
                await self._fill(conn, "chunk end")
            if buf[:2] != b"\r\n":
                raise httpx.RemoteProtocolError("bad chunk terminator", request=self._request)
            del buf[:2]

    async def aclose(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            # Closed before the body ended: the connection is mid-message, never reuse it.
            self._transport._release(conn, reusable=False)
            await conn.aclose()
