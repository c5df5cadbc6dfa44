"""A client wired to the fake: in-process through ASGITransport, or over a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx2
import pytest

from futureagi_async import AsyncClient
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, DatasetSpec, FakeAPI

ClientFactory = Callable[..., AbstractAsyncContextManager[AsyncClient]]


@pytest.fixture(params=["backend", "docs"])
def dialect(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def fake(dialect: str) -> FakeAPI:
    return FakeAPI(DatasetSpec(seed=7, run_tests=3, calls_per_execution=23), dialect=dialect)


@asynccontextmanager
async def in_process(fake: FakeAPI, **kwargs: object) -> AsyncIterator[AsyncClient]:
    async with (
        httpx2.AsyncClient(transport=httpx2.ASGITransport(app=fake.app)) as http,
        AsyncClient(
            TEST_API_KEY,
            TEST_SECRET_KEY,
            base_url="http://127.0.0.1",
            http_client=http,
            **kwargs,  # type: ignore[arg-type]
        ) as client,
    ):
        yield client


@asynccontextmanager
async def over_loopback(fake: FakeAPI, **kwargs: object) -> AsyncIterator[AsyncClient]:
    async with (
        fake.serve() as base_url,
        AsyncClient(TEST_API_KEY, TEST_SECRET_KEY, base_url=base_url, **kwargs) as client,  # type: ignore[arg-type]
    ):
        yield client


@pytest.fixture(params=["in-process", "loopback"])
def connect(request: pytest.FixtureRequest, fake: FakeAPI) -> ClientFactory:
    """`async with connect() as client`: the same tests over both ways of reaching the fake."""
    how = in_process if request.param == "in-process" else over_loopback

    def factory(**kwargs: object) -> AbstractAsyncContextManager[AsyncClient]:
        return how(fake, **kwargs)

    return factory


@pytest.fixture
async def client(fake: FakeAPI) -> AsyncIterator[AsyncClient]:
    async with in_process(fake) as client:
        yield client
