"""Hostile input: every failure is one of the library's typed errors, and no secret leaks.

Bodies come through `httpx2.MockTransport` (the body is the point); what concerns the wire
(refused connections, certificates) runs over a loopback socket. The generated-body run at
the end feeds thousands of mutated real bodies through every endpoint family; set
`FUTUREAGI_FUZZ_BODIES=10000` for the full run (the default run uses a fixed sample).
"""

from __future__ import annotations

import collections
import copy
import json
import math
import os
import random
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
import anyio.streams.tls
import httpx2
import pytest
import trustme

import futureagi_async as fa
from futureagi_async import AsyncClient
from futureagi_async._json import preview
from futureagi_async._retry import instant_retries

pytestmark = pytest.mark.anyio

API_KEY = "ak-HOSTILE-visible-nowhere"
SECRET_KEY = "sk-HOSTILE-visible-nowhere"
ID = "4f418cd0-0000-4000-8000-000000000001"
RECORDINGS = Path(__file__).parent / "recordings"

Handler = Callable[[httpx2.Request], httpx2.Response]
Call = Callable[[AsyncClient], Awaitable[object]]


@asynccontextmanager
async def mock_client(handler: Handler, **kwargs: Any) -> AsyncIterator[AsyncClient]:
    """A client whose every request is answered by `handler`, in-process."""
    async with (
        httpx2.AsyncClient(transport=httpx2.MockTransport(handler)) as http,
        AsyncClient(
            API_KEY, SECRET_KEY, base_url="http://127.0.0.1:1", http_client=http, **kwargs
        ) as client,
    ):
        yield client


