"""Pacing to the organisation's rate limit, the client-wide pause on 429, adaptive concurrency.

Windows are short (0.2-0.5 s) so the real waits stay small; tests that need the pause to take
time turn the suite's instant retries off for their own block.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import Any

import anyio
import attrs
import httpx2
import pytest

import futureagi_async as fa
from futureagi_async import _pacing
from futureagi_async._pacing import watch_waits
from futureagi_async._retry import instant_retries
from futureagi_async.testing import FakeAPI
from futureagi_async.testing._limits import RateLimiter

from .helpers import API_KEY, SECRET_KEY, Handler

pytestmark = pytest.mark.anyio


@attrs.define(eq=False)
class LoggingLimiter(RateLimiter):
    """The fake's limiter, noting when each request arrived and whether it was admitted."""

    arrivals: list[tuple[float, bool]] = attrs.field(factory=list)

    def admit(self) -> Any:
        reply = super().admit()
        self.arrivals.append((time.monotonic(), reply is None))
        return reply


def limited_fake(limit: int, window: float, **kwargs: Any) -> tuple[FakeAPI, LoggingLimiter]:
    fake = FakeAPI(**kwargs)
    limiter = LoggingLimiter(limit, window)
    fake.app.limiter = limiter
    return fake, limiter


@pytest.fixture
def real_waits() -> Iterator[None]:
    with instant_retries(False):
        yield


def ids_of(fake: FakeAPI, n: int) -> list[str]:
    run_tests = fake.dataset.run_tests
    return [run_tests[i % len(run_tests)].id for i in range(n)]


def statuses(fake: FakeAPI) -> list[int]:
    return [entry.status for entry in fake.stats.request_log]


# --- RateLimit ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("requests", "per_seconds"),
    [
        (0, 1),
        (-1, 1),
        (5, 0),
        (5, -2),
        (5, math.inf),
        (5, math.nan),
        ("5", 1),
        (5, "1"),
        (True, 1),
        (5, None),
        (2.5, 1),
    ],
)
def test_rate_limit_rejects_nonsense(requests: Any, per_seconds: Any) -> None:
    with pytest.raises(fa.ConfigurationError, match="RateLimit"):
        fa.RateLimit(requests, per_seconds)


def test_rate_limit_must_be_a_rate_limit() -> None:
    with pytest.raises(fa.ConfigurationError, match="rate_limit"):
        fa.AsyncClient(API_KEY, SECRET_KEY, rate_limit=(5, 1))  # type: ignore[arg-type]
    client = fa.AsyncClient(API_KEY, SECRET_KEY, rate_limit=fa.RateLimit(600, 60))
    assert client.config.rate_limit == fa.RateLimit(600, 60)
    with pytest.raises(fa.ConfigurationError, match="rate_limit"):
        client.with_options(rate_limit=10)  # type: ignore[arg-type]


def test_stats_is_a_frozen_snapshot() -> None:
    stats = fa.AsyncClient(API_KEY, SECRET_KEY, max_concurrency=7).stats
    assert stats == fa.ClientStats(0, 0, 0, 0, 0.0, 7)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        stats.requests = 1  # type: ignore[misc]


# --- the fake's limit -----------------------------------------------------------------------


def test_fake_rejects_bad_limits() -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        FakeAPI(rate_limit=0)
    with pytest.raises(ValueError, match="rate_window"):
        FakeAPI(rate_limit=1, rate_window=0)


