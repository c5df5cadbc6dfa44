"""The backend's rate limit: N requests per fixed window per organisation, then 429s.

Like the backend's usage middleware, windows are aligned to the clock (the UTC minute for a
60-second window: `floor(now / window)`), every request of the organisation counts, and a
request past the limit is answered with the middleware's 429 envelope and `Retry-After` =
the seconds left in the window.

`Retry-After` is a whole number of seconds, as the backend sends it (and the body's
`retry_after` too), rounded up and at least 1. With a window under a second that asks a
client to wait longer than the window itself: a client that knows the window (its
`RateLimit`) can wait less, one that does not waits the whole second.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

import attrs

from . import _envelopes as env
from ._envelopes import Reply

__all__ = ["RateLimiter", "check_rate_limit"]


def check_rate_limit(rate_limit: int | None, rate_window: float) -> None:
    """Bad settings fail when the fake is built, not at its first request."""
    if rate_limit is not None and (
        isinstance(rate_limit, bool) or not isinstance(rate_limit, int) or rate_limit < 1
    ):
        raise ValueError(f"rate_limit must be a whole number >= 1 or None, got {rate_limit!r}")
    if (
        isinstance(rate_window, bool)
        or not isinstance(rate_window, int | float)
        or not math.isfinite(rate_window)
        or rate_window <= 0
    ):
        raise ValueError(f"rate_window must be a positive number of seconds, got {rate_window!r}")


@attrs.define(eq=False)
class RateLimiter:
    """A fixed-window counter shared by every request of the (one) organisation.

    Thread-safe: a loopback fake serves from a thread of its own.
    """

    limit: int
    window: float = 60.0
    clock: Callable[[], float] = time.time
    _index: int = attrs.field(default=-1, init=False)
    _count: int = attrs.field(default=0, init=False)
    _lock: threading.Lock = attrs.field(factory=threading.Lock, init=False, repr=False)

    def admit(self) -> Reply | None:
        """None when the request may go on; else the 429 the backend answers with."""
        now = self.clock()
        index = math.floor(now / self.window)
        with self._lock:
            if index != self._index:
                self._index, self._count = index, 0
            self._count += 1
            if self._count <= self.limit:
                return None
        left = (index + 1) * self.window - now
        wait = max(1, math.ceil(left))
        body = env.rate_limited(wait, middleware=True)
        body["result"]["message"] = (
            f"Rate limit exceeded: {self.limit} api requests per {self.window:g} seconds"
        )
        return 429, [(b"retry-after", str(wait).encode())], body
