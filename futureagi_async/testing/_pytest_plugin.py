"""pytest fixtures for testing your own code against the fake, on asyncio and trio.

Installed with the library and registered through its `pytest11` entry point, so a test only
has to ask for them (async tests run through the anyio pytest plugin):

    @pytest.mark.anyio
    async def test_report(fake_client: AsyncClient, fake_api: FakeAPI) -> None:
        fake_api.faults.push("429")                 # script a fault
        assert await my_report(fake_client) == ...

- `fake_api`: a `FakeAPI` over the default seeded dataset, served in-process. Override the
  fixture in your conftest.py to pick another `DatasetSpec`, dialect or faults.
- `fake_client`: the library's `AsyncClient` wired to `fake_api` with its credentials; its
  retries wait zero seconds while the test runs (the previous setting comes back after).

This module imports pytest; `futureagi_async.testing` itself never imports it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from .._client import AsyncClient
from .._retry import instant_retries
from ._fake import FakeAPI

__all__ = ["fake_api", "fake_client"]


@pytest.fixture
def fake_api() -> FakeAPI:
    """A fresh fake per test: scripted faults, stats and data changes never leak."""
    return FakeAPI()


@pytest.fixture
async def fake_client(fake_api: FakeAPI, anyio_backend: object) -> AsyncIterator[AsyncClient]:
    """An `AsyncClient` on `fake_api`, in-process, with instant retries."""
    with instant_retries():
        async with fake_api.client() as client:
            yield client
