from __future__ import annotations

from collections.abc import Iterator

import pytest

from futureagi_async._retry import RetryPolicy, instant_retries, retries_are_instant


@pytest.fixture
def real_waits() -> Iterator[None]:
    with instant_retries(False):
        yield


@pytest.mark.usefixtures("real_waits")
class TestWaits:
    def test_backoff_is_full_jitter_under_a_doubling_cap(self) -> None:
        policy = RetryPolicy(initial_delay=0.5, max_delay=3.0)
        assert [policy.backoff(n, rand=lambda: 1.0) for n in (1, 2, 3, 4, 5)] == [
            0.5,
            1.0,
            2.0,
            3.0,
            3.0,
        ]
        assert policy.backoff(3, rand=lambda: 0.25) == 0.5

    def test_retry_after_is_honoured(self) -> None:
        policy = RetryPolicy()
        assert policy.wait_before(1, retry_after=7.0, remaining=100.0) == 7.0

    def test_gives_up_past_max_retries(self) -> None:
        policy = RetryPolicy(max_retries=2)
        assert policy.wait_before(3, retry_after=None, remaining=100.0) is None

    def test_gives_up_when_retry_after_exceeds_its_cap(self) -> None:
        policy = RetryPolicy(max_retry_after=30.0)
        assert policy.wait_before(1, retry_after=31.0, remaining=100.0) is None

    def test_gives_up_when_the_wait_would_spend_the_budget(self) -> None:
        policy = RetryPolicy()
        assert policy.wait_before(1, retry_after=10.0, remaining=9.0) is None


def test_instant_switch_zeroes_every_wait() -> None:
    with instant_retries():
        policy = RetryPolicy()
        assert policy.backoff(4) == 0.0
        assert policy.wait_before(1, retry_after=20.0, remaining=100.0) == 0.0


def test_instant_switch_puts_the_previous_setting_back() -> None:
    with instant_retries(False):
        assert not retries_are_instant()
        with instant_retries():
            assert retries_are_instant()
        assert not retries_are_instant()
        instant_retries(True)  # a plain call sets it until the enclosing block ends
        assert retries_are_instant()
    assert retries_are_instant()  # the autouse fixture's setting
