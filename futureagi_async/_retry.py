"""When to retry a request, and how long to wait first. Pure policy: no I/O.

GETs on this API are idempotent, so every outcome that may be transient is retried:
connection failures, timeouts, 408, 429, 502, 503, 504 and 2xx bodies that arrive cut short.
Plain 500s are not: on this API they are deterministic (a page past the end, a missing
execution, an eval crash), and retrying them only delays the error.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from types import TracebackType

import attrs

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "instant_retries", "retries_are_instant"]

RETRYABLE_STATUSES = frozenset({408, 429, 502, 503, 504})

_instant = False


class _Restore:
    """Puts the previous setting back when its `with` block ends."""

    __slots__ = ("_previous",)

    def __init__(self, previous: bool):
        self._previous = previous

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        global _instant
        _instant = self._previous


def instant_retries(enabled: bool = True) -> _Restore:
    """Make every retry wait zero seconds, process-wide, for tests (like stamina's set_testing).

    It takes effect at once; used as `with instant_retries(): ...` (or around a fixture's
    `yield`), it puts the previous setting back when the block ends.
    """
    global _instant  # a process-wide switch is the point
    previous, _instant = _instant, enabled
    return _Restore(previous)


def retries_are_instant() -> bool:
    return _instant


@attrs.frozen
class RetryPolicy:
    """Exponential backoff with full jitter, capped, inside the call's `total_timeout`.

    A `Retry-After` longer than `max_retry_after` or than what is left of the call's time ends
    the retries: waiting would only spend that time on nothing.
    """

    max_retries: int = attrs.field(default=4, validator=attrs.validators.ge(0))
    initial_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

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
