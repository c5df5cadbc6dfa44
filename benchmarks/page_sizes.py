"""Which page size to ask for: requests, wall time, bytes and the server's time per 1,000 rows.

Run: `python -m benchmarks.page_sizes [--sizes 10,50,100,...] [--rounds N] [--rows N]`.

The backend caps no `limit` (docs/api-behaviour.md), so the page size is the library's choice.
For each listing the library pages, and each size, the library's own pager (default client:
httpx2's pool, `max_concurrency` 32, lookahead 16) reads a listing of exactly `--rows` rows
(1,000) from the fake at 50 ms latency, in its own pinned process. Measured: requests made and
bytes received (counted at the library's connection), wall time, and the fake's process CPU
per request and per 1,000 rows on the first read (the fake renders rows as the backend does,
then caches the pages; its time per row stands in for the backend's serializer; /proc's clock
ticks make it good to 10 ms). Under a rate limit every request counts: the last column is the
time the same read needs when a budget of 60 requests a minute is the bound. Medians over
rounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import anyio
import httpx2

HEADERS = {"X-Api-Key": "test-api-key", "X-Secret-Key": "test-secret-key"}
LATENCY = 0.05
RATE_PER_MINUTE = 60
CLIENT_CPU, SERVER_CPU = 0, 1

#: The fake's datasets: (name, fake options), each listing exactly `--rows` rows. The ids are
#: found through the API.
DATASETS = {
    "calls": ["--run-tests", "1", "--executions-per-run-test", "1", "--calls-per-execution",
              "{rows}", "--transcript-turns", "10", "--eval-configs", "3", "--deleted-ratio",
              "0", "--snapshot-ratio", "0"],
    "run_tests": ["--run-tests", "{rows}", "--executions-per-run-test", "1",
                  "--calls-per-execution", "0"],
    "executions": ["--run-tests", "1", "--executions-per-run-test", "{rows}",
                   "--calls-per-execution", "0"],
}  # fmt: skip


def _server_cpu(pid: int) -> float:
    """The process's CPU seconds (user + system) from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def fake(dataset: str, rows: int) -> Iterator[tuple[str, int]]:
    """The fake in its own process pinned to the server core: (base URL, pid)."""
    argv = [arg.format(rows=rows) for arg in DATASETS[dataset]]
    cmd = [sys.executable, "-m", "futureagi_async.testing", "--port", "0"]
    cmd += ["--latency", str(LATENCY), *argv]

    def pin() -> None:
        if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
            os.sched_setaffinity(0, {SERVER_CPU})

    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, preexec_fn=pin)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        # The banner lists every run test: drain it, or a full pipe stalls the fake.
        threading.Thread(target=proc.stdout.read, daemon=True).start()
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx2.get(f"{url}/simulate/run-tests/?limit=1", headers=HEADERS, timeout=30)
                break
            except httpx2.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url, proc.pid
    finally:
        proc.terminate()
        proc.wait()


Walk = Callable[[Any, int], AsyncIterator[Any]]


def _listings(ids: dict[str, str]) -> dict[str, tuple[str, Walk]]:
    """Listing name -> (dataset, how the library walks it at a page size)."""
    return {
        "run tests `/simulate/run-tests/`": (
            "run_tests",
            lambda client, size: client.run_tests.list(page_size=size).__aiter__(),
        ),
        "a run test's calls `/simulate/run-tests/{id}/call-executions/`": (
            "calls",
            lambda client, size: client.run_tests.call_executions(
                ids["calls.run_test"], page_size=size
            ).__aiter__(),
        ),
        "an execution's grid `/simulate/test-executions/{id}/`": (
            "calls",
            lambda client, size: client.test_executions.calls(
                ids["calls.execution"], page_size=size
            ).__aiter__(),
        ),
        "SDK run records `/sdk/api/v1/simulation/runs/`": (
            "executions",
            lambda client, size: client.simulation.runs(
                ids["executions.run_test_name"], page_size=size
            ).__aiter__(),
        ),
        "SDK execution calls `/sdk/.../runs/?execution_id=`": (
            "calls",
            lambda client, size: client.simulation.execution_calls(
                ids["calls.execution"], page_size=size
            ).__aiter__(),
        ),
    }


