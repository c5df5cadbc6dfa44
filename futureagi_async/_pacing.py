"""Pacing: a client's requests kept under the organisation's rate limit, and a 429 met once.

The API limits each organisation to a number of requests per fixed window (a minute) and
answers past it with 429 and `Retry-After` = the seconds left. Workers that each back off
on their own come back together at the window's edge, and most of them get 429 again. So:

- `RateLimit(requests, per_seconds)` paces: each request takes a turn, and no window of
  `per_seconds` (a little more, for the network's jitter) holds more than `requests` turns.
  A client and its views share the turns; a view's own `rate_limit` is a budget within them.
- A 429 pauses the whole client (the `Throttle`, shared) until its `Retry-After` has passed,
  once: a 429 to a request sent before that pause began is the same event, and what was sent
  before the pause no longer counts against the window that follows it.
- Without a `RateLimit`, a 429 also halves the client's concurrency (half of what was in
  flight, as TCP does), each other 429 of the same burst takes one more slot (those requests
  were all past the limit), and each calm second (no 429) gives one slot back, up to
  `max_concurrency`: additive increase, multiplicative decrease.

Everything here is anyio, so it runs on asyncio and trio alike.
"""

from __future__ import annotations

import logging
import math
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import AsyncExitStack, contextmanager
from typing import Any

import anyio
import attrs

from ._errors import ConfigurationError
from ._retry import retries_are_instant

__all__ = ["ClientStats", "Pace", "RateLimit", "Throttle", "watch_waits"]

logger = logging.getLogger("futureagi_async")

#: Each window is taken this much longer, so a request that reaches the server a little
#: sooner than the one it replaces does not land in the same server window.
WINDOW_MARGIN = 0.02
#: A calm stretch this long (no 429) gives one slot of concurrency back.
CALM_SECONDS = 1.0
#: The pause for a 429 that gives no usable `Retry-After`.
DEFAULT_PAUSE = 1.0
#: Waits shorter than this are not worth a log line.
_NOTABLE_WAIT = 0.01

WaitListener = Callable[[float], object]
_listeners: list[WaitListener] = []


@contextmanager
def watch_waits(listener: WaitListener) -> Iterator[None]:
    """Call `listener(seconds)` whenever a request starts waiting for the rate limit.

    Process-wide, for the CLI's progress bars, which know no client.
    """
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def _announce(seconds: float) -> None:
    for listener in list(_listeners):
        try:
            listener(seconds)
        except Exception:  # a progress bar must never break a request
            logger.debug("a rate-limit wait listener failed", exc_info=True)


