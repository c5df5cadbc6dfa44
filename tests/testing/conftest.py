from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest

from futureagi_async.testing import DatasetSpec, FakeAPI


@pytest.fixture(scope="session")
def fake() -> FakeAPI:
    """A read-only fake shared by tests that neither mutate data nor read stats."""
    return FakeAPI(DatasetSpec(seed=7))


@pytest.fixture
async def http(fake: FakeAPI) -> AsyncIterator[httpx2.AsyncClient]:
    async with fake.http_client() as client:
        yield client
