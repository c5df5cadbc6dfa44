"""One call, end to end: build the request, bound it, send it, retry it, decode it, type its errors.

Everything above this module deals in paths, query parameters and models; everything below it
is a `Connection` (see `_http`). What a caller can see leave here is a value or one of the
library's typed errors, within the call's `total_timeout`.
"""

from __future__ import annotations

import logging
import platform
import ssl
from collections.abc import Callable, Iterator, Mapping
from contextlib import nullcontext
from typing import Any, TypeVar
from urllib.parse import urlencode

import anyio
import attrs
import httpx2

from ._config import ClientConfig
from ._errors import (
    APIConnectionError,
    APIError,
    APITimeoutError,
    ClientClosedError,
    RateLimitError,
    ResponseDecodeError,
    error_from_response,
    snippet,
)
from ._http import Connection
from ._json import NestedTooDeeply, loads, preview
from ._loop import LoopGuard
from ._pacing import DEFAULT_PAUSE, Pace, Throttle
from ._retry import RETRYABLE_STATUSES
from ._tracing import Attempt, current
from ._version import __version__

__all__ = ["Pipeline", "SharedResources"]

T = TypeVar("T")

# Their exceptions may hold the request, and so the key headers (aiohttp's hold RequestInfo).
_HTTP_MODULES = ("httpx", "httpcore", "h11", "aiohttp")

logger = logging.getLogger("futureagi_async")

USER_AGENT = (
    f"futureagi-async/{__version__} httpx2/{httpx2.__version__} python/{platform.python_version()}"
)


class _Retry(Exception):  # a signal, not an error the caller ever sees
    """An attempt failed in a way that may pass; carries what to raise if it does not."""

    def __init__(self, error: APIError, retry_after: float | None = None):
        super().__init__(error.message)
        self.error = error
        self.retry_after = retry_after
        #: The client's pause epoch the failed attempt was sent in (see `Throttle`).
        self.epoch = 0


@attrs.define
class SharedResources:
    """What every view of a client (see `AsyncClient.with_options`) shares: pool, bound,
    and the rate limit's pause and counts."""

    connection: Connection
    limiter: anyio.CapacityLimiter
    throttle: Throttle
    closed: bool = False
    loop: LoopGuard = attrs.Factory(LoopGuard)


