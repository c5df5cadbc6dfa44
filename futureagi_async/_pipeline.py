"""One request, end to end: build it, bound it, send it, retry it, decode it, raise typed errors.

This is the only module that talks to httpx. Everything above it deals in paths, query
parameters and decoded JSON; everything below it is the transport.
"""

from __future__ import annotations

import logging
import platform
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import anyio
import attrs
import httpx2

from ._config import ClientConfig
from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    FutureAGIError,
    RateLimitError,
    ResponseDecodeError,
    error_from_response,
    snippet,
)
from ._json import loads
from ._retry import RETRYABLE_STATUSES
from ._version import __version__

__all__ = ["ClientClosedError", "Pipeline", "SharedResources"]

logger = logging.getLogger("futureagi_async")
_httpx_logger = logging.getLogger("httpx")

USER_AGENT = (
    f"futureagi-async/{__version__} httpx/{httpx2.__version__} python/{platform.python_version()}"
)


class ClientClosedError(FutureAGIError, RuntimeError):
    """The client was closed; make a new one."""


class _Retry(Exception):  # a signal, not an error the caller ever sees
    """An attempt failed in a way that may pass; carries what to raise if it does not."""

    def __init__(self, error: APIError, retry_after: float | None = None):
        self.error = error
        self.retry_after = retry_after


@attrs.define
class SharedResources:
    """What every copy of a client (see `AsyncClient.with_options`) shares: pool and bound."""

    http: httpx2.AsyncClient
    limiter: anyio.CapacityLimiter
    closed: bool = False
    #: `http`'s transport, set only when this library built `http` itself: it then has no
    #: event hooks, auth or mounts, so a request may skip `httpx2.AsyncClient.send`'s layers.
    direct: httpx2.AsyncBaseTransport | None = None


@attrs.frozen
class Pipeline:
    config: ClientConfig
    shared: SharedResources
    _headers: dict[str, str] = attrs.field(init=False)
    # Per-request work done once: the base URL as text (it ends in "/"), the timeout as the
    # request extension httpx would build from it, and [the http client's headers, those
    # merged with ours] (recomputed if someone changes the http client's headers).
    _prefix: str = attrs.field(init=False)
    _timeout: dict[str, float | None] = attrs.field(init=False)
    _merged: list[Any] = attrs.field(init=False, factory=lambda: [None, None])

    @_prefix.default
    def _build_prefix(self) -> str:
        return str(self.config.base_url)

    @_timeout.default
    def _build_timeout(self) -> dict[str, float | None]:
        return httpx2.Timeout(self.config.timeout).as_dict()

    @_headers.default
    def _build_headers(self) -> dict[str, str]:
        # Never an Authorization header: the API tries it as a JWT first and rejects the call.
        headers = {
            "X-Api-Key": self.config.api_key,
            "X-Secret-Key": self.config.secret_key,
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
        }
        if self.config.workspace_id:
            headers["X-Workspace-Id"] = self.config.workspace_id
        return headers

    async def get(self, path: str, params: Mapping[str, str], *, wrapped: bool = False) -> Any:
        """GET `path` (relative to the base URL) and return its decoded JSON body.

        `wrapped` unwraps the SDK endpoint's `{"status": true, "result": ...}`.
        """
        http = self.shared.http
        if self.shared.closed or http.is_closed:
            raise ClientClosedError("this client (or its http_client) is closed; make a new one")
        request = self._build_request(http, path, params)
        policy = self.config.retry
        retry = 0
        try:
            with anyio.fail_after(policy.budget) as scope:
                while True:
                    try:
                        body = await self._attempt(request)
                    except _Retry as signal:
                        retry += 1
                        wait = policy.wait_before(
                            retry,
                            retry_after=signal.retry_after,
                            remaining=scope.deadline - anyio.current_time(),
                        )
                        if wait is None:
                            raise signal.error from signal.__cause__
                        logger.info(
                            "retry %d of GET %s in %.2fs after: %s",
                            retry,
                            request.url.path,
                            wait,
                            signal.error,
                        )
                        await anyio.sleep(wait)
                        continue
                    return _unwrap(body, request) if wrapped else body
        except TimeoutError:
            raise APITimeoutError(
                f"no answer within the call's budget of {policy.budget:g}s ({retry} retries)",
                method="GET",
                url=_safe_url(request),
            ) from None

    def _build_request(
        self, http: httpx2.AsyncClient, path: str, params: Mapping[str, str]
    ) -> httpx2.Request:
        """What `http.build_request` gives, with the URL parsed once instead of three times."""
        if http.params or http.cookies or path[:1] == "/" or "." in path or ":" in path:
            # Rare: let httpx merge the client's own params and cookies, or resolve the path.
            request = http.build_request(
                "GET",
                self.config.base_url.join(path),
                params=params,
                headers=self._headers,
                timeout=self.config.timeout,
            )
            # A shared httpx client may carry a default Authorization header; the API would
            # try it as a JWT and reject the call, so it never leaves here.
            request.headers.pop("Authorization", None)
            return request
        # Our paths are fixed segments and canonical UUIDs, and the base URL ends in "/", so
        # joining is appending; params are encoded exactly as httpx's QueryParams encodes them.
        url = self._prefix + path
        if params:
            url += "?" + urlencode(params)
        return httpx2.Request(
            "GET", url, headers=self._request_headers(http), extensions={"timeout": self._timeout}
        )

    def _request_headers(self, http: httpx2.AsyncClient) -> httpx2.Headers:
        """The http client's headers with ours over them, without Authorization (see above)."""
        raw = http.headers.raw
        cached = self._merged
        if cached[0] != raw:
            merged = httpx2.Headers(http.headers)
            merged.update(self._headers)
            merged.pop("Authorization", None)
            cached[:] = [raw, merged]
        headers: httpx2.Headers = cached[1]
        return headers

    async def _send(self, request: httpx2.Request) -> httpx2.Response:
        direct = self.shared.direct
        if direct is None:
            # auth=None: a shared httpx client's own auth must not add an Authorization header.
            return await self.shared.http.send(request, auth=None, follow_redirects=False)
        # Our own http client: what its `send` does for a GET without redirects, minus the
        # layers it does not use (auth flow, redirect loop, event hooks, elapsed time).
        response = await direct.handle_async_request(request)
        response.request = request
        try:
            await response.aread()
        finally:
            await response.aclose()
        if "set-cookie" in response.headers:
            self.shared.http.cookies.extract_cookies(response)
        if _httpx_logger.isEnabledFor(logging.INFO):
            _httpx_logger.info(
                'HTTP Request: %s %s "%s %d %s"',
                request.method,
                request.url,
                response.http_version,
                response.status_code,
                response.reason_phrase,
            )
        return response

    async def _attempt(self, request: httpx2.Request) -> Any:
        async with self.shared.limiter:
            try:
                response = await self._send(request)
            except httpx2.TimeoutException as exc:
                raise _Retry(_connection_error(APITimeoutError, exc, request)) from exc
            except httpx2.TransportError as exc:
                raise _Retry(_connection_error(APIConnectionError, exc, request)) from exc
            except httpx2.DecodingError as exc:
                raise ResponseDecodeError(
                    f"could not decode the response's content encoding: {exc}",
                    method="GET",
                    url=_safe_url(request),
                ) from exc
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug("GET %s -> %d", request.url.path, response.status_code)
        return _decode(response, request)


