"""A client wired to the fake: in-process through ASGITransport, or over a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx2

from futureagi_async import AsyncClient
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI

__all__ = ["ClientFactory", "in_process", "over_loopback"]

ClientFactory = Callable[..., AbstractAsyncContextManager[AsyncClient]]


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
