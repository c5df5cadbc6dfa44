"""Testing your own code against the fake API, pytest style.

Needs the `examples` extra (pytest): from a clone, `pip install -e ".[examples]"`.

`futureagi_async.testing.FakeAPI` serves a seeded dataset through the same five endpoints,
with the real API's quirks, so code under test talks to it through a normal `AsyncClient`:
in-process (`fake.transport()`, no sockets) or on a loopback port (`fake.serve()`). Faults
can be scripted (`fake.faults.push("429")`) to test how your code copes.

    pytest examples/testing_with_the_fake.py
    python examples/testing_with_the_fake.py   # the same, via pytest.main
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator

import httpx2
import pytest

from futureagi_async import AsyncClient, instant_retries
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, DatasetSpec, FakeAPI

# --- your code ---------------------------------------------------------------------------


async def worst_scenarios(client: AsyncClient, run_test: str, top: int = 3) -> list[str]:
    """The scenarios whose calls fail evals most often in the latest execution."""
    latest = await anext(aiter(client.simulation.runs(run_test, page_size=1)), None)
    if latest is None or latest.execution_id is None:
        return []
    execution = latest
    failures: Counter[str] = Counter()
    async for call in client.simulation.execution_calls(execution.execution_id):
        failed = sum(1 for output in call.eval_outputs.values() if output.passed is False)
        if failed and call.scenario_name:
            failures[call.scenario_name] += failed
    return [name for name, _ in failures.most_common(top)]


# --- its tests ---------------------------------------------------------------------------

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"  # or parametrize over ["asyncio", "trio"]: the client runs on both


@pytest.fixture
def fake() -> FakeAPI:
    return FakeAPI(DatasetSpec(seed=7, run_tests=2, calls_per_execution=40))


@pytest.fixture
async def client(fake: FakeAPI) -> AsyncIterator[AsyncClient]:
    async with (
        httpx2.AsyncClient(transport=fake.transport()) as http,
        AsyncClient(
            TEST_API_KEY, TEST_SECRET_KEY, base_url="http://127.0.0.1", http_client=http
        ) as client,
    ):
        yield client


@pytest.fixture(autouse=True)
def _no_backoff() -> Iterator[None]:
    instant_retries(True)  # retried faults cost no wall time in tests
    yield
    instant_retries(False)


async def test_worst_scenarios_are_real_scenarios(client: AsyncClient, fake: FakeAPI) -> None:
    run_test = fake.dataset.run_tests[0]
    worst = await worst_scenarios(client, run_test.name)
    assert worst
    assert set(worst) <= {s.name for s in run_test.scenarios}


async def test_an_unknown_run_test(client: AsyncClient) -> None:
    from futureagi_async import NotFoundError

    with pytest.raises(NotFoundError):
        await worst_scenarios(client, "no such run test")


async def test_rate_limits_are_retried(client: AsyncClient, fake: FakeAPI) -> None:
    fake.faults.push("429", times=2)
    worst = await worst_scenarios(client, fake.dataset.run_tests[0].name)
    assert worst
    assert [r.status for r in fake.stats.request_log[:3]] == [429, 429, 200]


async def main(
    base_url: str | None = None,
    *,
    http_client: httpx2.AsyncClient | None = None,
    api_key: str | None = None,
    secret_key: str | None = None,
    run_test: str | None = None,
) -> list[str]:
    """The code under test, run once against whatever `base_url`/`http_client` point to."""
    async with AsyncClient(
        api_key, secret_key, base_url=base_url, http_client=http_client
    ) as client:
        if run_test is None:
            async for first in client.run_tests.list(page_size=1):
                run_test = first.name
                break
        assert run_test is not None
        worst = await worst_scenarios(client, run_test)
    print(f"{run_test}: worst scenarios {worst}")
    return worst


if __name__ == "__main__":
    # anyio is already imported by this module, too late for pytest to rewrite its asserts.
    quiet = ["-q", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    sys.exit(pytest.main([__file__, *quiet]))
