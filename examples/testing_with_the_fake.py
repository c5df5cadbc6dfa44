"""Testing your own code against the fake API, pytest style.

`futureagi_async.testing.FakeAPI` serves a seeded dataset with the real API's quirks, so code
under test talks to it through a normal `AsyncClient`. Installing the library gives pytest two
fixtures: `fake_api` (a `FakeAPI`) and `fake_client` (an `AsyncClient` wired to it in-process,
retries instant). Faults can be scripted (`fake_api.faults.push("429")`) to test how your code
copes; `fake_api.serve()` puts the same fake on a loopback port when you need a real socket.

    pytest examples/testing_with_the_fake.py
    python examples/testing_with_the_fake.py   # the same, via pytest.main
"""

from __future__ import annotations

import sys
from collections import Counter

import httpx2
import pytest

from futureagi_async import AsyncClient, NotFoundError
from futureagi_async.testing import DatasetSpec, FakeAPI

# --- your code ---------------------------------------------------------------------------


async def worst_scenarios(client: AsyncClient, run_test: str, top: int = 3) -> list[str]:
    """The scenarios whose calls fail evals most often in the latest execution."""
    latest = await anext(aiter(client.simulation.runs(run_test, page_size=1)), None)
    if latest is None or latest.execution_id is None:
        return []
    failures: Counter[str] = Counter()
    async for call in client.simulation.execution_calls(latest.execution_id):
        failed = sum(1 for output in call.eval_outputs.values() if output.passed is False)
        if failed and call.scenario_name:
            failures[call.scenario_name] += failed
    return [name for name, _ in failures.most_common(top)]


# --- its tests ---------------------------------------------------------------------------

pytestmark = pytest.mark.anyio


@pytest.fixture(params=["asyncio", "trio"])
def anyio_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)  # the client runs on both


@pytest.fixture
def fake_api() -> FakeAPI:
    """Overrides the plugin's fixture: more calls per execution than the default dataset."""
    return FakeAPI(DatasetSpec(seed=7, calls_per_execution=40))


async def test_worst_scenarios_are_real_scenarios(
    fake_client: AsyncClient, fake_api: FakeAPI
) -> None:
    run_test = fake_api.dataset.run_tests[0]
    worst = await worst_scenarios(fake_client, run_test.name)
    assert worst
    assert set(worst) <= {s.name for s in run_test.scenarios}


async def test_an_unknown_run_test(fake_client: AsyncClient) -> None:
    with pytest.raises(NotFoundError):
        await worst_scenarios(fake_client, "no such run test")


async def test_rate_limits_are_retried(fake_client: AsyncClient, fake_api: FakeAPI) -> None:
    fake_api.faults.push("429", times=2)
    worst = await worst_scenarios(fake_client, "Billing bot nightly")
    assert worst
    assert [r.status for r in fake_api.stats.request_log[:3]] == [429, 429, 200]


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
