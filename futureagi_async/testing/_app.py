"""The ASGI application: routing, auth, faults, latency and stats around the views.

Order of checks follows the backend: URL (HTML 404, 301) → auth (401) → method (OPTIONS
metadata, 405) → query validation → view. Every routed answer carries the view's `Allow`, and
every answer but a redirect or a gateway's page an `x-request-id`. Gateway-style faults come
before all of it; body faults (`drop`, `truncate`, `drip`) mangle the real response.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qsl, unquote

import anyio
import attrs
import httpx2

from . import _envelopes as env
from ._envelopes import Reply
from ._faults import Faults
from ._limits import RateLimiter
from ._request import Request
from ._stats import LoggedRequest, Stats
from ._store import Dataset
from ._types import FaultKind
from ._views import (
    ViewOptions,
    call_executions,
    get_page,
    get_run_test,
    list_run_tests,
    simulation_runs,
)
from ._wire import dumps

__all__ = ["App"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Django's <uuid:> converter: lowercase hex only, anything else is not a route.
_UUID = r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
View = Callable[..., Reply]
_READ = "GET, HEAD, OPTIONS"


@attrs.frozen
class _Route:
    pattern: re.Pattern[str]
    view: View
    #: The backend's `Allow` header: the detail view also takes PATCH and DELETE.
    allow: str
    #: DRF's OPTIONS metadata.
    name: str
    description: str


_ROUTES = (
    _Route(
        re.compile(r"^/simulate/run-tests/$"),
        list_run_tests,
        _READ,
        "Run Test List",
        "API View to list run tests for an organization with pagination and search",
    ),
    _Route(
        re.compile(rf"^/simulate/run-tests/{_UUID}/$"),
        get_run_test,
        "GET, PATCH, DELETE, HEAD, OPTIONS",
        "Run Test Detail",
        "API View to retrieve, update or delete a run test",
    ),
    _Route(
        re.compile(rf"^/simulate/run-tests/{_UUID}/call-executions/$"),
        call_executions,
        _READ,
        "Run Test Call Executions",
        "API View to list the call executions of a run test",
    ),
    _Route(
        re.compile(rf"^/simulate/test-executions/{_UUID}/$"),
        get_page,
        _READ,
        "Test Execution Detail",
        "API View to get the calls of a test execution",
    ),
    _Route(
        re.compile(r"^/sdk/api/v1/simulation/runs/$"),
        simulation_runs,
        _READ,
        "Simulation Runs",
        "SDK view of simulation runs",
    ),
)
_HTML = [(b"content-type", b"text/html; charset=utf-8")]
_GATEWAY_FAULTS = ("503", "html-502")
_WWW = [(b"www-authenticate", b"ApiKey")]
_CACHE_SIZE = 4096


def _route(path: str) -> tuple[_Route, tuple[str, ...]] | None:
    for route in _ROUTES:
        match = route.pattern.match(path)
        if match:
            return route, match.groups()
    return None


@attrs.define(eq=False)
class App:
    """An ASGI 3 callable over one dataset. Build it through `FakeAPI`."""

    dataset: Dataset
    options: ViewOptions
    api_key: str
    secret_key: str
    latency: float
    jitter: float
    faults: Faults
    stats: Stats
    link_scheme: str
    #: The organisation's rate limit, checked once the keys are known; None: no limit.
    limiter: RateLimiter | None = None
    _rng: random.Random = attrs.field(init=False)
    # Views are pure functions of (data version, route, query, host): rendering a page costs
    # ~0.5 ms, so repeats are served from here and the server keeps up with fast clients.
    _cache: dict[tuple[Any, ...], Reply] = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self) -> None:
        self._rng = random.Random(self.faults.seed)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method = scope["method"]
        path = scope["path"]
        raw_query = scope.get("query_string", b"").decode("latin-1")
        self.stats.enter()
        status, fault = 0, None
        try:
            fault = self.faults.pick(method, path, raw_query)
            if self.latency or self.jitter:
                await anyio.sleep(self.latency + self.jitter * self._rng.random())
            reply = self._fault_reply(fault) or self._handle(scope, method, path, raw_query)
            # A gateway's pages and Django's redirects come before the request id is set.
            if reply[0] != 301 and fault not in _GATEWAY_FAULTS:
                request_id = (b"x-request-id", str(uuid.uuid4()).encode())
                reply = reply[0], [*reply[1], request_id], reply[2]
            status = reply[0]
            await _send(send, reply, fault, self.faults, head=method == "HEAD")
        finally:
            self.stats.leave(LoggedRequest(method, path, raw_query, status, fault))

    def _fault_reply(self, fault: FaultKind | None) -> Reply | None:
        wait = self.faults.retry_after
        retry = [(b"retry-after", str(wait).encode())]
        if fault == "503":
            return 503, _HTML, env.html(503, "503 Service Temporarily Unavailable")
        if fault == "html-502":
            return 502, _HTML, env.html(502, "502 Bad Gateway")
        if fault == "429":
            return 429, retry, env.rate_limited(wait, middleware=False)
        if fault == "429-envelope":
            return 429, retry, env.rate_limited(wait, middleware=True)
        if fault == "500":
            return 500, [], env.envelope(500, "A server error occurred.")
        if fault == "html-500":
            return 500, _HTML, env.html(500, "Server Error (500)")
        return None

    def _handle(self, scope: Scope, method: str, path: str, raw_query: str) -> Reply:
        route = _route(path)
        if route is None:
            if not path.endswith("/") and _route(path + "/"):
                location = path + "/" + (f"?{raw_query}" if raw_query else "")
                return 301, [*_HTML, (b"location", location.encode("latin-1"))], b""
            return 404, _HTML, env.html(404, "Not Found")
        status, headers, body = self._routed(scope, method, path, raw_query, *route)
        return status, [*headers, (b"allow", route[0].allow.encode())], body

    def _routed(
        self,
        scope: Scope,
        method: str,
        path: str,
        raw_query: str,
        route: _Route,
        ids: tuple[str, ...],
    ) -> Reply:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        query = tuple(parse_qsl(raw_query, keep_blank_values=True))
        denied = self._authenticate(headers)
        if denied is not None:
            return denied
        if self.limiter is not None:
            limited = self.limiter.admit()
            if limited is not None:
                return limited
        if method == "OPTIONS":
            return 200, [], _options(route)
        if method not in ("GET", "HEAD"):
            # The fake is read-only: the detail view's PATCH and DELETE are refused too.
            message = f'Method "{method}" not allowed.'
            return 405, [], env.drf_detail(405, message, code="method_not_allowed")
        host = headers.get("host", "127.0.0.1")
        request = Request(method, unquote(path), query, f"{self.link_scheme}://{host}")
        view = route.view
        # Live executions move on with the clock: bring them to now before reading.
        self.dataset.sync()
        key = (self.dataset.version, view, ids, query, host)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            status, extra, body = view(request, self.dataset, self.options, *ids)
        except Exception:  # Django answers crashes outside the views with its HTML 500
            return 500, _HTML, env.html(500, "Server Error (500)")
        reply = status, [(b"content-type", b"application/json"), *extra], dumps(body)
        if len(self._cache) >= _CACHE_SIZE:
            self._cache.clear()
        self._cache[key] = reply
        return reply

    def _authenticate(self, headers: dict[str, str]) -> Reply | None:
        if "authorization" in headers:
            message = "Invalid Token parsed: Not enough segments"
            return 401, _WWW, env.drf_detail(401, message, code="authentication_failed")
        key, secret = headers.get("x-api-key", ""), headers.get("x-secret-key", "")
        if not key or not secret:
            message = "Authentication credentials were not provided."
            return 401, _WWW, env.drf_detail(401, message, code="not_authenticated")
        if (key, secret) != (self.api_key, self.secret_key):
            message = "Invalid API key or secret key"
            return 401, _WWW, env.drf_detail(401, message, code="authentication_failed")
        # `X-Workspace-Id` and `workspace_id` are ignored: a key answers for its own workspace.
        return None


def _options(route: _Route) -> dict[str, Any]:
    return {
        "name": route.name,
        "description": route.description,
        "renders": ["application/json"],
        "parses": ["application/json", "multipart/form-data"],
    }


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _send(
    send: Send, reply: Reply, fault: FaultKind | None, faults: Faults, *, head: bool
) -> None:
    status, headers, body = reply
    if isinstance(body, bytes):
        payload = body
    else:
        payload = dumps(body)
        headers = [(b"content-type", b"application/json"), *headers]
    if fault == "truncate":
        payload = payload[: len(payload) // 2]
    start = {
        "type": "http.response.start",
        "status": status,
        "headers": [*headers, (b"content-length", str(len(payload)).encode())],
    }
    await send(start)
    if head:
        await send({"type": "http.response.body", "body": b""})
        return
    if fault == "drop":
        await send(
            {"type": "http.response.body", "body": payload[: len(payload) // 2], "more_body": True}
        )
        # What a client sees when the peer goes away mid-body, in-process and on a socket.
        raise httpx2.RemoteProtocolError(
            "peer closed connection without sending complete message body"
        )
    if fault == "drip":
        step = max(1, -(-len(payload) // faults.drip_chunks))
        for i in range(0, len(payload), step):
            await send(
                {"type": "http.response.body", "body": payload[i : i + step], "more_body": True}
            )
            await anyio.sleep(faults.drip_interval)
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.body", "body": payload})