def _safe_url(request: httpx2.Request) -> str:
    # Credentials travel in headers only, so the URL is safe to show.
    return str(request.url)


def _connection_error(
    cls: type[APIConnectionError], exc: httpx2.HTTPError, request: httpx2.Request
) -> APIConnectionError:
    reason = str(exc) or type(exc).__name__
    return cls(reason, method="GET", url=_safe_url(request))


def _decode(response: httpx2.Response, request: httpx2.Request) -> Any:
    status = response.status_code
    raw = response.content
    if 200 <= status < 300:
        try:
            return loads(raw)
        except ValueError:
            # A 2xx body that is not JSON is almost always one cut short in transit.
            raise _Retry(
                ResponseDecodeError(
                    f"the {status} response is not valid JSON "
                    f"({len(raw)} bytes): {snippet(raw) or '<empty>'}",
                    body=snippet(raw),
                    method="GET",
                    url=_safe_url(request),
                )
            ) from None
    if 300 <= status < 400:
        raise APIStatusError(
            f"unexpected redirect to {response.headers.get('location', '?')}: "
            "the request path is wrong (this is a bug in futureagi-async)",
            status_code=status,
            method="GET",
            url=_safe_url(request),
        )
    try:
        body: object = loads(raw) if raw else None
    except ValueError:
        body = None
    error = error_from_response(
        status,
        body,
        raw,
        retry_after_header=response.headers.get("retry-after"),
        method="GET",
        url=_safe_url(request),
    )
    if status in RETRYABLE_STATUSES:
        retry_after = error.retry_after if isinstance(error, RateLimitError) else None
        raise _Retry(error, retry_after)
    raise error


def _unwrap(body: Any, request: httpx2.Request) -> Any:
    if isinstance(body, Mapping) and isinstance(body.get("status"), bool) and "result" in body:
        if body["status"]:
            return body["result"]
        # A 200 that says status: false; report it like the error it describes.
        raise error_from_response(200, body, b"", method="GET", url=_safe_url(request))
    raise ResponseDecodeError(
        'expected a {"status": true, "result": ...} body, got: ' + snippet(repr(body)),
        body=snippet(repr(body)),
        method="GET",
        url=_safe_url(request),
    )
