"""A virtual time shared by the fake's clock and a watcher: no test sleeps for real."""

from __future__ import annotations

import math

import anyio.lowlevel
import attrs

from futureagi_async.testing._live import LiveExecution


@attrs.define
class VirtualTime:
    """The watcher's timer and the fake's clock at once.

    Each request the fake serves reads the clock once and takes `latency` seconds of
    virtual time; a watcher's sleep moves time on by what it asks. `requests` and `sleeps`
    log when each request was served and when each poll ended, so a test can cut the
    request log into polls.
    """

    t: float = 0.0
    latency: float = 0.0
    requests: list[float] = attrs.Factory(list)
    sleeps: list[float] = attrs.Factory(list)
    #: Requests and sleeps in order: `("request", t)`, `("sleep", t)`.
    log: list[tuple[str, float]] = attrs.Factory(list)

    @property
    def real(self) -> bool:
        return False

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(self.t)
        self.log.append(("sleep", self.t))
        self.t += seconds
        await anyio.lowlevel.checkpoint()

    def clock(self) -> float:
        self.t += self.latency
        self.requests.append(self.t)
        self.log.append(("request", self.t))
        return self.t

    def polls(self) -> list[list[float]]:
        """The request log cut at each sleep: one list of request times per poll."""
        polls: list[list[float]] = [[]]
        for kind, at in self.log:
            if kind == "sleep":
                polls.append([])
            else:
                polls[-1].append(at)
        return [p for p in polls if p]


def final_spans(live: LiveExecution, call_id: str) -> list[tuple[float, float]]:
    """When the call is final, on the clock (not since the start)."""
    plan = next(p for p in live.plans if p.id == call_id)
    return [(live.started + a, live.started + b) for a, b in plan.final_intervals()]


def is_final_at(live: LiveExecution, call_id: str, t: float) -> bool:
    return any(a <= t < b for a, b in final_spans(live, call_id))


def became_final(live: LiveExecution, call_id: str, since: float, hold: float) -> float | None:
    """The first moment at or after `since` from which the call stays final `hold` seconds
    (a shorter final spell, ended by a rerun, may rightly go unseen); None if none."""
    for a, b in final_spans(live, call_id):
        start = max(a, since)
        if b - start >= hold:
            return start
    return None


def changed_between(live: LiveExecution, after: float, until: float) -> int:
    """How many calls had an event (creation included) in `(after, until]` on the clock."""
    lo, hi = after - live.started, until - live.started
    return sum(any(lo < e <= hi for e in p.events) for p in live.plans)


_TERMINAL = frozenset({"completed", "failed", "cancelled"})


def newest_update(live: LiveExecution, at: float, *, final_only: bool) -> float:
    """The clock time of the newest row update visible at `at` (of calls in a terminal
    status, with `final_only`): the mark a watcher's poll takes from page 1 then."""
    t = at - live.started
    newest = -math.inf
    for plan in live.plans:
        passed = [e for e in plan.events if e <= t]
        if not passed:
            continue
        if final_only:
            record = live._call_at(plan, t)
            if record is None or record.status not in _TERMINAL:
                continue
        newest = max(newest, passed[-1])
    return live.started + newest


def reran_between(live: LiveExecution, after: float, until: float) -> bool:
    return any(after < live.started + r <= until for p in live.plans for r in p.reruns)
