"""One client, one scenario, one process: `python -m benchmarks._run '<json spec>'`.

Prints one JSON line: wall seconds, process CPU seconds and peak RSS of the measured phase.
Each run is a fresh process so that clients never share a pool, a cache or a heap.
"""

from __future__ import annotations

import itertools
import json
import os
import resource
import ssl
import sys
import time
from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx2

Fetch = Callable[[int], Awaitable[None]]
#: The fake's test credentials (`futureagi_async.testing`); every client sends them.
HEADERS = {"X-Api-Key": "test-api-key", "X-Secret-Key": "test-secret-key"}
PAGES = 100  # the fan-out cycles over the execution's 100 full pages of 10 rows


async def fan_out(fetch: Fetch, fetches: int, concurrency: int) -> None:
    """`concurrency` workers pull indices from one counter: exactly C requests in flight."""
    counter = itertools.count()

    async def worker() -> None:
        while (i := next(counter)) < fetches:
            await fetch(i)

    async with anyio.create_task_group() as tg:
        for _ in range(concurrency):
            tg.start_soon(worker)


def _path(spec: dict[str, Any]) -> str:
    """The fan-out's pages (`spec["pages"]`): the execution's grid (`grid`, the default; in
    the docs' dialect an execution object whose calls carry transcripts) or the run test's
    call listing (`calls`, rows with transcripts in both dialects)."""
    if spec.get("pages") == "calls":
        return f"/simulate/run-tests/{spec['run_test']}/call-executions/"
    return f"/simulate/test-executions/{spec['execution']}/"


def _page_url(spec: dict[str, Any], i: int) -> str:
    """The same page the library asks for: `?limit=10&page=N`."""
    return f"{spec['url']}{_path(spec)}?limit=10&page={i % PAGES + 1}"


def read_everything(rows: Any) -> None:
    """Read every lazy part of the rows (transcripts, eval maps), as a bulk export does: the
    raw clients' `json.loads` builds all of it too."""
    for row in rows:
        row.transcript  # noqa: B018
        row.eval_outputs  # noqa: B018
        row.eval_metrics  # noqa: B018
        for snapshot in row.rerun_snapshots:
            snapshot.eval_outputs  # noqa: B018


# --- scenario runners: (spec) -> coroutine measured as a whole, after setup -------------------


def _ssl_context(spec: dict[str, Any]) -> ssl.SSLContext | None:
    """Over TLS, a context trusting the benchmark's own CA (`spec["ca"]`, a PEM path)."""
    return ssl.create_default_context(cafile=spec["ca"]) if spec.get("ca") else None


async def raw_aiohttp(spec: dict[str, Any]) -> None:
    import aiohttp

    c = spec["concurrency"]
    connector = aiohttp.TCPConnector(limit=c, ssl=_ssl_context(spec) or True)
    async with aiohttp.ClientSession(connector=connector, headers=HEADERS) as session:

        async def fetch(i: int) -> None:
            async with session.get(_page_url(spec, i)) as r:
                json.loads(await r.read())

        await _measured(spec, fan_out(fetch, spec["fetches"], c))


def _httpx_client(kind: str, spec: dict[str, Any], c: int) -> Any:
    """Raw httpx2 or raw httpx (a comparison point only), C connections kept alive."""
    verify = _ssl_context(spec) or True
    if kind == "httpx":
        import httpx

        limits = httpx.Limits(max_connections=c, max_keepalive_connections=c)
        return httpx.AsyncClient(limits=limits, headers=HEADERS, verify=verify)
    if kind == "httpx2":
        limits2 = httpx2.Limits(max_connections=c, max_keepalive_connections=c)
        return httpx2.AsyncClient(limits=limits2, headers=HEADERS, verify=verify)
    raise ValueError(f"unknown client {kind!r}")


async def raw_httpx(spec: dict[str, Any]) -> None:
    """httpx-shaped clients with a fixed C workers, each page parsed with json.loads."""
    kind = spec["client"].removesuffix("-trio")
    async with _httpx_client(kind, spec, spec["concurrency"]) as http:

        async def fetch(i: int) -> None:
            r = await http.get(_page_url(spec, i))
            json.loads(r.content)

        await _measured(spec, fan_out(fetch, spec["fetches"], spec["concurrency"]))


