from __future__ import annotations

from collections.abc import Iterator

import pytest

from futureagi_async._retry import instant_retries


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    """Every async test runs on both backends."""
    return str(request.param)


@pytest.fixture(autouse=True)
def _instant_retries() -> Iterator[None]:
    """Retries wait zero seconds in tests; the policy's arithmetic is tested on its own."""
    with instant_retries():
        yield
