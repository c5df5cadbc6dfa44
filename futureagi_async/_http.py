"""Where a request meets the network: the pool this library builds, or a client lent to it.

A `Connection` sends one GET and returns the response with its body read. There are three:

- `OwnPool`: the library's own pool, an httpx2 transport (or the aiohttp one, see
  `_aiohttp`) sized to `max_concurrency`. Its public `handle_async_request` is called
  directly: a client of our own has no hooks, auth, cookies or redirects to run.
- `LentClient`: a user's `httpx2.AsyncClient` (its proxies, certificates and event hooks
  apply), or one we built because the environment names a proxy. Sent without its auth, so
  no `Authorization` header ever leaves (the API tries it as a JWT and rejects the call).
- `LegacyClient`: a user's `httpx.AsyncClient`, for code that has not moved to httpx2 yet;
  its requests, responses and errors are translated to httpx2's so the pipeline sees one kind.
"""

from __future__ import annotations

import os
import ssl
import sys
import urllib.request
from collections.abc import Mapping
from typing import Any, Literal, Protocol

import httpx2

from ._aiohttp import AiohttpTransport  # aiohttp itself is imported when it is used
from ._errors import ConfigurationError

__all__ = [
    "Connection",
    "HttpBackend",
    "LegacyClient",
    "LentClient",
    "OwnPool",
    "build_pool",
    "lend",
]

HttpBackend = Literal["httpx2", "aiohttp"]

VerifyTypes = ssl.SSLContext | str | bool


class Connection(Protocol):
    """How the pipeline sends: one GET, the body read, httpx2 errors only."""

    owned: bool

    @property
    def is_closed(self) -> bool: ...

    async def get(
        self, url: str, headers: Mapping[str, str], timeouts: httpx2.Timeout
    ) -> httpx2.Response: ...

    async def aclose(self) -> None: ...


async def read_whole(response: Any) -> httpx2.Response:
    """A streamed httpx2 (or legacy httpx) response as httpx2's, its body read, then decoded.

    The new response gets the raw header bytes, so headers that are not ASCII survive.

    Not `aread()`: it decodes as it reads, and a body that fails to decode (bad gzip) leaves
    the http library's inner stream generators open, which trio reports as ResourceWarnings.
    """
    try:
        if isinstance(response, httpx2.Response) and "content-encoding" not in response.headers:
            # Nothing to decode, so nothing can fail to: read it as it is, no second object.
            await response.aread()
            return response
        # The header bytes as they came: a value may hold any byte from 0x80 up, which
        # text headers would have to be encoded again to build the new response (and fail).
        headers: list[tuple[bytes, bytes]] = list(response.headers.raw)
        if response.is_stream_consumed:
            # Made with its content (a mock transport's): that is already decoded.
            raw = response.content
            headers = [(k, v) for k, v in headers if k.lower() != b"content-encoding"]
        else:
            raw = b"".join([chunk async for chunk in response.aiter_raw()])
    finally:
        await response.aclose()
    return httpx2.Response(response.status_code, headers=headers, content=raw)


class OwnPool:
    """The library's own pool: a transport we built and nobody else uses."""

    owned = True

    def __init__(self, transport: httpx2.AsyncBaseTransport):
        self.transport = transport
        self._closed = False
        # A transport that sends a GET from the URL string itself (`_aiohttp`'s), if it is one.
        self._direct = transport if isinstance(transport, AiohttpTransport) else None

    @property
    def is_closed(self) -> bool:
        return self._closed

    async def get(
        self, url: str, headers: Mapping[str, str], timeouts: httpx2.Timeout
    ) -> httpx2.Response:
        if self._direct is not None:  # the aiohttp pool takes the URL and headers as they are
            response = await self._direct.get(url, headers, timeouts)
            if response.is_stream_consumed:  # read, and with no Content-Encoding to decode
                return response
            return await read_whole(response)
        request = httpx2.Request(
            "GET", url, headers=headers, extensions={"timeout": timeouts.as_dict()}
        )
        return await read_whole(await self.transport.handle_async_request(request))

    async def aclose(self) -> None:
        self._closed = True
        await self.transport.aclose()