@attrs.frozen
class Pipeline:
    config: ClientConfig
    shared: SharedResources
    #: The turns every request takes: the client's `rate_limit`'s, then a view's own.
    paces: tuple[Pace, ...] = ()
    # Built once per client view: the base URL as text (it ends in "/") and every header of a
    # request. Kept out of repr: the headers hold both keys.
    _prefix: str = attrs.field(init=False, repr=False)
    _headers: dict[str, str] = attrs.field(init=False, repr=False)
    _server: tuple[str, int] = attrs.field(init=False, repr=False)

    @_server.default
    def _build_server(self) -> tuple[str, int]:
        url = self.config.base_url
        return url.host, url.port or (443 if url.scheme == "https" else 80)

    @_prefix.default
    def _build_prefix(self) -> str:
        return str(self.config.base_url)

    @_headers.default
    def _build_headers(self) -> dict[str, str]:
        # Never an Authorization header: the API tries it as a JWT first and rejects the call.
        headers = {
            **self.config.default_headers,
            "X-Api-Key": self.config.api_key,
            "X-Secret-Key": self.config.secret_key,
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            # As httpx2's own client asks: pages of calls compress about tenfold.
            "Accept-Encoding": "gzip, deflate",
        }
        if self.config.workspace_id:
            headers["X-Workspace-Id"] = self.config.workspace_id
        return headers

    async def get(
        self,
        path: str,
        params: Mapping[str, str],
        decode: Callable[[Any], T],
        *,
        wrapped: bool = False,
        template: str | None = None,
    ) -> T:
        """GET `path` (relative to the base URL) and `decode` its JSON body into a value.

        `wrapped` unwraps the SDK endpoint's `{"status": true, "result": ...}` first. A
        `ResponseDecodeError` from `decode` is given this call's method and URL. `template`
        is the path's pattern (`simulate/run-tests/{run_test_id}/`), for tracing.
        """
        if self.shared.closed or self.shared.connection.is_closed:
            raise ClientClosedError("this client (or its http_client) is closed; make a new one")
        self.shared.loop.check()
        url = self.url(path, params)
        body = await self._call(url, None if template is None else self._template(template))
        try:
            return decode(_unwrap(body, url) if wrapped else body)
        except ResponseDecodeError as exc:
            exc.method, exc.url = exc.method or "GET", exc.url or url
            raise
        except RecursionError:
            raise ResponseDecodeError(
                "the response is nested too deeply to read", method="GET", url=url
            ) from None

    def url(self, path: str, params: Mapping[str, str]) -> str:
        """The URL of `path` with `params`, encoded as httpx2 would encode them."""
        # Our paths are fixed segments and canonical UUIDs, and the base URL ends in "/", so
        # joining is appending.
        return self._prefix + path + ("?" + urlencode(params) if params else "")

    def _template(self, template: str) -> str:
        """`url.template`: the pattern as a path from the host (the base URL's path first)."""
        return self.config.base_url.path + template

    def _pause_for(self, hint: float | None) -> float:
        """How long a 429 pauses the client: its hint, else a second, and never longer than
        the window of a `rate_limit` (a fixed window ends within it; the header's whole
        seconds would overshoot a short one). With a view's limit inside the client's, the
        longer window is the organisation's."""
        pause = DEFAULT_PAUSE if hint is None else hint
        if self.paces:
            pause = min(pause, max(p.rate_limit.per_seconds for p in self.paces))
        return pause

    async def _call(self, url: str, template: str | None) -> Any:
        """The decoded JSON of a 2xx answer, retrying what may pass, within total_timeout."""
        policy = self.config.retry
        throttle = self.shared.throttle
        retry = 0
        reason: str | None = None
        with anyio.move_on_after(self.config.total_timeout) as scope:
            while True:
                try:
                    return await self._attempt(
                        url, template=template, attempt=retry + 1, retry_reason=reason
                    )
                except _Retry as signal:
                    retry += 1
                    retry_after = signal.retry_after
                    if isinstance(signal.error, RateLimitError):
                        pause = self._pause_for(retry_after)
                        # A hint past what a retry may wait (days) pauses nothing and ends
                        # this call's retries; any other is the client's pause, which the
                        # next attempt waits out.
                        absurd = pause > policy.max_retry_after
                        left = throttle.rate_limited(signal.epoch, 0.0 if absurd else pause)
                        if not absurd:
                            retry_after = left
                    wait = policy.wait_before(
                        retry,
                        retry_after=retry_after,
                        remaining=scope.deadline - anyio.current_time(),
                    )
                    if wait is None:
                        signal.error.retries = retry - 1
                        raise signal.error from signal.error.__cause__
                    throttle.retries += 1
                    reason = type(signal.error).__name__
                    logger.info(
                        "GET %s: retry %d in %.2fs after: %s", url, retry, wait, signal.error
                    )
                    if not isinstance(signal.error, RateLimitError):
                        await anyio.sleep(wait)
                    # After a 429 the next attempt's turn waits out the client's pause (and
                    # counts it in `stats.wait_seconds`).
        raise APITimeoutError(
            f"no answer within total_timeout={self.config.total_timeout:g}s",
            method="GET",
            url=url,
            retries=retry,
        )

    async def _attempt(
        self, url: str, *, template: str | None, attempt: int, retry_reason: str | None
    ) -> Any:
        response: httpx2.Response | None = None
        failure: Exception | None = None
        throttle = self.shared.throttle
        telemetry = current()
        async with self.shared.limiter:
            epoch, waited = await throttle.turn(self.paces)
            tracing = (
                nullcontext(None)
                if telemetry is None
                else telemetry.attempt(
                    url=url,
                    template=template,
                    server=self._server,
                    resend_count=attempt - 1,
                    waited=waited,
                    retry_reason=retry_reason,
                )
            )
            with tracing as span:
                started = anyio.current_time()
                try:
                    response = await self.shared.connection.get(
                        url, self._headers, self.config.timeout
                    )
                except (httpx2.HTTPError, OSError) as exc:
                    failure = exc
                _observe(span, response, failure)
        elapsed_ms = (anyio.current_time() - started) * 1000
        if telemetry is not None:
            if waited > 0:
                telemetry.count_wait(waited, self._server)
            if response is not None and response.status_code == 429:
                telemetry.count_rate_limited(self._server)
        # Raised outside the `except` block, so no error keeps the request (and its key
        # headers) as its context.
        if response is None:
            assert failure is not None
            logger.info("GET %s -> %s in %.0f ms (attempt %d)", url, failure, elapsed_ms, attempt)
            signal = _failure(failure, url, self.config.timeout)
            if isinstance(signal, _Retry):
                signal.epoch = epoch
            raise signal
        logger.info(
            "GET %s -> %d in %.0f ms (attempt %d)", url, response.status_code, elapsed_ms, attempt
        )
        try:
            body = _decode(response, url)
        except _Retry as signal:
            signal.epoch = epoch
            raise
        throttle.succeeded()
        return body


def _observe(
    span: Attempt | None, response: httpx2.Response | None, failure: Exception | None
) -> None:
    if span is None:
        return
    if response is not None:
        span.answered(response.status_code)
    elif failure is not None:
        span.failed(failure)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, then what caused it, and so on (each once)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


