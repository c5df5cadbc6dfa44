"""`AiohttpTransport`: httpx2's transport interface over an aiohttp connection pool.

Why: aiohttp parses HTTP in C, so under many concurrent small responses it spends less CPU
per request than httpx2's pure-Python pool (benchmarks/README.md has the numbers). It is the
opt-in `AsyncClient(http_backend="aiohttp")`, behind the `aiohttp` extra. aiohttp runs on
asyncio only: under trio (any other library) the same object hands every request to an
`httpx2.AsyncHTTPTransport` with the same settings.

It behaves like httpx2's own pool where the library can tell: the request's headers are sent
as they are (aiohttp adds none of its defaults), no redirects are followed, no cookies are
kept, no proxy or netrc is read from the environment, and the body's raw bytes and headers
come back untouched for httpx2 to decode any Content-Encoding. Bodies are read whole before
returning (our pages are small JSON). The request's connect, read and pool timeouts apply;
aiohttp has no write timeout. Failures come out as httpx2's exceptions, raised from aiohttp's,
so an `ssl.SSLCertVerificationError` stays in the `__cause__` chain.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import httpx2

from ._errors import ConfigurationError
from ._extras import install_hint

if TYPE_CHECKING:
    import aiohttp

__all__ = ["AiohttpTransport"]

#: Headers aiohttp would add to a request that lacks them; httpx2's pool adds none.
_NO_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")


def _on_asyncio() -> bool:
    try:
        import sniffio
    except ImportError:  # trio depends on sniffio, so without it only asyncio can be running
        return True
    return bool(sniffio.current_async_library() == "asyncio")


class AiohttpTransport(httpx2.AsyncBaseTransport):
    """One aiohttp `ClientSession` (made lazily, in the running loop) behind httpx2's interface.

    `max_connections` bounds the open connections; `verify` and `trust_env` build the TLS
    context as httpx2 does; idle connections close after `keepalive_expiry` seconds (None:
    never). The session belongs to the event loop that first used it.
    """

    def __init__(
        self,
        *,
        max_connections: int,
        verify: ssl.SSLContext | str | bool = True,
        trust_env: bool = True,
        keepalive_expiry: float | None = 5.0,
    ):
        try:
            import aiohttp  # noqa: F401  (fail here, not at the first request)
        except ImportError as exc:
            raise ConfigurationError(
                f"the aiohttp HTTP backend needs the `aiohttp` extra: {install_hint('aiohttp')}"
            ) from exc
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._ssl_context = httpx2.create_ssl_context(verify=verify, trust_env=trust_env)
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._fallback: httpx2.AsyncHTTPTransport | None = None
        self._timeouts: dict[tuple[float | None, float | None], aiohttp.ClientTimeout] = {}
        self._closed = False

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._closed:
            raise RuntimeError("this transport is closed; make a new one")
        if not _on_asyncio():
            return await self._httpx2_pool().handle_async_request(request)
        timeout: dict[str, float | None] = request.extensions.get("timeout", {})
        body = await request.aread()
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw]
        return await self._send(request.method, str(request.url), headers, body, timeout, request)

    async def get(
        self, url: str, headers: Mapping[str, str], timeouts: httpx2.Timeout
    ) -> httpx2.Response:
        """A GET of an encoded URL. On asyncio no `httpx2.Request` is built for it (httpx2
        parses and checks a URL character by character: ~80 µs a request); elsewhere it goes
        to httpx2's pool as a request, and may come back streaming."""
        if self._closed:
            raise RuntimeError("this transport is closed; make a new one")
        timeout = {"connect": timeouts.connect, "read": timeouts.read, "pool": timeouts.pool}
        if not _on_asyncio():
            request = httpx2.Request("GET", url, headers=headers, extensions={"timeout": timeout})
            return await self._httpx2_pool().handle_async_request(request)
        return await self._send("GET", url, headers, b"", timeout, None)

    async def _send(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | list[tuple[str, str]],
        body: bytes,
        timeouts: Mapping[str, float | None],
        request: httpx2.Request | None,
    ) -> httpx2.Response:
        """Send on a free connection, waiting for one within the pool timeout. `request` is
        what httpx2's errors and the response point back at (None on the direct path)."""
        session, slots = self._session_in_this_loop()
        if slots.locked():  # every connection is busy: wait, within the pool timeout
            try:
                async with asyncio.timeout(timeouts.get("pool")):
                    await slots.acquire()
            except TimeoutError as exc:
                raise httpx2.PoolTimeout("no free connection in time", request=request) from exc
        else:
            await slots.acquire()  # does not suspend while a slot is free
        try:
            return await self._send_now(session, method, url, headers, body, timeouts, request)
        finally:
            slots.release()

    async def _send_now(
        self,
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        headers: Mapping[str, str] | list[tuple[str, str]],
        body: bytes,
        timeouts: Mapping[str, float | None],
        request: httpx2.Request | None,
    ) -> httpx2.Response:
        import aiohttp
        import yarl

        try:
            response = await session.request(
                method,
                yarl.URL(url, encoded=True),
                headers=headers,
                data=body or None,
                allow_redirects=False,
                timeout=self._client_timeout(timeouts.get("connect"), timeouts.get("read")),
            )
            try:
                content = await response.read()  # read whole: the connection is free again
            except BaseException:
                response.close()  # cut short (an error, a cancellation): never reuse it
                raise
        except (aiohttp.ClientError, OSError) as exc:  # OSError: TimeoutError and ssl errors too
            raise _httpx2_error(exc, request) from exc
        raw = list(response.raw_headers)
        result = httpx2.Response(
            response.status,
            headers=raw,
            stream=httpx2.ByteStream(content),
            request=request,
            extensions={
                "http_version": _http_version(response.version),
                "reason_phrase": (response.reason or "").encode("latin-1"),
            },
        )
        if _CAN_MARK_READ and not any(name.lower() == b"content-encoding" for name, _ in raw):
            _mark_read(result, content)
        return result

    def _session_in_this_loop(self) -> tuple[aiohttp.ClientSession, asyncio.Semaphore]:
        loop = asyncio.get_running_loop()
        if self._session is None or self._slots is None:
            import aiohttp

            connector = aiohttp.TCPConnector(
                limit=self._max_connections,
                limit_per_host=0,
                ssl=self._ssl_context,
                keepalive_timeout=self._keepalive_expiry,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                cookie_jar=aiohttp.DummyCookieJar(),  # the httpx2 client keeps the cookies
                auto_decompress=False,  # httpx2.Response decodes Content-Encoding
                skip_auto_headers=_NO_AUTO_HEADERS,
                # No proxies or ~/.netrc from the environment, as with httpx2's transport (a
                # netrc entry would add an Authorization header, which the API rejects).
                trust_env=False,
                timeout=aiohttp.ClientTimeout(total=None),
            )
            self._slots = asyncio.Semaphore(self._max_connections)
            self._loop = loop
        elif loop is not self._loop:
            raise RuntimeError(
                "this transport's connections belong to another event loop; "
                "make one client per event loop"
            )
        return self._session, self._slots

    def _client_timeout(self, connect: float | None, read: float | None) -> aiohttp.ClientTimeout:
        timeout = self._timeouts.get((connect, read))
        if timeout is None:
            import aiohttp

            timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
            self._timeouts[(connect, read)] = timeout
        return timeout

    def _httpx2_pool(self) -> httpx2.AsyncHTTPTransport:
        """Trio keeps the httpx2 pool, with the same limits and TLS context."""
        if self._fallback is None:
            limits = httpx2.Limits(
                max_connections=self._max_connections,
                max_keepalive_connections=self._max_connections,
                keepalive_expiry=self._keepalive_expiry,
            )
            self._fallback = httpx2.AsyncHTTPTransport(verify=self._ssl_context, limits=limits)
        return self._fallback

    async def aclose(self) -> None:
        self._closed = True
        session, self._session = self._session, None
        fallback, self._fallback = self._fallback, None
        try:
            if session is not None and _on_asyncio():
                await session.close()
        finally:
            if fallback is not None:
                await fallback.aclose()