class LentClient:
    """An `httpx2.AsyncClient`: the user's (never closed by us), or ours behind a proxy."""

    def __init__(self, client: httpx2.AsyncClient, *, owned: bool = False):
        self.client = client
        self.owned = owned

    @property
    def is_closed(self) -> bool:
        return self.client.is_closed

    async def get(
        self, url: str, headers: Mapping[str, str], timeouts: httpx2.Timeout
    ) -> httpx2.Response:
        # Query apart from the URL, so it merges with the client's own params.
        parsed = httpx2.URL(url)
        request = self.client.build_request(
            "GET",
            parsed.copy_with(query=None),
            params=parsed.params,
            headers=headers,
            timeout=timeouts,
        )
        request.headers.pop("Authorization", None)
        response = await self.client.send(request, auth=None, follow_redirects=False, stream=True)
        return await read_whole(response)

    async def aclose(self) -> None:
        if self.owned:
            await self.client.aclose()


class LegacyClient:
    """A user's `httpx.AsyncClient` (httpx < 2), translated to httpx2 at the edges."""

    owned = False

    def __init__(self, client: Any):
        self.client = client

    @property
    def is_closed(self) -> bool:
        return bool(self.client.is_closed)

    async def get(
        self, url: str, headers: Mapping[str, str], timeouts: httpx2.Timeout
    ) -> httpx2.Response:
        httpx = sys.modules["httpx"]
        parsed = httpx2.URL(url)
        request = self.client.build_request(
            "GET",
            str(parsed.copy_with(query=None)),
            params=parsed.query.decode(),
            headers=headers,
            timeout=httpx.Timeout(**timeouts.as_dict()),
        )
        request.headers.pop("Authorization", None)
        try:
            response = await self.client.send(
                request, auth=None, follow_redirects=False, stream=True
            )
            return await read_whole(response)
        except httpx.HTTPError as exc:
            # The same names exist in httpx2; fall back to the nearest common base.
            fallback = (
                httpx2.TimeoutException
                if isinstance(exc, httpx.TimeoutException)
                else httpx2.TransportError
                if isinstance(exc, httpx.TransportError)
                else httpx2.DecodingError
            )
            translated = getattr(httpx2, type(exc).__name__, fallback)
            if not (isinstance(translated, type) and issubclass(translated, fallback)):
                translated = fallback
            raise translated(str(exc)) from exc.__cause__

    async def aclose(self) -> None:
        return None


def _environment_names_a_proxy() -> bool:
    """What httpx2 reads when `trust_env` is on (urllib's view of the environment)."""
    return any(scheme in ("http", "https", "all") for scheme in urllib.request.getproxies())


def _ssl_context(verify: VerifyTypes) -> ssl.SSLContext | bool:
    """`verify` as httpx2 takes it without a warning: a CA bundle's path becomes a context."""
    if isinstance(verify, ssl.SSLContext | bool):
        return verify
    if not isinstance(verify, str):
        raise ConfigurationError(
            "verify must be True, False, a CA bundle's path or an ssl.SSLContext, "
            f"got {type(verify).__qualname__}"
        )
    try:
        if os.path.isdir(verify):
            return ssl.create_default_context(capath=verify)
        return ssl.create_default_context(cafile=verify)
    except (OSError, ssl.SSLError) as exc:
        raise ConfigurationError(f"verify={verify!r} is not a readable CA bundle: {exc}") from None


def build_pool(
    *, max_connections: int, verify: VerifyTypes, timeout: httpx2.Timeout, backend: HttpBackend
) -> Connection:
    """The pool this library owns, sized so the client-wide bound decides, never the pool."""
    limits = httpx2.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    verify = _ssl_context(verify)
    if backend not in ("httpx2", "aiohttp"):
        raise ConfigurationError(f'http_backend must be "httpx2" or "aiohttp", got {backend!r}')
    if _environment_names_a_proxy():
        # httpx2 picks a proxy per URL (and honours NO_PROXY) inside its client, not its
        # transport: let the whole client send. The aiohttp pool speaks no proxy, so it
        # gives way here too.
        client = httpx2.AsyncClient(limits=limits, verify=verify, timeout=timeout)
        return LentClient(client, owned=True)
    if backend == "aiohttp":
        return OwnPool(AiohttpTransport(max_connections=max_connections, verify=verify))
    return OwnPool(httpx2.AsyncHTTPTransport(limits=limits, verify=verify))


def lend(http_client: object) -> Connection:
    """Wrap a user's http client, or say what is accepted."""
    if isinstance(http_client, httpx2.AsyncClient):
        return LentClient(http_client)
    httpx = sys.modules.get("httpx")
    if httpx is not None and isinstance(http_client, httpx.AsyncClient):
        return LegacyClient(http_client)
    raise ConfigurationError(
        "http_client must be an httpx2.AsyncClient (or a legacy httpx.AsyncClient), "
        f"got {type(http_client).__module__}.{type(http_client).__qualname__}"
    )
