"""`client.test_executions.watch()` and `wait()` over the fake's live executions.

Time is virtual (`tests.live_helpers.VirtualTime`): the fake's clock and the watcher's timer
are one, each request takes `latency` of it and a poll's sleep moves it on, so the checks
below are exact and nothing sleeps for real.
"""

from __future__ import annotations

import itertools
import math
from contextlib import aclosing
from typing import Any

import anyio
import anyio.lowlevel
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from futureagi_async import APITimeoutError, AsyncClient, CallExecution, NotFoundError
from futureagi_async._live import SKEW, is_final, wait, watch
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, DatasetSpec, FakeAPI
from futureagi_async.testing._live import LiveExecution

from .live_helpers import (
    VirtualTime,
    became_final,
    changed_between,
    is_final_at,
    newest_update,
    reran_between,
)

pytestmark = pytest.mark.anyio

_RUN_TEST = "Billing bot nightly"
_SPEC = DatasetSpec(run_tests=2, executions_per_run_test=1, calls_per_execution=3)


def _fake(time: VirtualTime, spec: DatasetSpec = _SPEC) -> FakeAPI:
    return FakeAPI(spec, clock=time.clock)


def _live(fake: FakeAPI, execution_id: str) -> LiveExecution:
    live = fake.dataset.live_execution(execution_id)
    assert live is not None
    return live