def answer(status: int, body: bytes, headers: dict[bytes, bytes] | None = None) -> Handler:
    """A handler that gives every request the same answer."""

    def handle(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(
            status, content=body, headers={b"content-type": b"application/json", **(headers or {})}
        )

    return handle


# Every endpoint method, by name; ids are canonical UUIDs the mock ignores.
ENDPOINTS: dict[str, Call] = {
    "run_tests.list": lambda c: c.run_tests.list(page_size=2).collect(),
    "run_tests.get": lambda c: c.run_tests.get(ID),
    "run_tests.call_executions": lambda c: c.run_tests.call_executions(ID, page_size=2).collect(),
    "test_executions.get_page": lambda c: c.test_executions.get_page(ID),
    "test_executions.calls": lambda c: c.test_executions.calls(ID, page_size=2).collect(),
    "simulation.runs": lambda c: c.simulation.runs("Billing", page_size=2).collect(),
    "simulation.execution": lambda c: c.simulation.execution(ID),
    "simulation.execution_calls": lambda c: c.simulation.execution_calls(ID, page_size=2).collect(),
    "simulation.call": lambda c: c.simulation.call(ID),
}


async def outcome_of(call: Awaitable[object]) -> object:
    """What `call` returned, or the library error it raised (anything else propagates)."""
    try:
        return await call
    except fa.FutureAGIError as exc:
        return exc


def assert_printable(exc: BaseException) -> None:
    """str and repr of the error and its whole chain work, and show no key."""
    for link in chain(exc):
        for text in (str(link), repr(link)):
            assert API_KEY not in text
            assert SECRET_KEY not in text
        if isinstance(link, fa.APIStatusError | fa.ResponseDecodeError):
            preview(link.body)


def chain(exc: BaseException) -> Iterator[BaseException]:
    """The error and every exception reachable through __cause__ and __context__."""
    seen: set[int] = set()
    todo = [exc]
    while todo:
        link = todo.pop()
        if id(link) in seen:
            continue
        seen.add(id(link))
        yield link
        todo.extend(e for e in (link.__cause__, link.__context__) if e is not None)


# --- 1. deeply nested JSON -----------------------------------------------------------------

DEPTHS = [1_000, 10_000, 100_000]


def nested_list(depth: int) -> bytes:
    return b"[" * depth + b"]" * depth


def nested_object(depth: int) -> bytes:
    return b'{"a":' * depth + b"1" + b"}" * depth


def deep_bodies(depth: int) -> list[bytes]:
    """Deep bodies, bare and inside every envelope the API uses."""
    lists, objects = nested_list(depth), nested_object(depth)
    return [
        lists,
        objects,
        b'{"count": 1, "total_pages": 1, "results": ' + lists + b"}",
        b'{"count": 1, "results": [{"id": "' + ID.encode() + b'", "name": ' + lists + b"}]}",
        b'{"status": true, "result": ' + objects + b"}",
        b'{"status": true, "result": {"call_results": ' + lists + b"}}",
        b'{"detail": ' + lists + b', "details": {"page": ' + objects + b"}}",
        b'{"status": false, "result": {"message": ' + lists + b', "retry_after": ' + lists + b"}}",
    ]


STATUS_ERRORS: dict[int, type[fa.APIStatusError]] = {
    400: fa.BadRequestError,
    401: fa.AuthenticationError,
    403: fa.PermissionDeniedError,
    404: fa.NotFoundError,
    429: fa.RateLimitError,
    500: fa.ServerError,
    503: fa.ServerError,
}


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_deep_nesting_is_a_typed_error_on_every_endpoint(endpoint: str) -> None:
    call = ENDPOINTS[endpoint]
    for depth in DEPTHS:
        for body in deep_bodies(depth):
            async with mock_client(answer(200, body), max_retries=1) as client:
                outcome = await outcome_of(call(client))
                if isinstance(outcome, fa.APIStatusError):  # a 200 `{"status": false}`
                    assert outcome.status_code == 200
                if isinstance(outcome, BaseException):
                    assert isinstance(outcome, fa.ResponseDecodeError | fa.APIStatusError)
                    assert_printable(outcome)
                else:  # tolerated: the deep value is kept, and the model still prints
                    repr(outcome)
            for status, error in STATUS_ERRORS.items():
                async with mock_client(answer(status, body), max_retries=1) as client:
                    with pytest.raises(error) as info:
                        await call(client)
                assert info.value.status_code == status
                assert_printable(info.value)


# --- 2. numbers ----------------------------------------------------------------------------

HUGE_DIGITS = "9" * 5_000
# Raw JSON text for each hostile number (some cannot come out of json.dumps).
HOSTILE_NUMBERS = [
    '"²"',
    f'"{HUGE_DIGITS}"',
    HUGE_DIGITS,
    "1e308",
    "-1e308",
    "1e999",
    str(10**30),
    "NaN",
    "Infinity",
    "-Infinity",
    "-1",
    '"-5"',
    "2.5",
    "true",
    "null",
    "[]",
    "{}",
]


def listing_body(family: str, rows: list[str], *, count: str, total_pages: str) -> bytes:
    """One page of `family`'s listing holding `rows` (ids), with raw `count`/`total_pages`."""
    id_key = {"runs": "execution_id", "execution_calls": "call_execution_id"}.get(family, "id")
    items = json.dumps([{id_key: row} for row in rows])
    page = f'{{"count": {count}, "total_pages": {total_pages}, "results": {items}}}'
    if family == "grid":
        page = f'{{"count": {count}, "total_pages": {total_pages}, "calls": {items}}}'
    if family == "runs":
        page = f'{{"status": true, "result": {page}}}'
    if family == "execution_calls":
        page = f'{{"status": true, "result": {{"execution_id": "{ID}", "call_results": {page}}}}}'
    return page.encode()


LISTINGS: dict[str, Callable[[AsyncClient, int], Any]] = {
    "run_tests": lambda c, size: c.run_tests.list(page_size=size),
    "call_executions": lambda c, size: c.run_tests.call_executions(ID, page_size=size),
    "grid": lambda c, size: c.test_executions.calls(ID, page_size=size),
    "runs": lambda c, size: c.simulation.runs("Billing", page_size=size),
    "execution_calls": lambda c, size: c.simulation.execution_calls(ID, page_size=size),
}


def row_ids(family: str, rows: list[Any]) -> list[str | None]:
    if family == "runs":
        return [r.execution_id for r in rows]
    if family == "execution_calls":
        return [r.call_execution_id for r in rows]
    return [r.id for r in rows]


def paged_rows(count: int) -> list[str]:
    return [f"00000000-0000-4000-8000-{n:012d}" for n in range(count)]


PAST_THE_END = {
    # The backend: a 500 envelope (endpoints 1, 3 and 5 all answer one past the last page).
    "backend-500": (
        500,
        {
            "status": False,
            "code": "server_error",
            "detail": "Unable to fetch simulation runs.",
            "result": "Unable to fetch simulation runs.",
        },
    ),
    # The docs dialect: DRF's 404.
    "docs-404": (404, {"detail": "Invalid page."}),
}


class LiveListing:
    """A listing of ids, newest first, whose totals are always true when it is read.

    `change(listing)` runs before each request is answered; `announce` may replace the
    totals with raw JSON text (a server that lies about them).
    """

    def __init__(
        self,
        family: str,
        rows: list[str],
        size: int,
        *,
        change: Callable[[LiveListing], None] | None = None,
        past_the_end: str = "backend-500",
        announce: tuple[str, str] | None = None,
        limit: int = 1_000,
    ):
        self.family, self.rows, self.size = family, rows, size
        self.change, self.past_the_end, self.announce = change, past_the_end, announce
        self.requests = 0
        self.limit = limit  # a runaway pager fails the test instead of hanging it
        self.failures: dict[int, int] = {}  # page -> how many requests of it fail with a 500

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests += 1
        if self.requests > self.limit:
            raise RuntimeError(f"the pager ran away: {self.requests} requests")
        if self.change is not None:
            self.change(self)
        page = int(request.url.params["page"])
        if self.failures.get(page):
            self.failures[page] -= 1
            return httpx2.Response(500, json={"detail": "A server error occurred."})
        chunk = self.rows[(page - 1) * self.size : page * self.size]
        if not chunk and page > 1:
            status, body = PAST_THE_END[self.past_the_end]
            return httpx2.Response(status, json=body)
        count, total = self.announce or (
            str(len(self.rows)),
            str(math.ceil(len(self.rows) / self.size)),
        )
        body_bytes = listing_body(self.family, chunk, count=count, total_pages=total)
        return httpx2.Response(
            200, content=body_bytes, headers={"content-type": "application/json"}
        )


@pytest.mark.parametrize("family", LISTINGS)
@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
async def test_hostile_totals_are_ignored_and_every_row_comes_once(
    family: str, number: str
) -> None:
    rows = paged_rows(7)
    for count, total in ((number, "null"), ("7", number), (number, number)):
        listing = LiveListing(family, rows, 3, announce=(count, total), past_the_end="docs-404")
        async with mock_client(listing) as client:
            got = await LISTINGS[family](client, 3).collect()
        assert row_ids(family, got) == rows, (count, total)
        assert listing.requests < 10


@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("number", HOSTILE_NUMBERS)
async def test_hostile_numbers_in_fields_give_models_or_typed_errors(
    endpoint: str, number: str
) -> None:
    fields = ", ".join(
        f'"{name}": {number}'
        for name in ("total_calls", "duration_seconds", "current_page", "avg_score", "id")
    )
    row = f"{{{fields}}}"
    bodies = [
        f'{{"count": 1, "results": [{row}], "calls": [{row}]}}',
        f'{{"status": true, "result": {{{fields}, "call_results": {{"results": [{row}]}}}}}}',
        f'{{"status": true, "result": {{"results": [{{{fields}}}]}}}}',
        f"{{{fields}}}",
    ]
    for body in bodies:
        async with mock_client(answer(200, body.encode()), max_retries=0) as client:
            outcome = await outcome_of(ENDPOINTS[endpoint](client))
            if isinstance(outcome, BaseException):
                assert_printable(outcome)
            else:
                repr(outcome)


RETRY_AFTER_HEADERS = ["1" + "0" * 40, HUGE_DIGITS, "1e308", "inf", "nan", "-1", "²", "9e99999"]
RETRY_AFTER_BODIES = [
    v.encode() for v in (str(10**30), "1e308", HUGE_DIGITS, f'"{HUGE_DIGITS}"', "NaN", "Infinity")
]


async def test_hostile_retry_after_gives_a_rate_limit_error_without_waiting_on_it() -> None:
    cases = [(value, b"{}") for value in RETRY_AFTER_HEADERS]
    cases += [
        ("", b'{"status": false, "result": {"code": "RATE_LIMITED", "retry_after": %s}}' % v)
        for v in RETRY_AFTER_BODIES
    ]
    with instant_retries(False):  # a wait taken from the hint would really be waited
        for header, body in cases:
            headers = {b"retry-after": header.encode()} if header else {}
            async with mock_client(answer(429, body, headers), max_retries=1) as client:
                with anyio.fail_after(30), pytest.raises(fa.RateLimitError) as info:
                    await client.run_tests.get(ID)
            retry_after = info.value.retry_after
            assert retry_after is None or 0 <= retry_after < float("inf")
            assert_printable(info.value)


# --- 3. a base URL with a user name and password -------------------------------------------

PASSWORD = "pw-hunter2-secret"


@pytest.mark.parametrize(
    "url",
    [
        f"http://user:{PASSWORD}@127.0.0.1",
        f"https://user:{PASSWORD}@api.futureagi.com",
        f"http://{PASSWORD}@127.0.0.1:8000/",
        f"https://:{PASSWORD}@api.futureagi.com/v1",
    ],
)
async def test_base_url_with_userinfo_is_refused_without_the_password(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(fa.ConfigurationError) as info:
        AsyncClient(API_KEY, SECRET_KEY, base_url=url)
    assert PASSWORD not in str(info.value)
    assert PASSWORD not in repr(info.value)
    monkeypatch.setenv("FI_BASE_URL", url)
    with pytest.raises(fa.ConfigurationError) as info:
        AsyncClient(API_KEY, SECRET_KEY)
    assert PASSWORD not in str(info.value)


# --- 4. credentials that cannot be a header ------------------------------------------------

BAD_CREDENTIALS = [
    "zq-clé",
    "zq-ключ",
    "zq\r\nX-Injected: 1",
    "zq\n",
    "\rzq",
    "zq\x00nul",
    "zq\x7fdel",
    "zq with spaces",
    " zq",
    "zq ",
    " ",
    "zq\twith-tab",
    "zq\u00a0nbsp",
    "zq\u2028line",
]


@pytest.mark.parametrize("value", BAD_CREDENTIALS)
async def test_credentials_that_cannot_be_sent_are_refused_at_construction(
    value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[dict[str, Any]] = [
        {"api_key": value, "secret_key": SECRET_KEY},
        {"api_key": API_KEY, "secret_key": value},
        {"api_key": API_KEY, "secret_key": SECRET_KEY, "workspace_id": value},
    ]
    for kwargs in attempts:
        with pytest.raises(fa.ConfigurationError) as info:
            AsyncClient(base_url="http://127.0.0.1:1", **kwargs)
        assert value.strip() == "" or value not in str(info.value)
    for env in ("FI_API_KEY", "FI_SECRET_KEY") if "\x00" not in value else ():
        monkeypatch.setenv("FI_API_KEY", API_KEY)
        monkeypatch.setenv("FI_SECRET_KEY", SECRET_KEY)
        monkeypatch.setenv(env, value)
        with pytest.raises(fa.ConfigurationError) as info:
            AsyncClient(base_url="http://127.0.0.1:1")
        assert value.strip() == "" or value not in str(info.value)


# --- 9. secrets stay out of errors, their chains and reprs ---------------------------------


def assert_holds_no_request(exc: BaseException) -> None:
    """No exception in the chain keeps an http request or response (they carry the keys)."""
    for link in chain(exc):
        held = [*link.args, *vars(link).values()]
        assert not [v for v in held if isinstance(v, httpx2.Request | httpx2.Response)], link
        assert not [v for v in held if type(v).__module__.startswith(("httpx", "httpcore"))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def tcp_server(
    handle: Callable[[anyio.abc.SocketStream], Awaitable[None]],
) -> AsyncIterator[tuple[int, list[int]]]:
    """A loopback server running `handle` per connection; yields (port, [connections])."""
    connections = [0]

    async def serve(stream: anyio.abc.SocketStream) -> None:
        connections[0] += 1
        async with stream:
            with suppress(anyio.BrokenResourceError, anyio.ClosedResourceError, OSError):
                await handle(stream)

    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    async with listener, anyio.create_task_group() as tg:
        tg.start_soon(listener.serve, serve)
        try:
            yield port, connections
        finally:
            tg.cancel_scope.cancel()


async def stall(stream: anyio.abc.SocketStream) -> None:
    """Read the request, answer nothing."""
    await stream.receive()
    await anyio.sleep_forever()


async def test_repr_of_client_and_pipeline_show_no_key() -> None:
    async with mock_client(answer(200, b"{}")) as client:
        view = client.with_options(total_timeout=5)
        for text in (repr(client), repr(client._pipeline), repr(view), repr(client.config)):
            assert API_KEY not in text
            assert SECRET_KEY not in text


async def test_connection_and_timeout_errors_hold_no_key_and_no_request() -> None:
    refused = f"http://127.0.0.1:{free_port()}"
    async with AsyncClient(API_KEY, SECRET_KEY, base_url=refused, max_retries=1) as client:
        with pytest.raises(fa.APIConnectionError) as info:
            await client.run_tests.get(ID)
    assert not isinstance(info.value, fa.APITimeoutError)
    assert info.value.retries == 1
    assert_printable(info.value)
    assert_holds_no_request(info.value)

    async with (
        tcp_server(stall) as (port, _),
        AsyncClient(
            API_KEY, SECRET_KEY, base_url=f"http://127.0.0.1:{port}", timeout=0.2, max_retries=1
        ) as client,
    ):
        with pytest.raises(fa.APITimeoutError) as info:
            await client.run_tests.list().collect()
        assert_printable(info.value)
        assert_holds_no_request(info.value)
        quick = client.with_options(total_timeout=0.3, timeout=5)
        with pytest.raises(fa.APITimeoutError) as info:
            await quick.simulation.call(ID)
        assert_printable(info.value)
        assert_holds_no_request(info.value)


@pytest.mark.parametrize("status", sorted(STATUS_ERRORS))
async def test_status_and_decode_errors_hold_no_key_and_no_request(status: int) -> None:
    body = b'{"detail": "no", "echo": "X-Api-Key"}'
    async with mock_client(answer(status, body), max_retries=1) as client:
        with pytest.raises(fa.APIStatusError) as status_info:
            await client.run_tests.get(ID)
    assert_printable(status_info.value)
    assert_holds_no_request(status_info.value)
    async with mock_client(answer(200, b"<html>not json"), max_retries=1) as client:
        with pytest.raises(fa.ResponseDecodeError) as decode_info:
            await client.run_tests.list().collect()
    assert_printable(decode_info.value)
    assert_holds_no_request(decode_info.value)


async def test_errors_raised_by_a_lent_client_hold_no_request() -> None:
    def fail(request: httpx2.Request) -> httpx2.Response:
        raise httpx2.ConnectError("boom", request=request)

    async with mock_client(fail, max_retries=1) as client:
        with pytest.raises(fa.APIConnectionError) as info:
            await client.run_tests.get(ID)
    assert_printable(info.value)
    assert_holds_no_request(info.value)


# --- 10. certificate failures are not retried ----------------------------------------------


async def test_a_certificate_that_fails_verification_is_not_retried() -> None:
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("127.0.0.1").configure_cert(server_context)

    async def tls(stream: anyio.abc.SocketStream) -> None:
        with anyio.move_on_after(5):
            wrapped = await anyio.streams.tls.TLSStream.wrap(
                stream, server_side=True, ssl_context=server_context
            )
            await wrapped.receive()

    async with (
        tcp_server(tls) as (port, connections),
        AsyncClient(
            API_KEY, SECRET_KEY, base_url=f"https://127.0.0.1:{port}", max_retries=3
        ) as client,
    ):
        with pytest.raises(fa.APIConnectionError) as info:
            await client.run_tests.get(ID)
    assert not isinstance(info.value, fa.APITimeoutError)
    assert connections[0] == 1
    assert info.value.retries == 0
    assert "certificate" in str(info.value).lower()
    assert_printable(info.value)
    assert_holds_no_request(info.value)


async def test_a_model_holding_deep_json_prints() -> None:
    # A free-form value (RunTest.simulate_eval_configs_detail[].config) nested ~1,000 deep
    # parses (orjson goes to 1,024), and a plain repr would recurse into it.
    deep = b'{"a":' * 1_000 + b"1" + b"}" * 1_000
    body = b'{"id": "%s", "simulate_eval_configs_detail": [{"config": %s}]}' % (ID.encode(), deep)
    async with mock_client(answer(200, body)) as client:
        run_test = await client.run_tests.get(ID)
    assert repr(run_test).startswith("RunTest(id=")


# --- 11. generated bodies: mutated real answers through every endpoint family -------------

FUZZ_BODIES = int(os.environ.get("FUTUREAGI_FUZZ_BODIES", "250"))

FAMILIES: dict[str, list[Call]] = {
    "run-tests list": [ENDPOINTS["run_tests.list"]],
    "run-test detail": [ENDPOINTS["run_tests.get"]],
    "call-executions list": [ENDPOINTS["run_tests.call_executions"]],
    "test-execution grid": [
        ENDPOINTS["test_executions.get_page"],
        ENDPOINTS["test_executions.calls"],
    ],
    "sdk simulation runs": [
        ENDPOINTS["simulation.runs"],
        ENDPOINTS["simulation.execution"],
        ENDPOINTS["simulation.execution_calls"],
        ENDPOINTS["simulation.call"],
    ],
}


def family_of(path: str) -> str:
    path = path.split("?")[0]
    if path.startswith("/sdk/"):
        return "sdk simulation runs"
    if path.startswith("/simulate/test-executions/"):
        return "test-execution grid"
    if path.endswith("/call-executions/"):
        return "call-executions list"
    if path == "/simulate/run-tests/":
        return "run-tests list"
    return "run-test detail"


def seeds() -> dict[str, list[Any]]:
    """The recorded 200 bodies of each family."""
    found: dict[str, list[Any]] = collections.defaultdict(list)
    for file in sorted(RECORDINGS.glob("*.json")):
        recording = json.loads(file.read_text())
        if recording.get("status") == 200 and recording.get("body_json") is not None:
            found[family_of(recording["request"]["path"])].append(recording["body_json"])
    return found


# Raw JSON text that json.dumps cannot write, put in place of a marker string.
RAW_VALUES = [
    HUGE_DIGITS,
    "1e308",
    "-1e308",
    "1e999",
    "NaN",
    "Infinity",
    "-Infinity",
    str(10**30),
    "-0",
]
ODD_VALUES: list[Any] = [
    None,
    True,
    False,
    0,
    -1,
    1.5,
    "",
    "²",
    f"{HUGE_DIGITS}",
    "2026-13-45T99:99:99Z",
    "<b>html</b>",
    "\ud83d",
    [],
    {},
    [None],
    [1, "a", None],
    {"unexpected": {"nested": [1, 2]}},
    "00000000-0000-4000-8000-000000000000",
]


class Mutator:
    """Deterministic mutations of a decoded body, written out as (possibly invalid) JSON."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.raw: dict[str, str] = {}

    def marker(self, text: str) -> str:
        key = f"@@raw{len(self.raw)}@@"
        self.raw[key] = text
        return key

    def containers(self, value: Any) -> list[Any]:
        """Every dict and list inside `value`, iteratively (bodies are a few levels deep)."""
        found, todo = [], [value]
        while todo:
            item = todo.pop()
            if isinstance(item, dict | list):
                found.append(item)
                todo.extend(item.values() if isinstance(item, dict) else item)
        return found

    def replacement(self) -> Any:
        roll = self.rng.random()
        if roll < 0.25:
            return self.marker(self.rng.choice(RAW_VALUES))
        if roll < 0.35:
            depth = self.rng.choice([50, 500, 1_000, 5_000, 100_000])
            opener, closer = self.rng.choice([("[", "]"), ('{"a":', "}")])
            inner = "1" if opener != "[" else ""
            return self.marker(opener * depth + inner + closer * depth)
        return copy.deepcopy(self.rng.choice(ODD_VALUES))

    def mutate(self, body: Any) -> Any:
        for _ in range(self.rng.randint(1, 4)):
            places = self.containers(body)
            if not places:
                return self.replacement()
            place = self.rng.choice(places)
            if not place:
                continue
            action = self.rng.random()
            if isinstance(place, dict):
                key = self.rng.choice(list(place))
                if action < 0.2:
                    del place[key]
                elif action < 0.3:
                    place[f"unknown_{self.rng.randint(0, 99)}"] = self.replacement()
                elif action < 0.4:
                    place[key] = None
                else:
                    place[key] = self.replacement()
            else:
                index = self.rng.randrange(len(place))
                if action < 0.2:
                    del place[index]
                elif action < 0.3:
                    place.append(copy.deepcopy(place[index]))  # the same row twice
                else:
                    place[index] = self.replacement()
        return body

    def render(self, body: Any) -> bytes:
        text = json.dumps(body, ensure_ascii=self.rng.random() < 0.5)
        for key, raw in self.raw.items():
            text = text.replace(f'"{key}"', raw)
        data = text.encode("utf-8", "surrogatepass")
        roll = self.rng.random()
        if roll < 0.05:
            return b"<!doctype html><html><body><h1>Server Error (500)</h1></body></html>"
        if roll < 0.12:
            return data[: self.rng.randrange(len(data) + 1)]
        return data


class FuzzServer:
    """Answers every request with the current body (and sometimes a status other than 200)."""

    def __init__(self) -> None:
        self.status, self.body, self.requests = 200, b"", 0

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests += 1
        if self.requests > 100:
            raise RuntimeError("a listing of one repeated body ran away")
        return httpx2.Response(
            self.status, content=self.body, headers={"content-type": "application/json"}
        )


async def fuzz_family(family: str, bodies: int, seed: int) -> collections.Counter[str]:
    """Feed `bodies` mutated bodies through the family's methods; count each outcome."""
    originals = seeds()[family]
    outcomes: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    server = FuzzServer()
    async with mock_client(server, max_retries=1) as client:
        for number in range(bodies):
            rng = random.Random(f"{seed}/{family}/{number}")
            mutator = Mutator(rng)
            body = mutator.mutate(json.loads(json.dumps(rng.choice(originals))))
            server.body = mutator.render(body)
            server.status = 200 if rng.random() < 0.9 else rng.choice([400, 404, 429, 500, 503])
            for call in FAMILIES[family]:
                server.requests = 0
                try:
                    outcome = await outcome_of(call(client))
                    if isinstance(outcome, BaseException):
                        assert_printable(outcome)
                        outcomes[type(outcome).__name__] += 1
                    else:
                        outcomes["model"] += 1
                        repr(outcome)  # see test_a_model_holding_deep_json_prints
                except Exception as exc:  # the point is to catch anything
                    outcomes[f"UNTYPED {type(exc).__name__}"] += 1
                    failures.append(f"body {number}: {type(exc).__name__}: {exc!s:.200}")
    assert not failures, failures[:5]
    return outcomes


@pytest.mark.timeout(3600)
@pytest.mark.parametrize("family", FAMILIES)
async def test_generated_bodies_give_models_or_typed_errors(
    family: str, anyio_backend: str, capsys: pytest.CaptureFixture[str]
) -> None:
    outcomes = await fuzz_family(family, FUZZ_BODIES, seed=0)
    assert outcomes["model"] > 0
    with capsys.disabled():
        counts = ", ".join(f"{name} {count}" for name, count in outcomes.most_common())
        print(f"\n[{anyio_backend}] {family}: {FUZZ_BODIES} bodies -> {counts}")
