from __future__ import annotations

from collections.abc import Iterator

import pytest

from futureagi_async._retry import instant_retries


@pytest.fixture(params=[pytest.param(("asyncio", {"debug": True}), id="asyncio"), "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> object:
    """Every async test runs on both backends; asyncio in debug mode, which reports
    never-awaited coroutines, calls from the wrong thread and callbacks that block the loop.
    A test that needs the backend's name takes anyio's `anyio_backend_name` fixture."""
    return request.param


@pytest.fixture(autouse=True)
def _instant_retries() -> Iterator[None]:
    """Retries wait zero seconds in tests; the policy's arithmetic is tested on its own."""
    with instant_retries():
        yield
