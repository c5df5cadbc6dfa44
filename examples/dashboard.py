"""A dashboard's data: the latest execution of many run tests at once, with its pass rates.

`bounded_map` runs one small lookup per run test, `concurrency` at a time, and (with
`ordered=True`) hands the results back in the order of the names; `return_exceptions=True`
keeps one run test without executions from blanking the whole dashboard.

    python examples/dashboard.py              # against the built-in fake, in-process
    FI_API_KEY=... FI_SECRET_KEY=... python examples/dashboard.py --live
"""

from __future__ import annotations

import sys

import anyio
import httpx2

from futureagi_async import AsyncClient, SimulationExecution, bounded_map


async def latest_executions(
    client: AsyncClient, names: list[str], *, concurrency: int = 16
) -> dict[str, SimulationExecution | None]:
    """Each run test's newest execution (None when it has none or could not be read)."""

    async def latest(name: str) -> SimulationExecution | None:
        async for execution in client.simulation.runs(name, page_size=1):
            return execution  # runs are newest first: one page of one is enough
        return None

    found: dict[str, SimulationExecution | None] = {}
    async with bounded_map(
        latest, names, concurrency=concurrency, ordered=True, return_exceptions=True
    ) as results:
        async for outcome in results:
            found[outcome.input] = outcome.value if outcome.ok else None
    return found


async def main(
    base_url: str | None = None,
    *,
    http_client: httpx2.AsyncClient | None = None,
    api_key: str | None = None,
    secret_key: str | None = None,
) -> dict[str, SimulationExecution | None]:
    async with AsyncClient(
        api_key, secret_key, base_url=base_url, http_client=http_client
    ) as client:
        names = sorted({r.name async for r in client.run_tests.list() if r.name})
        board = await latest_executions(client, names)
    for name, execution in board.items():
        if execution is None:
            print(f"{name:<30} (no executions)")
            continue
        rates = ", ".join(
            f"{r.name} {r.total_pass_rate:.1f}%"
            for r in execution.eval_results
            if r.total_pass_rate is not None
        )
        print(f"{name:<30} {execution.status or '?':<10} {rates}")
    return board


if __name__ == "__main__":
    if "--live" in sys.argv:
        anyio.run(main)
    else:
        from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, DatasetSpec, FakeAPI

        fake = FakeAPI(DatasetSpec(seed=0, run_tests=6))

        async def offline() -> None:
            async with httpx2.AsyncClient(transport=fake.transport()) as http:
                await main(
                    "http://127.0.0.1",
                    http_client=http,
                    api_key=TEST_API_KEY,
                    secret_key=TEST_SECRET_KEY,
                )

        anyio.run(offline)