async def test_fake_answers_past_the_limit_like_the_backend() -> None:
    now = [1000.25]
    fake = FakeAPI()
    fake.app.limiter = RateLimiter(2, 60.0, clock=lambda: now[0])
    async with fake.http_client() as http:
        answers = [await http.get("/simulate/run-tests/") for _ in range(3)]
        assert [a.status_code for a in answers] == [200, 200, 429]
        limited = answers[2]
        # 1000.25 is 40.25 s into its minute (960-1020): 19.75 s left, rounded up.
        assert limited.headers["retry-after"] == "20"
        assert limited.json() == {
            "status": False,
            "result": {
                "code": "RATE_LIMITED",
                "message": "Rate limit exceeded: 2 api requests per 60 seconds",
                "retry_after": 20,
            },
        }
        assert "x-request-id" in limited.headers
        now[0] = 1019.9  # 0.1 s left: still at least 1
        assert (await http.get("/simulate/run-tests/")).headers["retry-after"] == "1"
        now[0] = 1020.0  # the next window
        assert (await http.get("/simulate/run-tests/")).status_code == 200
        # Bad keys are not the organisation's requests: 401, not counted.
        assert (
            await http.get("/simulate/run-tests/", headers={"X-Api-Key": "x"})
        ).status_code == 401
    assert statuses(fake) == [200, 200, 429, 429, 200, 401]


# --- pacing ---------------------------------------------------------------------------------


async def test_pace_holds_across_a_fan_out_and_views() -> None:
    fake, limiter = limited_fake(4, 0.25)
    async with fake.client(rate_limit=fa.RateLimit(4, 0.25)) as client:
        view = client.with_options(max_retries=0)
        started = anyio.current_time()
        async with anyio.create_task_group() as tg:
            for one in (client, view):

                async def read(c: fa.AsyncClient = one) -> None:
                    async with c.run_tests.get_many(ids_of(fake, 6)) as results:
                        assert len([r async for r in results]) == 6

                tg.start_soon(read)
        elapsed = anyio.current_time() - started
        assert client.stats.requests == 12
    # 12 requests at 4 a window: three windows' worth, so at least two full windows waited.
    assert elapsed >= 2 * 0.25
    assert 429 not in statuses(fake)
    assert len(limiter.arrivals) == 12


async def test_a_view_s_own_limit_is_within_the_client_s() -> None:
    fake = FakeAPI()
    async with fake.client(rate_limit=fa.RateLimit(100, 1)) as client:
        slow = client.with_options(rate_limit=fa.RateLimit(2, 0.2))
        assert slow.config.rate_limit == fa.RateLimit(2, 0.2)
        started = anyio.current_time()
        async with slow.run_tests.get_many(ids_of(fake, 5)) as results:
            assert len([r async for r in results]) == 5
        assert anyio.current_time() - started >= 2 * 0.2
        assert client.stats.requests == 5
        assert client.stats.wait_seconds > 0


async def test_a_view_s_slower_budget_holds_up_only_the_view() -> None:
    fake = FakeAPI()
    finished: dict[str, float] = {}
    async with fake.client(rate_limit=fa.RateLimit(100, 1)) as client:
        slow = client.with_options(rate_limit=fa.RateLimit(1, 0.3))

        async def read(name: str, c: fa.AsyncClient, n: int) -> None:
            async with c.run_tests.get_many(ids_of(fake, n), concurrency=n) as results:
                assert len([r async for r in results]) == n
            finished[name] = anyio.current_time()

        async with anyio.create_task_group() as tg:
            tg.start_soon(read, "slow view", slow, 3)
            tg.start_soon(read, "client", client, 5)
    # The view needs two windows more for its three; the client's five did not wait for it.
    assert finished["client"] < finished["slow view"]


async def test_pagers_are_paced_too() -> None:
    fake, _ = limited_fake(3, 0.2)
    async with fake.client(rate_limit=fa.RateLimit(3, 0.2)) as client:
        rows = await client.run_tests.list(page_size=1).collect()
    assert len(rows) == len(fake.dataset.run_tests)
    assert 429 not in statuses(fake)


# --- the client-wide pause ------------------------------------------------------------------