def _mark_read(response: httpx2.Response, content: bytes) -> None:
    """Leave `response` as `httpx2.Response(content=...)` does, minus its ~20 µs read pass.

    With nothing to decode the bytes are the content; reading them again through httpx2's
    stream layers (`aread()`, or the library's own `read_whole`) costs 20-50 µs a response.
    """
    response._content = content
    response.is_stream_consumed = True
    response.is_closed = True


def _read_state(response: httpx2.Response) -> tuple[Any, ...]:
    return (vars(response).get("_content"), response.is_stream_consumed, response.is_closed)


# Checked once against this httpx2: `_mark_read` must leave what `content=` leaves, or it is
# not used at all (the response is then read through its stream, as httpx2's own pool's is).
_CAN_MARK_READ = _read_state(httpx2.Response(200, content=b"{}")) == (b"{}", True, True)


def _http_version(version: aiohttp.HttpVersion | None) -> bytes:
    return b"HTTP/1.1" if version is None else b"HTTP/%d.%d" % (version.major, version.minor)


def _httpx2_error(exc: BaseException, request: httpx2.Request | None) -> httpx2.TransportError:
    """The httpx2 exception that httpx2's own pool raises for the same failure."""
    import aiohttp

    message = str(exc) or type(exc).__name__
    cls: type[httpx2.TransportError]
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        cls = httpx2.ConnectTimeout
    elif isinstance(exc, TimeoutError):  # SocketTimeoutError and any other
        cls = httpx2.ReadTimeout
    elif isinstance(exc, aiohttp.ClientConnectorError | aiohttp.ServerFingerprintMismatch):
        cls = httpx2.ConnectError  # refused, DNS, TLS handshake and certificate failures
    elif isinstance(exc, aiohttp.ServerDisconnectedError | aiohttp.ClientPayloadError):
        cls = httpx2.RemoteProtocolError  # closed before or while sending the response
    elif isinstance(exc, aiohttp.InvalidURL | aiohttp.NonHttpUrlClientError):
        cls = httpx2.UnsupportedProtocol
    elif isinstance(exc, aiohttp.ClientResponseError):
        cls = httpx2.RemoteProtocolError  # a malformed status line or headers
    else:  # resets and other socket errors once connected
        cls = httpx2.ReadError
    return cls(message, request=request)
