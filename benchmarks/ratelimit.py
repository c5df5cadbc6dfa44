"""Exporting pages under the organisation's rate limit: paced, adaptive, and raw aiohttp.

Run: `python -m benchmarks.ratelimit [--pages 100] [--limit 25] [--window 2]
[--transports http,tls] [--rounds 1]` (also `python -m benchmarks --scenarios ratelimit`).

The fake runs in its own process with `--rate-limit R --rate-window W`: R requests per fixed
W-second window, aligned to the clock, then the backend's 429 with `Retry-After` = the whole
seconds left. Each contender reads the same N grid pages (`?limit=10`, every page full) of
one execution and starts right after a window boundary; the ideal is ceil(N / R) windows of W
seconds (the requests the listing needs, as fast as the limit allows). Contenders:

- `library, rate_limit`: `AsyncClient(rate_limit=RateLimit(R, W))`, the pager
  (`test_executions.calls`) walking the pages with its look-ahead.
- `library, adaptive`: the same without `rate_limit`: the client-wide pause on 429 and the
  adaptive concurrency are all it has.
- `aiohttp, retries`: raw aiohttp, 16 workers, each retrying its own 429 after `Retry-After`.

Each run checks that every row arrives exactly once, and counts the 429s of each window (by
the time each answer arrived, on the server's clock: same machine). The ideal is the floor: a
paced client can finish a little under it, its last window's requests going at that window's
start.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import anyio

from .__main__ import DATASET, FAKE_HEADERS, _certificates, _pin_server, execution_id

TRANSPORTS = ("http", "tls")
CONTENDERS = ("library, rate_limit", "library, adaptive", "aiohttp, retries")


@contextmanager
def limited_server(transport: str, calls: int, limit: int, window: float) -> Iterator[Any]:
    import ssl

    import httpx2

    with _certificates(transport == "tls") as (launcher, ca):
        cmd = [sys.executable, *(launcher or ["-m", "futureagi_async.testing"])]
        # No rerun snapshots: `execution_id` reads the call listing's newest row, and a
        # snapshot row has no `test_execution_id`.
        cmd += ["--port", "0", "--calls-per-execution", str(calls), *DATASET]
        cmd += ["--snapshot-ratio", "0"]
        cmd += ["--rate-limit", str(limit), "--rate-window", str(window)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, preexec_fn=_pin_server)
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            if ca:
                url = "https://" + url.removeprefix("http://")
            verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca) if ca else True
            deadline = time.monotonic() + 60
            while True:
                try:
                    eid = execution_id(url, verify)
                    break
                except (httpx2.TransportError, KeyError):  # not listening yet, or a 429
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            yield url, eid, ca
        finally:
            proc.terminate()
            proc.wait()


def _ssl(ca: str | None) -> Any:
    import ssl

    return ssl.create_default_context(cafile=ca) if ca else True


class Answers:
    """(arrival time, status) of every answer, from the library's log or aiohttp's loop."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, int]] = []

    def per_window(self, window: float, start: float, windows: int) -> list[int]:
        counts = Counter(
            math.floor(t / window) - math.floor(start / window)
            for t, status in self.seen
            if status == 429
        )
        last = max([windows - 1, *counts])
        return [counts.get(i, 0) for i in range(last + 1)]


@contextmanager
def library_answers() -> Iterator[Answers]:
    """The library logs every answer at INFO: `GET url -> status in ms (attempt n)`."""
    import logging

    answers = Answers()

    class Catch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            args = record.args
            if isinstance(args, tuple) and len(args) == 4 and isinstance(args[1], int):
                answers.seen.append((record.created, args[1]))

    logger = logging.getLogger("futureagi_async")
    handler, level = Catch(logging.INFO), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield answers
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


async def run_library(
    url: str, eid: str, ca: str | None, limit: int | None, window: float, answers: Answers
) -> list[str]:
    import futureagi_async as fa

    rate = None if limit is None else fa.RateLimit(limit, window)
    async with fa.AsyncClient(
        FAKE_HEADERS["X-Api-Key"],
        FAKE_HEADERS["X-Secret-Key"],
        base_url=url,
        verify=_ssl(ca),
        rate_limit=rate,
        max_retries=20,
        total_timeout=600,
    ) as client:
        return [str(row.id) async for row in client.test_executions.calls(eid, page_size=10)]


