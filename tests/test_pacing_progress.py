"""The CLI's progress says when the client waits for the rate limit."""

from __future__ import annotations

import io

import pytest

import futureagi_async as fa
from futureagi_async._retry import instant_retries
from futureagi_async.cli._progress import WAITING, ProgressBar
from futureagi_async.testing import FakeAPI


@pytest.mark.anyio
async def test_a_pause_shows_in_the_progress_lines() -> None:
    fake = FakeAPI()
    stream = io.StringIO()
    fake.faults.push("429-envelope")
    with instant_retries(False), ProgressBar("exporting", enabled=True, stream=stream) as bar:
        async with fake.client(rate_limit=fa.RateLimit(5, 0.6)) as client:
            await client.run_tests.get(fake.dataset.run_tests[0].id)
        bar.update(1, 1)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith(f"exporting: {WAITING} (0.6s)")
    assert lines[-1] == "exporting: 1/1"


def test_short_waits_and_closed_bars_say_nothing() -> None:
    from futureagi_async._pacing import _announce

    stream = io.StringIO()
    with ProgressBar("reading", enabled=True, stream=stream) as bar:
        _announce(0.1)  # a paced client's every-request wait: not worth a line
        assert not bar.waiting
        _announce(5.0)
        assert bar.waiting
        _announce(5.0)  # the same wait, told again: one line
    _announce(5.0)  # the bar is closed: it no longer listens
    assert stream.getvalue() == f"reading: {WAITING} (5.0s)\n"
    with ProgressBar("off", enabled=False, stream=stream) as off:
        _announce(5.0)
        assert not off.waiting