def raw_requests(spec: dict[str, Any]) -> None:
    """The vendor docs' loop: one `requests.Session`, one page after another."""
    import requests

    with requests.Session() as session:
        session.headers.update(HEADERS)
        session.trust_env = False  # REQUESTS_CA_BUNDLE would override `verify`
        session.verify = spec.get("ca") or True
        t0, c0 = time.perf_counter(), time.process_time()
        if spec["scenario"] == "paging":
            page, total, rows = 1, 1, 0
            while page <= total:
                r = session.get(
                    f"{spec['url']}{_path(spec)}", params={"limit": spec["page_size"], "page": page}
                )
                doc = json.loads(r.content)
                rows += len(doc["results"])
                total = doc["total_pages"]
                page += 1
            assert rows == spec["rows"], rows
        else:
            for i in range(spec["fetches"]):
                json.loads(session.get(_page_url(spec, i)).content)
        _report(time.perf_counter() - t0, time.process_time() - c0)


def _library_client(spec: dict[str, Any]) -> Any:
    """The library as a user would build it: the default pool, or `http_backend="aiohttp"`."""
    import futureagi_async

    aiohttp = spec["client"].startswith("library-aiohttp")
    return futureagi_async.AsyncClient(
        HEADERS["X-Api-Key"],
        HEADERS["X-Secret-Key"],
        base_url=spec["url"],
        max_concurrency=spec["concurrency"],
        verify=_ssl_context(spec) or True,
        http_backend="aiohttp" if aiohttp else "httpx2",
    )


async def library(spec: dict[str, Any]) -> None:
    """`futureagi_async.AsyncClient`, typed models included."""
    async with _library_client(spec) as client:
        scenario = spec["scenario"]
        if scenario in ("fanout", "cpu") and spec.get("pages") == "calls":
            from futureagi_async.models import CallExecution
            from futureagi_async.resources._shared import page_from

            # One page of `client.run_tests.call_executions(...)`, as its pager fetches it.
            path = _path(spec).lstrip("/")

            async def fetch(i: int) -> None:
                page = i % PAGES + 1

                def decode(body: Any) -> Any:
                    return page_from(body, CallExecution, page=page, page_size=10)

                params = {"limit": "10", "page": str(page)}
                got = await client._pipeline.get(path, params, decode)
                read_everything(got.items)

            await _measured(spec, fan_out(fetch, spec["fetches"], spec["concurrency"]))
        elif scenario in ("fanout", "cpu"):

            async def fetch(i: int) -> None:
                got = await client.test_executions.get_page(
                    spec["execution"], page=i % PAGES + 1, page_size=10
                )
                read_everything(got.results)

            await _measured(spec, fan_out(fetch, spec["fetches"], spec["concurrency"]))
        else:
            # The pager; the memory scenario stops after `rows` rows of a longer listing.
            seen: list[str | None] = []

            async def walk() -> None:
                n, want = 0, spec["rows"]
                pager = client.test_executions.calls(spec["execution"], page_size=spec["page_size"])
                async for call in pager:  # no background work: breaking out is enough
                    n += 1
                    if scenario == "paging":
                        seen.append(call.id)
                    if n == want:
                        break
                assert n == want, n

            await _measured(spec, walk())
            if seen:  # items in order: the order one page at a time gives (not measured)
                assert seen == await _ids_in_order(spec), "pager changed the order"


async def _ids_in_order(spec: dict[str, Any]) -> list[str]:
    """Row ids one page at a time (outside the measured phase)."""
    ids: list[str] = []
    async with httpx2.AsyncClient(headers=HEADERS, verify=_ssl_context(spec) or True) as http:
        page, total = 1, 1
        while page <= total and len(ids) < spec["rows"]:
            r = await http.get(
                f"{spec['url']}{_path(spec)}", params={"limit": spec["page_size"], "page": page}
            )
            doc = r.json()
            ids += [row["id"] for row in doc["results"]]
            total, page = doc["total_pages"], page + 1
    return ids[: spec["rows"]]


async def paging(spec: dict[str, Any]) -> None:
    """One page at a time, as the vendor docs page: follow `total_pages` sequentially."""
    async with _httpx_client(spec["client"].removeprefix("paging-"), spec, 1) as http:

        async def walk() -> None:
            page, total, rows = 1, 1, 0
            while page <= total and rows < spec["rows"]:
                r = await http.get(
                    f"{spec['url']}{_path(spec)}",
                    params={"limit": spec["page_size"], "page": page},
                )
                doc = json.loads(r.content)
                rows += len(doc["results"])
                total = doc["total_pages"]
                page += 1
            assert rows >= spec["rows"], rows

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
    if name in ("requests", "paging-requests"):
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