async def run_aiohttp(
    url: str, eid: str, ca: str | None, pages: int, answers: Answers
) -> list[str]:
    import aiohttp

    rows: list[str] = []
    counter = itertools.count(1)
    connector = aiohttp.TCPConnector(limit=16, ssl=_ssl(ca))
    async with aiohttp.ClientSession(connector=connector, headers=FAKE_HEADERS) as session:

        async def worker() -> None:
            while (page := next(counter)) <= pages:
                while True:
                    address = f"{url}/simulate/test-executions/{eid}/?limit=10&page={page}"
                    async with session.get(address) as r:
                        body = await r.read()
                        answers.seen.append((time.time(), r.status))
                        if r.status == 429:
                            await anyio.sleep(float(r.headers.get("retry-after", "1")))
                            continue
                        r.raise_for_status()
                        rows.extend(row["id"] for row in json.loads(body)["results"])
                        break

        async with anyio.create_task_group() as tg:
            for _ in range(16):
                tg.start_soon(worker)
    return rows


def wait_for_window(window: float, offset: float = 0.05) -> float:
    """Sleep until just after the next window boundary (the server's windows are aligned)."""
    now = time.time()
    start = (math.floor(now / window) + 1) * window + offset
    time.sleep(start - now)
    return time.time()


def run(
    contender: str, url: str, eid: str, ca: str | None, args: argparse.Namespace
) -> dict[str, Any]:
    window, limit, pages = args.window, args.limit, args.pages
    wait_for_window(window)
    with library_answers() as answers:
        started = time.time()
        t0 = time.perf_counter()
        if contender == "aiohttp, retries":
            rows = anyio.run(run_aiohttp, url, eid, ca, pages, answers)
        else:
            paced = limit if contender == "library, rate_limit" else None
            rows = anyio.run(run_library, url, eid, ca, paced, window, answers)
        wall = time.perf_counter() - t0
    windows = math.ceil(pages / limit)
    return {
        "wall": wall,
        "ideal": windows * window,
        "rows": len(rows),
        "unique": len(set(rows)),
        "per_window": answers.per_window(window, started, windows),
    }


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.ratelimit")
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--limit", type=int, default=25, help="requests per window")
    parser.add_argument("--window", type=float, default=2.0, help="seconds")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--transports", default=",".join(TRANSPORTS))
    args = parser.parse_args(argv)
    lines = [
        f"{args.pages} pages of 10 rows, the fake limiting to {args.limit} requests per "
        f"{args.window:g}-second window; ideal = ceil({args.pages}/{args.limit}) windows = "
        f"{math.ceil(args.pages / args.limit) * args.window:g} s. Median (min-max) of "
        f"{args.rounds} round(s).",
        "",
        "| transport | client | wall s | wall / ideal | 429s | 429s per window | rows once |",
        "|---|---|---|---|---|---|---|",
    ]
    print("\n".join(lines), flush=True)
    verdicts: list[str] = []
    for transport in [t for t in args.transports.split(",") if t]:
        with limited_server(transport, args.pages * 10, args.limit, args.window) as (url, eid, ca):
            results: dict[str, list[dict[str, Any]]] = {c: [] for c in CONTENDERS}
            for _ in range(args.rounds):
                for contender in CONTENDERS:
                    results[contender].append(run(contender, url, eid, ca, args))
            for contender, runs in results.items():
                walls = [r["wall"] for r in runs]
                once = all(r["unique"] == r["rows"] == args.pages * 10 for r in runs)
                ratios = [r["wall"] / r["ideal"] for r in runs]
                line = (
                    f"| {transport} | {contender} | {_fmt(walls)} | {_fmt(ratios)} | "
                    f"{sum(sum(r['per_window']) for r in runs) / len(runs):g} | "
                    f"{' / '.join(str(r['per_window']) for r in runs)} | "
                    f"{'yes' if once else 'NO'} |"
                )
                lines.append(line)
                print(line, flush=True)
                verdicts.append(_verdict(transport, contender, runs, ratios, once))
    lines += ["", *verdicts]
    print("\n".join(["", *verdicts]), flush=True)
    return lines


def _verdict(
    transport: str, contender: str, runs: list[dict[str, Any]], ratios: list[float], once: bool
) -> str:
    """Issue 21's goals: paced, within 1.10 x the ideal and at most one 429 a window;
    adaptive, at most 3 429s in each window after the first; every row once."""
    worst_window = max(max(r["per_window"]) for r in runs)
    later = max(max(r["per_window"][1:], default=0) for r in runs)
    if contender == "library, rate_limit":
        met = statistics.median(ratios) <= 1.10 and worst_window <= 1 and once
        goal = "wall <= 1.10 x ideal, <= 1 429 per window, rows once"
    elif contender == "library, adaptive":
        met = later <= 3 and once
        goal = "<= 3 429s in every window after the first, rows once"
    else:
        return f"- {transport}, {contender}: a baseline (most 429s in a later window: {later})"
    return f"- {transport}, {contender}: {goal}: {'met' if met else 'MISSED'}"


def _fmt(values: list[float]) -> str:
    med = statistics.median(values)
    return f"{med:.2f}" if len(values) == 1 else f"{med:.2f} ({min(values):.2f}-{max(values):.2f})"


if __name__ == "__main__":
    main()
