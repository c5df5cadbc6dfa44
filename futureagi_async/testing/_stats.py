"""What the fake saw: counts, a log and peak concurrency, for assertions in tests."""

from __future__ import annotations

import threading

import attrs

__all__ = ["LoggedRequest", "Stats"]


@attrs.frozen
class LoggedRequest:
    method: str
    path: str
    #: The raw query string, as sent.
    query: str
    status: int
    #: The injected fault kind, if any.
    fault: str | None = None


@attrs.define(eq=False)
class Stats:
    """Counters shared with a server thread, hence the lock."""

    requests_served: int = 0
    request_log: list[LoggedRequest] = attrs.field(factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    _lock: threading.Lock = attrs.field(factory=threading.Lock, repr=False)

    def reset(self) -> None:
        """Zero the counters and the log (requests in flight stay in flight)."""
        with self._lock:
            self.requests_served = 0
            self.request_log = []
            self.max_in_flight = self.in_flight

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def leave(self, record: LoggedRequest) -> None:
        with self._lock:
            self.in_flight -= 1
            self.requests_served += 1
            self.request_log.append(record)
