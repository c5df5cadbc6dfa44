"""`Retry-After` as an HTTP-date (RFC 9110 section 10.2.3) is honoured, and bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx2
import pytest

import futureagi_async as fa
from futureagi_async._errors import error_from_response, retry_after_seconds
from futureagi_async._retry import RetryPolicy, instant_retries

from .test_hostile import ID, mock_client

NOW = datetime(2026, 10, 21, 7, 27, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "value",
    [
        "Wed, 21 Oct 2026 07:28:00 GMT",  # the preferred format
        "Wednesday, 21-Oct-26 07:28:00 GMT",  # RFC 850
        "Wed Oct 21 07:28:00 2026",  # asctime
        "Wed, 21 Oct 2026 07:28:00 -0000",
    ],
)
def test_an_http_date_is_the_seconds_until_it(value: str) -> None:
    assert retry_after_seconds(value, now=NOW) == 30.0


@pytest.mark.parametrize(
    "value",
    [
        "Tue, 20 Oct 2026 07:28:00 GMT",  # already past: the usual backoff
        "Wed, 21 Oct 2026 07:27:30 GMT",  # now
        "Wed, 99 Oct 2026 07:28:00 GMT",
        "Wed, 21 Oct 10000000 07:28:00 GMT",
        "Wed, 21 Oct 2026 07:28:00 +9999",
        "Wed, 21 Oct 2026 07:28:00 GMT" + " " * 100,
        "soon",
        "",
    ],
)
def test_a_past_or_impossible_date_is_ignored(value: str) -> None:
    assert retry_after_seconds(value, now=NOW) is None


def test_a_date_far_ahead_ends_the_retries_as_a_long_number_does() -> None:
    policy = RetryPolicy(max_retry_after=60.0)
    far = retry_after_seconds("Fri, 31 Dec 9999 23:59:59 GMT", now=NOW)
    near = retry_after_seconds("Wed, 21 Oct 2026 07:28:00 GMT", now=NOW)
    with instant_retries(False):
        assert policy.wait_before(1, retry_after=far, remaining=1e12) is None
        assert policy.wait_before(1, retry_after=near, remaining=100.0) == 30.0


def test_a_429_carries_the_date_as_seconds() -> None:
    date = format_datetime(datetime.now(UTC) + timedelta(seconds=40), usegmt=True)
    error = error_from_response(429, {}, b"{}", retry_after_header=date)
    assert isinstance(error, fa.RateLimitError)
    assert error.retry_after is not None
    assert 30 < error.retry_after <= 40


@pytest.mark.anyio
@pytest.mark.parametrize(("ahead", "requests"), [(20, 2), (-20, 2), (3600, 1)])
async def test_a_dated_429_is_retried_unless_the_date_is_too_far(ahead: int, requests: int) -> None:
    sent: list[httpx2.Request] = []

    def handle(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        if len(sent) == 1:
            when = format_datetime(datetime.now(UTC) + timedelta(seconds=ahead), usegmt=True)
            return httpx2.Response(429, json={}, headers={"retry-after": when})
        return httpx2.Response(200, json={"id": ID})

    async with mock_client(handle, max_retries=1) as client:
        if requests == 1:
            with pytest.raises(fa.RateLimitError) as info:
                await client.run_tests.get(ID)
            assert info.value.retry_after is not None
            assert info.value.retry_after > 3000
        else:
            await client.run_tests.get(ID)
    assert len(sent) == requests
