"""When to retry a request, and how long to wait first. Pure policy: no I/O.

GETs on this API are idempotent, so every outcome that may be transient is retried:
connection failures, timeouts, 408, 429, 502, 503, 504 and 2xx bodies that arrive cut short.
Plain 500s are not: on this API they are deterministic (a page past the end, a missing
execution, an eval crash), and retrying them only delays the error.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import attrs

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "instant_retries", "retries_are_instant"]

RETRYABLE_STATUSES = frozenset({408, 429, 502, 503, 504})

_instant = False


def instant_retries(enabled: bool = True) -> None:
    """Make every retry wait zero seconds, process-wide. For tests (like stamina's)."""
    global _instant  # a process-wide switch is the point
    _instant = enabled


def retries_are_instant() -> bool:
    return _instant


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with full jitter, capped, inside a time budget per call.

    `budget` bounds the whole call, waits included, so a caller never waits longer than it
    for an answer or an error. A `Retry-After` longer than `max_retry_after` or than what is
    left of the budget ends the retries: waiting would only spend the budget on nothing.
    """

    max_retries: int = attrs.field(default=4, validator=attrs.validators.ge(0))
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0
    budget: float = 120.0

    def backoff(self, retry: int, *, rand: Callable[[], float] = random.random) -> float:
        """Seconds to wait before retry number `retry` (1-based) with no server hint."""
        if _instant:
            return 0.0
        ceiling = min(self.max_delay, self.initial_delay * 2.0 ** (retry - 1))
        return ceiling * rand()

    def wait_before(
        self,
        retry: int,
        *,
        retry_after: float | None,
        remaining: float,
        rand: Callable[[], float] = random.random,
    ) -> float | None:
        """Seconds to wait before retry `retry`, or None when the call should give up."""
        if retry > self.max_retries:
            return None
        if retry_after is not None:
            if retry_after > self.max_retry_after:
                return None
            wait = 0.0 if _instant else retry_after
        else:
            wait = self.backoff(retry, rand=rand)
        return wait if wait < remaining else None
