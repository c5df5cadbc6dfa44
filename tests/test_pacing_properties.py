"""Properties of the pace and of the fake's fixed window, over many orders of arrival."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

import futureagi_async as fa
from futureagi_async._pacing import Pace
from futureagi_async.testing._limits import RateLimiter

gaps = st.lists(st.floats(min_value=0, max_value=0.5, allow_nan=False), min_size=1, max_size=60)


@settings(max_examples=150, deadline=None)
@given(
    requests=st.integers(min_value=1, max_value=8),
    per_seconds=st.floats(min_value=0.05, max_value=2.0),
    gaps=gaps,
    pause_at=st.one_of(st.none(), st.integers(min_value=0, max_value=59)),
)
def test_no_window_holds_more_than_its_requests(
    requests: int, per_seconds: float, gaps: list[float], pause_at: int | None
) -> None:
    """Requests arriving at any times, each sent at the turn the pace gives it: no span of
    `per_seconds` holds more than `requests` sends, except right after a pause, whose sends
    start a fresh window (the server's ended during the pause)."""
    pace = Pace(fa.RateLimit(requests, per_seconds))
    now, forget = 0.0, -math.inf
    sends: list[float] = []
    for i, gap in enumerate(gaps):
        now += gap
        if i == pause_at:
            forget = now  # a pause that ends at once: everything before it is forgotten
            sends.clear()
        # As `Throttle.turn` does: wait, look again (the clock moves on, by a float's step
        # at least), until the turn is due.
        for _ in range(4):
            wait = pace.wait(now, forget)
            if wait <= 0:
                break
            now = max(now + wait, math.nextafter(now, math.inf))
        assert pace.wait(now, forget) <= 0
        pace.take(now)
        sends.append(now)
        inside = [t for t in sends if t > now - per_seconds]
        assert len(inside) <= requests


@settings(max_examples=150, deadline=None)
@given(
    limit=st.integers(min_value=1, max_value=5),
    window=st.sampled_from([0.25, 0.5, 1.0, 2.0, 60.0]),
    gaps=gaps,
)
def test_the_fake_admits_its_limit_per_aligned_window(
    limit: int, window: float, gaps: list[float]
) -> None:
    now = [1_000_000.0]
    limiter = RateLimiter(limit, window, clock=lambda: now[0])
    admitted: dict[int, int] = {}
    for gap in gaps:
        now[0] += gap
        reply = limiter.admit()
        index = math.floor(now[0] / window)
        if reply is None:
            admitted[index] = admitted.get(index, 0) + 1
            continue
        status, headers, body = reply
        assert status == 429
        assert admitted.get(index, 0) == limit
        retry_after = int(dict(headers)[b"retry-after"])
        left = (index + 1) * window - now[0]
        assert retry_after >= 1
        assert retry_after >= left
        assert retry_after < left + 1
        assert body["result"]["retry_after"] == retry_after
    assert all(count <= limit for count in admitted.values())
