"""One watcher of a live execution in its own process: `python -m benchmarks._watch '<spec>'`.

`spec["client"]` is `watch` (`client.test_executions.watch()`) or `full-listing` (what one
writes without it: every `poll_interval`, read the whole grid, one page after another, and
report the calls newly final). Both run until the execution has ended and every call was
reported. Prints one JSON line: wall and CPU seconds, requests, calls reported, and how late
the calls were reported after they became final (median and max, seconds).

The lag is measured against the server's clock: the fake stamps each row's `timestamp` with
the execution's start plus the event's time, and `spec["started"]` is the wall time at which
the server process (which starts the execution as it starts) printed its URL.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from benchmarks._run import HEADERS, _ssl_context

RUN_TEST = "Billing bot nightly"


class _Counting:
    """The resource's pipeline, counting requests (every read of both clients goes here)."""

    def __init__(self, inner: Any):
        self.inner, self.requests = inner, 0

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        self.requests += 1
        return await self.inner.get(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


async def main(spec: dict[str, Any]) -> None:
    import futureagi_async
    from futureagi_async._live import is_final

    async with futureagi_async.AsyncClient(
        HEADERS["X-Api-Key"],
        HEADERS["X-Secret-Key"],
        base_url=spec["url"],
        verify=_ssl_context(spec) or True,
    ) as client:
        async for newest in client.simulation.runs(RUN_TEST, page_size=1).pages():
            record = newest.items[0]
            break
        assert record.execution_id is not None
        assert record.started_at is not None
        eid, started_at = record.execution_id, record.started_at
        grid = client.test_executions
        counting = _Counting(grid._pipeline)
        grid._pipeline = counting  # type: ignore[assignment]
        lags: list[float] = []
        seen: set[str] = set()

        def report(call: futureagi_async.CallExecution) -> None:
            assert call.id is not None
            assert call.id not in seen
            seen.add(call.id)
            if call.timestamp is not None:
                final_at = spec["started"] + (call.timestamp - started_at).total_seconds()
                lags.append(max(0.0, time.time() - final_at))

        async def watch() -> None:
            async for call in grid.watch(eid, poll_interval=spec["poll_interval"]):
                report(call)

        async def full_listing() -> None:
            while True:
                t0 = time.monotonic()
                page, total, status = 1, 1, None
                while page <= total:
                    got = await grid.get_page(eid, page=page, page_size=100)
                    status = status or got.status
                    total = got.total_pages or 0
                    for call in got.results:
                        if call.id not in seen and is_final(call):
                            report(call)
                    page += 1
                if (status or "").casefold() in ("completed", "failed", "cancelled"):
                    return
                await anyio.sleep(max(0.0, t0 + spec["poll_interval"] - time.monotonic()))

        work: Callable[[], Awaitable[None]] = watch if spec["client"] == "watch" else full_listing
        t0, c0 = time.perf_counter(), time.process_time()
        await work()
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": cpu,
                "requests": counting.requests,
                "calls": len(seen),
                "lag_median": statistics.median(lags) if lags else None,
                "lag_max": max(lags) if lags else None,
            }
        ),
        flush=True,
    )


if __name__ == "__main__":
    spec = json.loads(sys.argv[1])
    if spec.get("cpu") is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {spec["cpu"]})
    anyio.run(main, spec)