async def _watch_all(
    client: AsyncClient, execution_id: str, time: VirtualTime, **kwargs: Any
) -> tuple[list[tuple[float, CallExecution]], float]:
    """Every (virtual time, call) the watcher yields, and when it ended."""
    seen: list[tuple[float, CallExecution]] = []
    kwargs = {"eval_names": None, "timeout": None, "page_size": 50, **kwargs}
    async with aclosing(watch(client.test_executions, execution_id, timer=time, **kwargs)) as it:
        async for call in it:
            seen.append((time.now(), call))
    return seen, time.now()


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    calls=st.integers(0, 90),
    seconds=st.floats(1.0, 100.0),
    fail_ratio=st.sampled_from([0.0, 0.05, 0.5]),
    rerun_ratio=st.sampled_from([0.0, 0.2, 1.0]),
    page_size=st.integers(1, 40),
    polls_per_run=st.floats(2.0, 40.0),
    latency_share=st.sampled_from([0.0, 0.001, 0.01]),
    start_share=st.floats(0.0, 1.2),
    seed=st.integers(0, 2**16),
)
async def test_every_call_once_on_time_with_bounded_requests(
    calls: int,
    seconds: float,
    fail_ratio: float,
    rerun_ratio: float,
    page_size: int,
    polls_per_run: float,
    latency_share: float,
    start_share: float,
    seed: int,
) -> None:
    poll_interval = seconds / polls_per_run
    time = VirtualTime(latency=poll_interval * latency_share)
    fake = _fake(time)
    eid = fake.run_execution(
        _RUN_TEST,
        calls=calls,
        seconds=seconds,
        fail_ratio=fail_ratio,
        rerun_ratio=rerun_ratio,
        seed=seed,
    )
    live = _live(fake, eid)
    time.t = live.started + seconds * start_share
    start = time.t
    time.log.clear()
    async with fake.client() as client:
        seen, ended = await _watch_all(
            client, eid, time, poll_interval=poll_interval, page_size=page_size
        )
    ids = [c.id for _, c in seen]
    # Every call, exactly once.
    assert len(ids) == len(set(ids)) == calls
    assert set(ids) == {p.id for p in live.plans}
    polls = time.polls()
    # A poll takes its requests' time; nothing else moves the clock while it runs.
    slowest = max(len(p) for p in polls) * time.latency
    for at, call in seen:
        assert call.id is not None
        assert is_final(call)
        # Final when the poll that yielded it read it.
        reads = [r for r in time.requests if at - slowest - 1e-9 <= r <= at]
        assert any(is_final_at(live, call.id, r) for r in reads)
        final = became_final(live, call.id, start, poll_interval + slowest)
        if final is not None:
            assert at <= final + poll_interval + slowest + 1e-9
    # The iterator ends within one poll interval of the execution's end.
    assert ended <= max(start, live.started + live.end) + poll_interval + 2 * slowest + 1e-9
    # Requests per poll: the first reads every page; later ones 1 + changed // page_size,
    # read again (up to three times) when a rerun shrank the listing, plus the end's checks.
    everything = max(1, math.ceil(calls / page_size)) + 1
    assert len(polls[0]) <= everything + (2 + calls // page_size if len(polls) == 1 else 0)
    skew = SKEW.total_seconds()
    mark = -math.inf
    for k, (previous, poll) in enumerate(itertools.pairwise(polls)):
        # The mark the previous poll left: its page 1's newest row (of the final calls
        # after the first poll), unless a rerun there may have kept the older one.
        if not reran_between(live, previous[0] - 1e-9, previous[-1]):
            mark = max(mark, newest_update(live, previous[0], final_only=k > 0))
        after = min(mark, previous[0]) - skew - 2e-6
        changed = changed_between(live, after, poll[-1]) + 1
        scans = 3 if reran_between(live, after, poll[-1]) else 1
        bound = scans * (1 + changed // page_size)
        if poll is polls[-1]:
            bound += 1 + everything  # the count at the end, and a last full read if short
        assert len(poll) <= bound


async def test_a_finished_execution_is_read_once_and_ends() -> None:
    time = VirtualTime()
    fake = _fake(time, DatasetSpec(calls_per_execution=40))
    eid = fake.dataset.executions[0].id
    async with fake.client() as client:
        seen, _ = await _watch_all(client, eid, time, poll_interval=1.0, page_size=15)
    assert sorted(str(c.id) for _, c in seen) == sorted(c.id for c in fake.dataset.calls_of(eid))
    assert fake.stats.requests_served == 3  # 40 rows, 15 a page
    assert time.sleeps == []


async def test_eval_names_keep_only_those_evals() -> None:
    time = VirtualTime()
    fake = _fake(time)
    eid = fake.run_execution(_RUN_TEST, calls=20, seconds=10, seed=1, fail_ratio=0)
    run_test = fake.dataset.run_tests[0]
    config = run_test.eval_configs[1]
    async with fake.client() as client:
        seen, _ = await _watch_all(
            client, eid, time, poll_interval=0.5, eval_names=[config.name.upper()]
        )
        assert len(seen) == 20
        assert all(set(c.eval_outputs) == {config.id} for _, c in seen)
        with pytest.raises(ValueError, match="no eval named"):
            await _watch_all(client, eid, time, poll_interval=0.5, eval_names=["nope"])


async def test_wait_returns_the_final_record() -> None:
    time = VirtualTime()
    fake = _fake(time)
    eid = fake.run_execution(_RUN_TEST, calls=30, seconds=20, seed=4)
    time.requests.clear()
    async with fake.client() as client:
        record = await wait(
            client.test_executions,
            client.simulation,
            eid,
            timeout=None,
            poll_interval=1.0,
            eval_names=None,
            summary=False,
            timer=time,
        )
    assert record.status == "completed"
    assert record.total_calls == 30
    assert record.eval_results
    assert time.t >= _live(fake, eid).started + 20
    # One row per poll, each poll one request, then the record.
    assert len(time.requests) == len(time.sleeps) + 2


async def test_never_ending_execution_times_out_at_the_deadline() -> None:
    time = VirtualTime()
    fake = _fake(time, DatasetSpec(run_tests=2, executions_per_run_test=3))
    running = next(e for e in fake.dataset.executions if e.status == "running")
    async with fake.client() as client:
        with pytest.raises(APITimeoutError, match="timeout=30s"):
            await _watch_all(client, running.id, time, poll_interval=4.0, timeout=30)
        assert time.t == pytest.approx(30.0)
        with pytest.raises(APITimeoutError):
            await wait(
                client.test_executions,
                client.simulation,
                running.id,
                timeout=12,
                poll_interval=5.0,
                eval_names=None,
                summary=False,
                timer=time,
            )


async def test_unknown_execution_is_not_found_at_the_first_poll() -> None:
    fake = FakeAPI(_SPEC)
    async with fake.client() as client:
        it = client.test_executions.watch("00000000-0000-4000-8000-000000000000")
        fake.stats.reset()
        with pytest.raises(NotFoundError):
            await anext(aiter(it))
        assert fake.stats.requests_served == 1
        with pytest.raises(NotFoundError):
            await client.test_executions.wait("00000000-0000-4000-8000-000000000000")


@pytest.mark.parametrize("interval", [0, -1, math.nan, math.inf, "5", True, None])
async def test_bad_poll_interval_is_a_value_error_before_any_request(interval: Any) -> None:
    fake = FakeAPI(_SPEC)
    eid = fake.dataset.executions[0].id
    async with fake.client() as client:
        with pytest.raises(ValueError, match="poll_interval"):
            client.test_executions.watch(eid, poll_interval=interval)
        with pytest.raises(ValueError, match="poll_interval"):
            await client.test_executions.wait(eid, poll_interval=interval)
        with pytest.raises(ValueError, match="timeout"):
            client.test_executions.watch(eid, timeout=0)
        with pytest.raises(ValueError, match="execution_id"):
            client.test_executions.watch("not-a-uuid")
    assert fake.stats.requests_served == 0


async def test_breaking_out_leaves_nothing_running() -> None:
    """The public method: half-way through the run some calls are final; take one, break."""
    time = VirtualTime()
    fake = _fake(time)
    eid = fake.run_execution(_RUN_TEST, calls=30, seconds=3600, seed=2)
    time.t = _live(fake, eid).started + 1800
    async with fake.client() as client:
        calls = client.test_executions.watch(eid, poll_interval=0.01)
        async for _ in calls:
            break
        served = fake.stats.requests_served
        assert served >= 1
        assert fake.stats.in_flight == 0
        await calls.aclose()
        await anyio.sleep(0.05)
        assert fake.stats.requests_served == served
        with pytest.raises(StopAsyncIteration):
            await anext(calls)


async def test_public_watch_and_wait_on_a_short_run() -> None:
    """End to end on real time: a run of 0.3 s watched every 20 ms."""
    fake = FakeAPI(_SPEC)
    eid = fake.run_execution(_RUN_TEST, calls=12, seconds=0.3, seed=6)
    async with fake.client() as client:
        ids = [c.id async for c in client.test_executions.watch(eid, poll_interval=0.02)]
        record = await client.test_executions.wait(eid, timeout=5)
    assert len(ids) == len(set(ids)) == 12
    assert record.status == "completed"


@pytest.mark.parametrize("anyio_backend", ["asyncio"])
async def test_over_a_loopback_port_with_aiohttp() -> None:
    time = VirtualTime()
    fake = _fake(time)
    eid = fake.run_execution(_RUN_TEST, calls=25, seconds=10, seed=8, rerun_ratio=0.5)
    async with (
        fake.serve() as base_url,
        AsyncClient(
            TEST_API_KEY, TEST_SECRET_KEY, base_url=base_url, http_backend="aiohttp"
        ) as client,
    ):
        seen, _ = await _watch_all(client, eid, time, poll_interval=0.7, page_size=7)
    assert sorted(str(c.id) for _, c in seen) == sorted(p.id for p in _live(fake, eid).plans)
