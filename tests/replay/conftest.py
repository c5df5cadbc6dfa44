"""`replay`: a client whose every request is answered from the real backend's recordings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx2
import pytest

from futureagi_async import AsyncClient

from ._recordings import REPLAY_API_KEY, REPLAY_SECRET_KEY, ReplayTransport

Connect = Callable[..., AbstractAsyncContextManager[AsyncClient]]


@pytest.fixture
def transport() -> ReplayTransport:
    return ReplayTransport()


@pytest.fixture
def strict(transport: ReplayTransport, request: pytest.FixtureRequest) -> Iterator[ReplayTransport]:
    """The transport, checked at teardown: no request may have gone unanswered.

    An xfail test fails in its body already (the transport raises `UnrecordedRequest`).
    """
    yield transport
    if request.node.get_closest_marker("xfail"):
        return
    assert not transport.unanswered, f"requests no recording answers: {transport.unanswered}"


@pytest.fixture
def connect(strict: ReplayTransport) -> Connect:
    """`async with connect() as client`; keyword arguments go to `AsyncClient`."""

    @asynccontextmanager
    async def client(
        api_key: str = REPLAY_API_KEY,
        secret_key: str = REPLAY_SECRET_KEY,
        *,
        http_headers: dict[str, str] | None = None,
        **kwargs: object,
    ) -> AsyncIterator[AsyncClient]:
        async with (
            httpx2.AsyncClient(transport=strict.transport(), headers=http_headers) as http,
            AsyncClient(
                api_key,
                secret_key,
                base_url="http://127.0.0.1",
                http_client=http,
                max_retries=0,
                **kwargs,  # type: ignore[arg-type]
            ) as c,
        ):
            yield c

    return client
