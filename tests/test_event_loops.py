"""A client belongs to the event loop of its first request (issue 22.4).

Kept across two `anyio.run` calls, its pool would hand the second run connections of a closed
loop; the second run gets a `ClientClosedError` that says what to do, not httpcore2's bare
`RuntimeError: Event loop is closed`.
"""

from __future__ import annotations

from collections.abc import Iterator

import anyio
import anyio.from_thread
import httpx2
import pytest

import futureagi_async as fa
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI

BACKEND_PAIRS = [("asyncio", "asyncio"), ("trio", "trio"), ("asyncio", "trio")]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    """The fake on a loopback port, served from a thread so each test can run its own loops."""
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(FakeAPI().serve()) as url,
    ):
        yield url


async def _first_name(client: fa.AsyncClient) -> str | None:
    async for run_test in client.run_tests.list(page_size=1):
        return run_test.name
    return None


@pytest.mark.parametrize(("first", "second"), BACKEND_PAIRS)
def test_a_client_used_from_a_second_run_says_what_to_do(
    base_url: str, first: str, second: str
) -> None:
    # No kept-alive connections, so the first run's loop closes with none left open (a
    # pooled one would be leaked by the first run itself, which is what the error prevents).
    http = httpx2.AsyncClient(limits=httpx2.Limits(max_keepalive_connections=0))
    client = fa.AsyncClient(
        TEST_API_KEY, TEST_SECRET_KEY, base_url=base_url, max_retries=0, http_client=http
    )

    assert anyio.run(_first_name, client, backend=first) is not None
    with pytest.raises(fa.ClientClosedError, match=r"another event loop.*one client per run"):
        anyio.run(_first_name, client, backend=second)
    anyio.run(client.aclose, backend=second)  # marks it closed, raises nothing
    anyio.run(http.aclose, backend=second)
    assert client.is_closed


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_one_client_per_run_works(base_url: str, backend: str) -> None:
    async def main() -> str | None:
        async with fa.AsyncClient(TEST_API_KEY, TEST_SECRET_KEY, base_url=base_url) as client:
            return await _first_name(client)

    assert anyio.run(main, backend=backend) == anyio.run(main, backend=backend)


@pytest.mark.anyio
async def test_views_share_the_loop_of_their_client() -> None:
    async with FakeAPI().client() as client:
        view = client.with_options(max_retries=0)
        assert await _first_name(view) == await _first_name(client)