async def test_one_429_pauses_the_whole_client_until_retry_after(real_waits: None) -> None:
    # Latency keeps the requests in flight together, as on a network.
    fake, limiter = limited_fake(2, 0.5, latency=0.02)
    async with fake.client(max_concurrency=6) as client:
        async with client.run_tests.get_many(ids_of(fake, 6), concurrency=6) as results:
            assert len([r async for r in results]) == 6
        stats = client.stats
    arrivals = limiter.arrivals
    assert stats.rate_limited == statuses(fake).count(429) > 0
    # Every 429 to a request already in flight belongs to the pause it caused: fewer pauses
    # than 429s; and the concurrency came down.
    assert stats.pauses < stats.rate_limited
    assert stats.concurrency < 6
    # Nothing is sent while the client is paused: after the first 429, the next request
    # arrives a whole Retry-After (1 s: the fake sends whole seconds) later.
    first_refusal = next(t for t, admitted in arrivals if not admitted)
    later = [t for t, _ in arrivals if t > first_refusal + 0.1]
    assert later
    assert later[0] - first_refusal >= 1.0 - 0.05
    assert stats.wait_seconds > 0


async def test_a_rate_limit_bounds_the_pause_to_its_window(real_waits: None) -> None:
    fake, _limiter = limited_fake(2, 0.3, latency=0.01)
    events: list[float] = []
    # The client believes in more than the server allows: it learns from the 429s.
    async with fake.client(rate_limit=fa.RateLimit(4, 0.3)) as client:
        with watch_waits(events.append):
            async with client.run_tests.get_many(ids_of(fake, 4), concurrency=4) as results:
                assert len([r async for r in results]) == 4
        stats = client.stats
    assert stats.pauses >= 1
    assert stats.concurrency == client.config.max_concurrency  # paced, so not adaptive
    # The fake asked for a whole second; no wait was longer than the window.
    assert events
    assert max(events) <= 0.3 * 1.02 + 1e-9


async def test_no_requests_counted_twice_after_a_pause(real_waits: None) -> None:
    """After a pause, the window starts afresh: the pace does not wait for the sends made
    before it."""
    fake, _ = limited_fake(3, 0.3, latency=0.01)
    events: list[float] = []
    async with fake.client(rate_limit=fa.RateLimit(3, 0.3)) as client:
        # Someone else in the organisation used the window: a 429.
        fake.faults.push("429-envelope", times=1)
        with watch_waits(events.append):
            async with client.run_tests.get_many(ids_of(fake, 3), concurrency=3) as results:
                assert len([r async for r in results]) == 3
        assert client.stats.pauses == 1
    # The pause, of the window; then the three fit the next window: no wait for a turn
    # (which a pace still counting the sends before the pause would have made).
    assert len(events) == 1
    assert events[0] == pytest.approx(0.3, abs=0.02)


# --- bad Retry-After ------------------------------------------------------------------------


def scripted(*answers: httpx2.Response, **kwargs: Any) -> tuple[fa.AsyncClient, list[float]]:
    sent: list[float] = []
    queue = list(answers)

    def handler(request: httpx2.Request) -> httpx2.Response:
        sent.append(time.monotonic())
        return queue.pop(0) if queue else httpx2.Response(200, json={"id": "x"})

    transport: Handler = handler
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(transport))
    client = fa.AsyncClient(
        API_KEY, SECRET_KEY, base_url="http://127.0.0.1:1", http_client=http, **kwargs
    )
    return client, sent


def limited(retry_after: str) -> httpx2.Response:
    return httpx2.Response(429, headers={"Retry-After": retry_after}, json={"detail": "slow"})


async def fetch(client: fa.AsyncClient) -> object:
    return await client._pipeline.get("simulate/run-tests/", {}, lambda body: body)


async def test_a_retry_after_of_days_is_not_obeyed(real_waits: None) -> None:
    client, sent = scripted(limited("172800"))
    with pytest.raises(fa.RateLimitError):
        await fetch(client)
    # The client is not paused for two days: the next request goes at once.
    with anyio.fail_after(1):
        assert await fetch(client) == {"id": "x"}
    # With a rate limit, the pause is bounded by its window and the call goes on.
    client, sent = scripted(limited("172800"), rate_limit=fa.RateLimit(5, 0.2))
    events: list[float] = []
    with anyio.fail_after(10), watch_waits(events.append):
        assert await fetch(client) == {"id": "x"}
    assert events == [pytest.approx(0.2, abs=0.02)]
    assert sent[1] - sent[0] >= 0.2 - 0.02