def _check_requests(_: object, __: object, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigurationError(
            f"RateLimit.requests must be a whole number of requests >= 1, got {value!r}"
        )


def _check_seconds(_: object, __: object, value: Any) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ConfigurationError(
            f"RateLimit.per_seconds must be a positive number of seconds, got {value!r}"
        )


@attrs.frozen
class RateLimit:
    """At most `requests` requests in any `per_seconds` seconds: the organisation's limit.

    `RateLimit(600, 60)` for 600 requests a minute.
    """

    requests: int = attrs.field(validator=_check_requests)
    per_seconds: float = attrs.field(validator=_check_seconds)


@attrs.frozen
class ClientStats:
    """What a client (with its views) has done so far; a snapshot, see `AsyncClient.stats`.

    `wait_seconds` sums every request's wait for the rate limit (its turn, or a pause after
    a 429); `pauses` counts the 429s that paused the client (429s to requests already in
    flight then are counted in `rate_limited` only); `concurrency` is the current bound.
    """

    requests: int
    retries: int
    rate_limited: int
    pauses: int
    wait_seconds: float
    concurrency: int


class Pace:
    """The turns of one `RateLimit`: the send times of the last `requests` requests."""

    def __init__(self, rate_limit: RateLimit):
        self.rate_limit = rate_limit
        self.window = rate_limit.per_seconds * (1 + WINDOW_MARGIN)
        self.lock = anyio.Lock()
        self._sent: deque[float] = deque()

    def wait(self, now: float, forget_before: float) -> float:
        """Seconds until the next turn (0: now)."""
        sent = self._sent
        # The same sum as the wait below, so a turn that is due is always pruned (floats).
        while sent and (sent[0] + self.window <= now or sent[0] < forget_before):
            sent.popleft()
        if len(sent) < self.rate_limit.requests:
            return 0.0
        return sent[0] + self.window - now

    def take(self, now: float) -> None:
        self._sent.append(now)


class Throttle:
    """What a client and its views share about the limit: the pause, the bound, the counts."""

    def __init__(self, limiter: anyio.CapacityLimiter, *, max_concurrency: int, adaptive: bool):
        self.limiter = limiter
        self.max_concurrency = max_concurrency
        #: Whether a 429 lowers the concurrency (the client has no `RateLimit`).
        self.adaptive = adaptive
        self.epoch = 0
        self.paused_until = -math.inf
        self.pause_began = -math.inf
        self._calm_since = 0.0  # read only after a decrease has set it
        self.requests = 0
        self.retries = 0
        self.rate_limited_count = 0
        self.pauses = 0
        self.wait_seconds = 0.0

    def stats(self) -> ClientStats:
        return ClientStats(
            requests=self.requests,
            retries=self.retries,
            rate_limited=self.rate_limited_count,
            pauses=self.pauses,
            wait_seconds=self.wait_seconds,
            concurrency=int(self.limiter.total_tokens),
        )

    async def turn(self, paces: Sequence[Pace]) -> tuple[int, float]:
        """Wait for the pause to pass and for a turn of every pace; then the request goes.

        Returns (the pause epoch it is sent in, seconds waited: 0 when the turn was free).
        Call it holding a slot of the concurrency bound, right before sending, so the turn's
        time is the send's. A view's own pace (the last) is waited for first, holding only
        its lock, so a view's slower budget never holds up the client's other requests.
        """
        started = anyio.current_time()
        waited = False
        async with AsyncExitStack() as stack:
            # Innermost first; each lock then held while the outer ones are waited for. Every
            # request takes them in that order, so none waits on another in a cycle.
            held: list[Pace] = []
            for pace in reversed(paces):
                await stack.enter_async_context(pace.lock)
                held.append(pace)
                waited |= await self._wait(held)
            if not paces:
                waited |= await self._wait(held)
            now = anyio.current_time()
            for pace in held:
                pace.take(now)
        # Taking a free turn costs a checkpoint or two; only a real wait counts as one.
        seconds = anyio.current_time() - started if waited else 0.0
        self.requests += 1
        self.wait_seconds += seconds
        return self.epoch, seconds

    async def _wait(self, paces: Sequence[Pace]) -> bool:
        """Sleep until the pause is over and each of `paces` has a turn; whether it slept."""
        slept = False
        while True:
            now = anyio.current_time()
            forget = self.pause_began if now >= self.paused_until else -math.inf
            wait = max([self.paused_until - now, *(pace.wait(now, forget) for pace in paces)])
            if wait <= 0:
                return slept
            # A pause was announced when it began; a turn's wait is told here.
            if not slept and wait >= _NOTABLE_WAIT and now >= self.paused_until:
                _announce(wait)
                logger.debug("waiting %.2fs for a turn within the rate limit", wait)
            slept = True
            await anyio.sleep(wait)

    def rate_limited(self, epoch: int, pause: float) -> float:
        """A 429 to a request sent in `epoch`: pause the client (once per event).

        `pause` is the bounded `Retry-After`. Returns the seconds left of the client's pause.
        """
        self.rate_limited_count += 1
        now = anyio.current_time()
        if epoch == self.epoch - 1 and self.adaptive:
            # Sent with the one that paused the client, and also past the limit: the
            # window had room for none of them, so neither does the concurrency.
            self.limiter.total_tokens = max(1, int(self.limiter.total_tokens) - 1)
        if epoch == self.epoch:
            self.epoch += 1
            self.pauses += 1
            pause = 0.0 if retries_are_instant() else max(0.0, pause)
            self.pause_began = now
            self.paused_until = max(self.paused_until, now + pause)
            concurrency = ""
            if self.adaptive:
                # Half of what was in flight (TCP's FlightSize / 2), not of the bound,
                # which a pager's look-ahead may never have filled.
                in_flight = self.limiter.borrowed_tokens + 1
                total = max(1, min(int(self.limiter.total_tokens), in_flight) // 2)
                self.limiter.total_tokens = total
                self._calm_since = self.paused_until
                concurrency = f"; concurrency now {total}"
            logger.debug(
                "rate limited (429): pausing every request of this client for %.2fs%s",
                pause,
                concurrency,
            )
            if pause >= _NOTABLE_WAIT:
                _announce(pause)
        return max(0.0, self.paused_until - now)

    def succeeded(self) -> None:
        """A calm answer: give one slot back per calm second since the last change."""
        if not self.adaptive:
            return
        total = int(self.limiter.total_tokens)
        if total >= self.max_concurrency:
            return
        now = anyio.current_time()
        steps = int((now - self._calm_since) // CALM_SECONDS)
        if steps > 0:
            self.limiter.total_tokens = min(self.max_concurrency, total + steps)
            self._calm_since = now
