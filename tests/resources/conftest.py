"""Fixtures: the fake in both dialects, and clients wired to it both ways (see helpers)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import cast

import pytest

from futureagi_async import AsyncClient
from futureagi_async.testing import DatasetSpec, Dialect, FakeAPI

from .helpers import ClientFactory, in_process, over_loopback


@pytest.fixture(params=["backend", "docs"])
def dialect(request: pytest.FixtureRequest) -> Dialect:
    return cast(Dialect, request.param)


@pytest.fixture
def fake(dialect: Dialect) -> FakeAPI:
    return FakeAPI(DatasetSpec(seed=7, run_tests=3, calls_per_execution=23), dialect=dialect)


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