def find_ids(dataset: str, url: str) -> dict[str, str]:
    with httpx2.Client(base_url=url, headers=HEADERS, timeout=60) as http:
        run_test = http.get("/simulate/run-tests/", params={"limit": 1}).json()["results"][0]
        found = {
            f"{dataset}.run_test": run_test["id"],
            f"{dataset}.run_test_name": run_test["name"],
        }
        rows = http.get(f"/simulate/run-tests/{run_test['id']}/call-executions/?limit=1").json()
        if rows["results"]:
            found[f"{dataset}.execution"] = rows["results"][0]["test_execution_id"]
        return found


async def walk_once(url: str, walk: Walk, size: int, rows: int) -> dict[str, float]:
    """Read `rows` rows at `size`: requests, bytes, wall."""
    import futureagi_async

    async with futureagi_async.AsyncClient(
        HEADERS["X-Api-Key"], HEADERS["X-Secret-Key"], base_url=url
    ) as client:
        connection = client._pipeline.shared.connection
        sent = {"requests": 0, "bytes": 0}
        real_get = connection.get

        async def counting_get(*args: Any) -> Any:
            response = await real_get(*args)
            sent["requests"] += 1
            sent["bytes"] += len(response.content)
            return response

        connection.get = counting_get  # type: ignore[method-assign,assignment]
        n = 0
        started = time.perf_counter()
        async for _ in walk(client, size):
            n += 1
            if n == rows:
                break
        wall = time.perf_counter() - started
    if n != rows:
        raise RuntimeError(f"read {n} rows, wanted {rows}")
    return {"wall": wall, **sent}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10,25,50,100,200,500,1000")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--listings", default="", help="substrings of the listings to measure")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {CLIENT_CPU})
    wanted = [w for w in args.listings.split(",") if w]
    print(f"{args.rows} rows per read, {LATENCY * 1000:.0f} ms latency, medians of {args.rounds}")
    print(f"rate-limited: the read's time when {RATE_PER_MINUTE} requests/minute is the bound\n")
    ids: dict[str, str] = {}
    by_dataset: dict[str, list[str]] = {}
    for name, (dataset, _) in _listings(ids).items():
        if not wanted or any(w in name for w in wanted):
            by_dataset.setdefault(dataset, []).append(name)
    for dataset, names in by_dataset.items():
        # Listings of exactly `rows` rows (no rerun snapshot rows), read to their end.
        with fake(dataset, args.rows) as (url, pid):
            ids.update(find_ids(dataset, url))
            listings = _listings(ids)
            for name in names:
                walk = listings[name][1]
                print(f"{name}:\n")
                print("| page size | requests / 1,000 rows | wall s | KB / page |"
                      " fake CPU ms / page | fake CPU ms / 1,000 rows |"
                      f" s / 1,000 rows at {RATE_PER_MINUTE}/min |")  # fmt: skip
                print("|---:|---:|---:|---:|---:|---:|---:|")
                for size in sizes:
                    got: dict[str, list[float]] = {}
                    for _ in range(args.rounds):
                        cpu0 = _server_cpu(pid)
                        r = anyio.run(walk_once, url, walk, size, args.rows)
                        # Only the first read renders its pages (the fake caches them).
                        r["server_cpu"] = _server_cpu(pid) - cpu0
                        for key, value in r.items():
                            got.setdefault(key, []).append(value)
                    med = {key: statistics.median(values) for key, values in got.items()}
                    med["server_cpu"] = got["server_cpu"][0]
                    per_1000 = 1000 / args.rows
                    requests = med["requests"] * per_1000
                    limited = max(requests / RATE_PER_MINUTE * 60, med["wall"] * per_1000)
                    print(
                        f"| {size} | {requests:.0f} | {med['wall'] * per_1000:.2f} |"
                        f" {med['bytes'] / med['requests'] / 1000:.1f} |"
                        f" {med['server_cpu'] / med['requests'] * 1000:.1f} |"
                        f" {med['server_cpu'] * per_1000 * 1000:.0f} | {limited:.1f} |",
                        flush=True,
                    )
                print()


if __name__ == "__main__":
    main()
