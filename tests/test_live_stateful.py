"""`watch()` as state that can go wrong in many orders: a consumer that pulls, dawdles,
breaks off and starts again while the execution runs on (hypothesis stateful testing).

Each machine drives one live execution of the fake on virtual time through a blocking
portal (the rules are synchronous; the watcher lives on the portal's event loop).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterator
from contextlib import AbstractContextManager

import anyio.from_thread
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from futureagi_async import AsyncClient, CallExecution
from futureagi_async._live import is_final, watch
from futureagi_async.testing import DatasetSpec, FakeAPI
from futureagi_async.testing._live import LiveExecution

from .live_helpers import VirtualTime, is_final_at


class WatchMachine(RuleBasedStateMachine):
    portal: anyio.from_thread.BlockingPortal

    def __init__(self) -> None:
        super().__init__()
        self.time = VirtualTime()
        self.fake = FakeAPI(
            DatasetSpec(run_tests=2, executions_per_run_test=1, calls_per_execution=2),
            clock=self.time.clock,
        )
        self._client_cm: AbstractContextManager[AsyncClient] = (
            self.portal.wrap_async_context_manager(self.fake.client())
        )
        self.client = self._client_cm.__enter__()
        self.execution_id = ""
        self.poll_interval = 1.0
        self.page_size = 10
        self.watcher: AsyncGenerator[CallExecution, None] | None = None
        self.yielded: list[str] = []
        self.ended = False
        self.restarts = 0

    def _start(self) -> None:
        self.watcher = watch(
            self.client.test_executions,
            self.execution_id,
            poll_interval=self.poll_interval,
            eval_names=None,
            timeout=None,
            page_size=self.page_size,
            timer=self.time,
        )
        self.yielded, self.ended = [], False

    def _close(self) -> None:
        if self.watcher is not None:
            self.portal.call(self.watcher.aclose)
            self.watcher = None

    @initialize(
        calls=st.integers(0, 40),
        seconds=st.floats(1.0, 30.0),
        fail_ratio=st.sampled_from([0.0, 0.3]),
        rerun_ratio=st.sampled_from([0.0, 0.5]),
        poll_share=st.floats(0.02, 0.5),
        page_size=st.integers(1, 15),
        seed=st.integers(0, 1000),
    )
    def start(
        self,
        calls: int,
        seconds: float,
        fail_ratio: float,
        rerun_ratio: float,
        poll_share: float,
        page_size: int,
        seed: int,
    ) -> None:
        self.execution_id = self.fake.run_execution(
            "Billing bot nightly",
            calls=calls,
            seconds=seconds,
            fail_ratio=fail_ratio,
            rerun_ratio=rerun_ratio,
            seed=seed,
        )
        self.poll_interval = seconds * poll_share
        self.page_size = page_size
        self._start()

    @property
    def live(self) -> LiveExecution:
        live = self.fake.dataset.live_execution(self.execution_id)
        assert live is not None
        return live

    @precondition(lambda self: self.watcher is not None and not self.ended)
    @rule(pulls=st.integers(1, 5))
    def pull(self, pulls: int) -> None:
        assert self.watcher is not None
        for _ in range(pulls):
            try:
                call = self.portal.call(anext, self.watcher)
            except StopAsyncIteration:
                self.ended = True
                return
            assert call.id is not None
            assert call.id not in self.yielded
            assert is_final(call)
            # Final at some request of the poll that yielded it (no time passed since).
            assert is_final_at(self.live, call.id, self.time.requests[-1])
            self.yielded.append(call.id)

    @rule(seconds=st.floats(0.0, 5.0))
    def dawdle(self, seconds: float) -> None:
        """The consumer is busy: the execution runs on, the watcher is not polling."""
        self.time.t += seconds

    @precondition(lambda self: self.watcher is not None)
    @rule()
    def break_off_and_start_again(self) -> None:
        self._close()
        self.restarts += 1
        self._start()

    @precondition(lambda self: self.watcher is not None and not self.ended)
    @rule()
    def drain(self) -> None:
        assert self.watcher is not None
        while not self.ended:
            self.pull(50)

    @invariant()
    def nothing_in_flight(self) -> None:
        assert self.fake.stats.in_flight == 0

    @invariant()
    def an_ended_watch_yielded_every_call_once_after_the_end(self) -> None:
        if not self.ended:
            return
        live = self.live
        assert sorted(self.yielded) == sorted(p.id for p in live.plans)
        assert self.time.t >= live.started + live.end

    def teardown(self) -> None:
        self._close()
        self._client_cm.__exit__(None, None, None)


@pytest.fixture(params=["asyncio", "trio"])
def portal(request: pytest.FixtureRequest) -> Iterator[anyio.from_thread.BlockingPortal]:
    with anyio.from_thread.start_blocking_portal(request.param) as portal:
        yield portal


def test_watch_in_any_order(portal: anyio.from_thread.BlockingPortal) -> None:
    WatchMachine.portal = portal
    run_state_machine_as_test(
        WatchMachine,
        settings=settings(
            max_examples=15,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