@pytest.mark.parametrize("header", ["-5", "soon", "1e999", "Wed, 21 Oct 2015 07:28:00 GMT"])
async def test_a_garbage_retry_after_gets_a_short_pause(real_waits: None, header: str) -> None:
    client, _ = scripted(limited(header), rate_limit=fa.RateLimit(5, 0.1))
    events: list[float] = []
    with anyio.fail_after(10), watch_waits(events.append):
        assert await fetch(client) == {"id": "x"}
    # No hint: a second's pause, bounded by the window (a past date may read as 0).
    assert all(wait <= 0.1 + 1e-9 for wait in events)
    assert client.stats.pauses == 1


# --- adaptive concurrency -------------------------------------------------------------------


async def test_concurrency_shrinks_on_429_and_recovers_when_calm(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fake = FakeAPI()
    async with fake.client(max_concurrency=8) as client:
        for _ in range(3):  # three separate 429 events (each after the last pause)
            fake.faults.push("429-envelope")
            await client.run_tests.get(fake.dataset.run_tests[0].id)
        assert client.stats.concurrency == 1
        assert client.stats.pauses == 3
        monkeypatch.setattr(_pacing, "CALM_SECONDS", 0.01)
        for _ in range(30):
            await anyio.sleep(0.011)
            await client.run_tests.get(fake.dataset.run_tests[0].id)
            assert client.stats.concurrency <= 8
        assert client.stats.concurrency == 8


async def test_429s_of_one_burst_pause_once() -> None:
    """One pause for the burst; the concurrency halves from what was in flight (6 -> 3), and
    each other request of the burst, also past the limit, takes a slot more (down to 1)."""
    fake = FakeAPI(latency=0.02)
    async with fake.client(max_concurrency=8) as client:
        fake.faults.push("429-envelope", times=6)
        async with client.run_tests.get_many(ids_of(fake, 6), concurrency=6) as results:
            assert len([r async for r in results]) == 6
        stats = client.stats
    assert stats.rate_limited == 6
    assert stats.pauses == 1
    assert stats.concurrency == 1
    assert stats.retries == 6
    assert stats.requests == 12


# --- both http backends, over a socket ------------------------------------------------------


@pytest.mark.parametrize("http_backend", ["httpx2", "aiohttp"])
async def test_pacing_over_loopback(http_backend: str, anyio_backend_name: str) -> None:
    if http_backend == "aiohttp" and anyio_backend_name != "asyncio":
        pytest.skip("aiohttp runs on asyncio only")
    fake, limiter = limited_fake(3, 0.2)
    async with (
        fake.serve() as base_url,
        fa.AsyncClient(
            fake.api_key,
            fake.secret_key,
            base_url=base_url,
            http_backend=http_backend,  # type: ignore[arg-type]
            rate_limit=fa.RateLimit(3, 0.2),
        ) as client,
    ):
        started = anyio.current_time()
        async with client.run_tests.get_many(ids_of(fake, 7)) as results:
            assert len([r async for r in results]) == 7
        elapsed = anyio.current_time() - started
        stats = client.stats
    # Seven requests at three a window: they were spread over three windows (how few 429s a
    # loaded machine's jitter lets through is for the benchmark; each one was retried).
    assert elapsed >= 2 * 0.2
    admitted = [t for t, ok in limiter.arrivals if ok]
    assert len(admitted) == 7
    assert stats.rate_limited == len(limiter.arrivals) - 7


def test_the_fake_server_flags() -> None:
    import argparse

    from futureagi_async.testing.__main__ import add_arguments, build_fake

    parser = argparse.ArgumentParser()
    add_arguments(parser)
    fake = build_fake(parser.parse_args(["--rate-limit", "5", "--rate-window", "0.5"]))
    assert fake.app.limiter is not None
    assert (fake.app.limiter.limit, fake.app.limiter.window) == (5, 0.5)
    assert build_fake(parser.parse_args([])).app.limiter is None
    for bad in (["--rate-limit", "0"], ["--rate-window", "0"], ["--rate-window", "x"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)
