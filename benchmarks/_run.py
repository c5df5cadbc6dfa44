"""One client, one scenario, one process: `python -m benchmarks._run '<json spec>'`.

Prints one JSON line: wall seconds, process CPU seconds and peak RSS of the measured phase.
Each run is a fresh process so that clients never share a pool, a cache or a heap.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio

from ._server import EXECUTION_ID, listing_id

Fetch = Callable[[int], Awaitable[None]]
PATH = f"/simulate/test-executions/{EXECUTION_ID}/"


async def fan_out(fetch: Fetch, fetches: int, concurrency: int) -> None:
    """`concurrency` workers pull indices from one counter: exactly C requests in flight."""
    counter = itertools.count()

    async def worker() -> None:
        while (i := next(counter)) < fetches:
            await fetch(i)

    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker)


def _page_url(base: str, i: int) -> str:
    return f"{base}{PATH}?page={i % 100 + 1}"


# --- scenario runners: (spec) -> coroutine measured as a whole, after setup -------------------


async def raw_aiohttp(spec: dict[str, Any]) -> None:
    import aiohttp

    c = spec["concurrency"]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=c)) as session:

        async def fetch(i: int) -> None:
            async with session.get(_page_url(spec["url"], i)) as r:
                json.loads(await r.read())

        await _measured(spec, fan_out(fetch, spec["fetches"], c))


def _httpx_client(kind: str, c: int) -> Any:
    import httpx

    if kind == "httpx-default":
        return httpx.AsyncClient(
            limits=httpx.Limits(max_connections=c, max_keepalive_connections=c)
        )
    if kind == "httpx-aiohttp":
        from httpx_aiohttp import AiohttpTransport

        limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
        return httpx.AsyncClient(transport=AiohttpTransport(limits=limits))
    if kind == "httpx2":
        import httpx2

        return httpx2.AsyncClient(
            limits=httpx2.Limits(max_connections=c, max_keepalive_connections=c)
        )
    from futureagi_async._transport import create_transport

    return httpx.AsyncClient(transport=create_transport(max_connections=c))


async def raw_httpx(spec: dict[str, Any]) -> None:
    """httpx-shaped clients with a fixed C workers; ours decodes like the library does."""
    kind = spec["client"].removesuffix("-trio")
    if kind == "httpx-ours":
        from futureagi_async._json import loads
    else:
        loads = json.loads
    async with _httpx_client(kind, spec["concurrency"]) as http:

        async def fetch(i: int) -> None:
            r = await http.get(_page_url(spec["url"], i))
            loads(r.content)

        await _measured(spec, fan_out(fetch, spec["fetches"], spec["concurrency"]))


def raw_requests(spec: dict[str, Any]) -> None:
    """The vendor docs' loop: one `requests.Session`, one page after another."""
    import requests

    with requests.Session() as session:
        t0, c0 = time.perf_counter(), time.process_time()
        for i in range(spec["fetches"]):
            json.loads(session.get(_page_url(spec["url"], i)).content)
        _report(time.perf_counter() - t0, time.process_time() - c0)


def _library_client(spec: dict[str, Any]) -> Any:
    # HOOK: the library in its default configuration, as a user would build it.
    import futureagi_async

    extra: dict[str, Any] = {}
    if spec["client"] == "library-on-ours":
        # What the default would be with create_transport under it (not yet wired in).
        import httpx

        from futureagi_async._transport import create_transport

        extra["http_client"] = httpx.AsyncClient(
            transport=create_transport(max_connections=spec["concurrency"])
        )
    return futureagi_async.AsyncClient(  # type: ignore[attr-defined]
        "bench-key",
        "bench-secret",
        base_url=spec["url"],
        max_concurrency=spec["concurrency"],
        **extra,
    )


async def library(spec: dict[str, Any]) -> None:
    """`futureagi_async.AsyncClient`, typed models included."""
    async with _library_client(spec) as client:
        scenario = spec["scenario"]
        if scenario in ("fanout", "cpu"):

            async def fetch(i: int) -> None:
                await client.test_executions.get_page(EXECUTION_ID, page=i % 100 + 1)

            await _measured(spec, fan_out(fetch, spec["fetches"], spec["concurrency"]))
        else:
            # HOOK: the pager; `page_size`/`total` shape the stand-in's listing.
            async def walk() -> None:
                n = 0
                async for _ in client.test_executions.calls(
                    listing_id(spec["rows"]), page_size=spec["page_size"]
                ):
                    n += 1
                assert n == spec["rows"], n

            await _measured(spec, walk())


async def paging(spec: dict[str, Any]) -> None:
    """One page at a time, as the vendor docs page: follow `total_pages` sequentially."""
    from futureagi_async._json import loads

    async with _httpx_client(spec["client"].removeprefix("paging-"), 1) as http:

        async def walk() -> None:
            page, total, rows = 1, 1, 0
            while page <= total:
                r = await http.get(
                    f"{spec['url']}{PATH}",
                    params={"page": page, "limit": spec["page_size"], "total": spec["rows"]},
                )
                doc = loads(r.content)
                rows += len(doc["results"])
                total = doc["total_pages"]
                page += 1
            assert rows == spec["rows"], rows

        await _measured(spec, walk())


async def _measured(spec: dict[str, Any], work: Awaitable[None]) -> None:
    t0, c0 = time.perf_counter(), time.process_time()
    await work
    _report(time.perf_counter() - t0, time.process_time() - c0)


def _report(wall: float, cpu: float) -> None:
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"wall": wall, "cpu": cpu, "maxrss_kb": rss_kb}), flush=True)


def main() -> None:
    spec = json.loads(sys.argv[1])
    if spec.get("cpu") is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {spec["cpu"]})
    name: str = spec["client"]
    backend = "trio" if name.endswith("-trio") else "asyncio"
    if name == "requests":
        raw_requests(spec)
    elif name == "aiohttp":
        anyio.run(raw_aiohttp, spec, backend="asyncio")
    elif name.startswith("library"):
        anyio.run(library, spec, backend=backend)
    elif name.startswith("paging-"):
        anyio.run(paging, spec, backend=backend)
    else:
        anyio.run(raw_httpx, spec, backend=backend)


if __name__ == "__main__":
    main()