# What each of httpx2's timeouts waited for, to name the one that fired (not the message of
# the cancel scope that enforced it: `Cancelled via cancel scope 7ff6...`).
_TIMEOUTS: tuple[tuple[type[httpx2.TimeoutException], str, str], ...] = (
    (httpx2.ConnectTimeout, "connect", "no connection"),
    (httpx2.ReadTimeout, "read", "no response"),
    (httpx2.WriteTimeout, "write", "the request not sent"),
    (httpx2.PoolTimeout, "pool", "no free connection in the pool"),
)


def _timeout_message(exc: httpx2.TimeoutException, timeouts: httpx2.Timeout) -> str:
    for kind, name, what in _TIMEOUTS:
        if isinstance(exc, kind):
            seconds = getattr(timeouts, name)
            limit = "None" if seconds is None else f"{seconds:g}s"
            return f"{what} within timeout.{name}={limit}"
    return f"no response within the request's timeouts ({timeouts!r})"


# OpenSSL's reason for a handshake answered with something that is not TLS.
_NOT_TLS = "WRONG_VERSION_NUMBER"


def _failure(exc: Exception, url: str, timeouts: httpx2.Timeout) -> Exception:
    """The typed error for a failed send: a `_Retry` unless retrying cannot help."""
    chain = list(_chain(exc))
    # The first exception that is not an http library's (they hold requests) is the cause;
    # the first with a message is the reason (trio's wrappers have none).
    cause = next((e for e in chain if not type(e).__module__.startswith(_HTTP_MODULES)), None)
    reason = next((str(e) for e in chain if str(e)), type(exc).__name__)
    certificate = next((e for e in chain if isinstance(e, ssl.SSLCertVerificationError)), None)
    if certificate is not None:
        cause, reason = certificate, str(certificate)
    # https:// to a port that speaks plain HTTP: every retry would fail the same way.
    not_tls = next((e for e in chain if getattr(e, "reason", None) == _NOT_TLS), None)
    if not_tls is not None:
        cause = not_tls
        reason = (
            f"the TLS handshake failed ({_NOT_TLS}): the server does not speak TLS on this "
            "port; if it serves plain HTTP, the base URL should start with http://"
        )
    error: APIError
    if isinstance(exc, httpx2.DecodingError):
        error = ResponseDecodeError(
            f"could not decode the response's content encoding: {reason}", method="GET", url=url
        )
    elif isinstance(exc, httpx2.TimeoutException):
        error = APITimeoutError(_timeout_message(exc, timeouts), method="GET", url=url)
    else:
        error = APIConnectionError(reason, method="GET", url=url)
    error.__cause__ = cause
    if isinstance(error, ResponseDecodeError) or certificate is not None or not_tls is not None:
        return error  # permanent: a certificate or a plain-HTTP port fails the same way again
    return _Retry(error)


def _decode(response: httpx2.Response, url: str) -> Any:
    status = response.status_code
    raw = response.content
    if 200 <= status < 300:
        try:
            return loads(raw)
        except NestedTooDeeply:
            raise ResponseDecodeError(
                f"the {status} response is nested too deeply to read ({len(raw)} bytes)",
                body=snippet(raw),
                method="GET",
                url=url,
            ) from None
        except ValueError:
            # A 2xx body that is not JSON is almost always one cut short in transit.
            raise _Retry(
                ResponseDecodeError(
                    f"the {status} response is not valid JSON "
                    f"({len(raw)} bytes): {snippet(raw) or '<empty>'}",
                    body=snippet(raw),
                    method="GET",
                    url=url,
                )
            ) from None
    request_id = response.headers.get("x-request-id")
    if 300 <= status < 400:
        raise error_from_response(
            status,
            None,
            f"unexpected redirect to {response.headers.get('location', '?')}: "
            "the request path is wrong (this is a bug in futureagi-async)".encode(),
            method="GET",
            url=url,
            request_id=request_id,
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
        url=url,
        request_id=request_id,
    )
    if status in RETRYABLE_STATUSES:
        retry_after = error.retry_after if isinstance(error, RateLimitError) else None
        raise _Retry(error, retry_after)
    raise error


def _unwrap(body: Any, url: str) -> Any:
    if isinstance(body, Mapping) and isinstance(body.get("status"), bool) and "result" in body:
        if body["status"]:
            return body["result"]
        # A 200 that says status: false; report it like the error it describes.
        raise error_from_response(200, body, b"", method="GET", url=url)
    raise ResponseDecodeError(
        'expected a {"status": true, "result": ...} body, got: ' + preview(body),
        body=preview(body),
        method="GET",
        url=url,
    )
