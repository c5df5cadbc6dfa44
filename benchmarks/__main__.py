"""Run every scenario side by side, over plain HTTP and over TLS, each client in its own process.

    python -m benchmarks [--quick] [--rounds N] [--transports http,tls]
                         [--scenarios fanout,cpu,paging,memory,decode,ratelimit,tracing,watch]
                         [--write]

`--write` puts the run's tables into README.md, between its results markers.

The server is the fake (`python -m futureagi_async.testing`; over TLS `benchmarks._serve_tls`
with a trustme certificate) in its own process pinned to core 1; clients are pinned to core
0. Ratios are taken within a round (same server, same machine load) and then summarised by
their median (min-max). The goals of issue 9 are checked at the end. See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx2

HERE = Path(__file__).parent
CLIENT_CPU, SERVER_CPU = 0, 1
FANOUT_CLIENTS = [
    "aiohttp",
    "library",
    "library-aiohttp",
    "library-trio",
    "httpx2",
    "httpx",
    "requests",
]
CPU_CLIENTS = [c for c in FANOUT_CLIENTS if c != "requests"]
TRANSPORTS = {"http": "plain HTTP", "tls": "TLS"}


#: The fake's dataset for every scenario: one voice run test, one execution, one eval config,
#: no soft-deleted calls, so `?limit=10` pages are all full and ~26 KB each (measured: mean
#: 26.1 KB over the 100 pages). The same seed gives the same ids in every process.
DATASET = [
    "--run-tests", "1", "--executions-per-run-test", "1", "--chat-ratio", "0",
    "--eval-configs", "1", "--deleted-ratio", "0", "--transcript-turns", "10",
]  # fmt: skip
DIALECTS = ("backend", "docs")
#: The fan-out's page kinds (see `_run._path`): the execution's grid, the run test's calls.
PAGES = {"grid": "grid pages", "calls": "call pages with transcripts"}
FAKE_HEADERS = {"X-Api-Key": "test-api-key", "X-Secret-Key": "test-secret-key"}


class Server:
    """Where the clients go: the fake's base URL, the run test and its execution, and the CA
    to trust (TLS)."""

    def __init__(self, url: str, run_test: str, execution: str, ca: str | None):
        self.url, self.run_test, self.execution, self.ca = url, run_test, execution, ca

    def spec(self, client: str) -> dict[str, Any]:
        return {
            "client": client,
            "url": self.url,
            "run_test": self.run_test,
            "execution": self.execution,
            "ca": self.ca,
        }


def execution_id(url: str, verify: ssl.SSLContext | bool) -> str:
    """The one execution's id, found through the API: run test -> a call row's execution
    (backend dialect only; `benchmarks.ratelimit` uses it)."""
    with httpx2.Client(base_url=url, headers=FAKE_HEADERS, timeout=30, verify=verify) as http:
        run_test = http.get("/simulate/run-tests/").json()["results"][0]["id"]
        # Rerun snapshot rows (which list first) do not name their execution: skip them.
        rows = http.get(f"/simulate/run-tests/{run_test}/call-executions/", params={"limit": 50})
        return str(
            next(r["test_execution_id"] for r in rows.json()["results"] if not r.get("is_snapshot"))
        )


def dataset_ids(url: str, verify: ssl.SSLContext | bool, calls: int) -> tuple[str, str]:
    """The run test and its one execution: the run test through the API, the execution from
    the banner's dataset (the same seed gives the same ids; the docs' rows do not name it)."""
    with httpx2.Client(base_url=url, headers=FAKE_HEADERS, timeout=30, verify=verify) as http:
        run_test = str(http.get("/simulate/run-tests/").json()["results"][0]["id"])
    from futureagi_async.testing import FakeAPI
    from futureagi_async.testing._records import DatasetSpec

    spec = DatasetSpec(  # DATASET's
        run_tests=1,
        executions_per_run_test=1,
        calls_per_execution=calls,
        transcript_turns=10,
        eval_configs=1,
        chat_ratio=0,
        deleted_ratio=0,
    )
    fake = FakeAPI(spec)
    (ours,) = fake.dataset.run_tests
    if ours.id != run_test:
        raise RuntimeError(f"the fake's run test is {run_test}, the local dataset's {ours.id}")
    return run_test, str(fake.dataset.executions_of(ours.id)[0].id)


def _pin_server() -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {SERVER_CPU})


@contextmanager
def _certificates(tls: bool) -> Iterator[tuple[list[str], str | None]]:
    """A trustme CA and a 127.0.0.1 certificate in a temporary folder: (server argv, CA path)."""
    if not tls:
        yield [], None
        return
    import trustme

    ca = trustme.CA()
    leaf = ca.issue_cert("127.0.0.1")
    with tempfile.TemporaryDirectory(prefix="bench-tls-") as folder:
        paths = [str(Path(folder) / name) for name in ("cert.pem", "key.pem", "ca.pem")]
        leaf.private_key_and_cert_chain_pem.write_to_path(paths[0])
        leaf.private_key_pem.write_to_path(paths[1])
        ca.cert_pem.write_to_path(paths[2])
        yield ["-m", "benchmarks._serve_tls", paths[0], paths[1]], paths[2]


@contextmanager
def server(
    latency: float, transport: str, calls: int = 1000, dialect: str = "backend"
) -> Iterator[Server]:
    """The fake on loopback in its own pinned process, over `transport` ("http" or "tls"),
    answering in `dialect` ("backend" or "docs").

    `/simulate/test-executions/{id}/` must answer for the execution with `calls` rows.
    """
    with _certificates(transport == "tls") as (launcher, ca):
        cmd = [sys.executable, *(launcher or ["-m", "futureagi_async.testing"])]
        cmd += ["--port", "0", "--latency", str(latency), "--calls-per-execution", str(calls)]
        cmd += [*DATASET, "--dialect", dialect]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, preexec_fn=_pin_server)
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            if not url.startswith("http://"):
                raise RuntimeError(f"the fake did not start: {url!r}")
            if ca:
                url = "https://" + url.removeprefix("http://")
            verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca) if ca else True
            deadline = time.monotonic() + 60
            while True:  # the socket listens before uvicorn serves; wait for a real answer
                try:
                    run_test, eid = dataset_ids(url, verify, calls)
                    break
                except httpx2.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.1)
            r = httpx2.get(
                f"{url}/simulate/test-executions/{eid}/",
                params={"limit": "10", "page": "1"},
                headers=FAKE_HEADERS,
                timeout=30,
                verify=verify,
            )
            body = r.json() if r.status_code == 200 else {}
            if body.get("count", body.get("total_calls")) != calls:
                raise RuntimeError(f"unexpected answer for execution {eid}: {r.status_code}")
            yield Server(url, run_test, eid, ca)
        finally:
            proc.terminate()
            proc.wait()


def run_one(spec: dict[str, Any], module: str = "benchmarks._run") -> dict[str, Any] | str:
    """One client (`module`: a fetcher, or `benchmarks._watch`) in a fresh process; a
    failure is reported as a string, never hidden."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        spec = {**spec, "cpu": CLIENT_CPU}
    proc = subprocess.run(
        [sys.executable, "-m", module, json.dumps(spec)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["?"])[-1]
        return f"n/a ({last[:100]})"
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def fmt(values: Sequence[float], digits: int = 2) -> str:
    if not values:
        return "n/a"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f}"
    return f"{med:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def emit(out: list[str], lines: list[str]) -> None:
    out += lines
    print("\n".join(lines), flush=True)


#: Per-round ratios the goals are judged on: (scenario, transport, C, client, measure) -> values.
Ratios = dict[tuple[str, str, int, str, str], list[float]]


def fanout_key(dialect: str, pages: str) -> str:
    """The scenario part of a fan-out's ratio keys."""
    return f"fanout/{dialect}/{pages}"


def scenario_fanout(args: argparse.Namespace, out: list[str], ratios: Ratios) -> None:
    fetches = 200 if args.quick else 1000
    latency = 0.05
    emit(out, [
        f"### 1. Latency-bound fan-out: {fetches} pages of 10 rows, {latency * 1000:.0f} ms"
        " latency",
        "",
        "wall/ideal: ideal = fetches / C x latency. vs aiohttp / vs httpx2: wall (and client"
        " CPU) divided by raw aiohttp's (raw httpx2's) in the same round. `requests` is the"
        f" vendor docs' sequential loop on {args.seq_fetches} fetches, its wall extrapolated"
        f" to {fetches}. Grid pages: `/simulate/test-executions/{{id}}/` (the backend's rows"
        " carry no transcript; the docs' execution object carries its calls' 10-turn"
        " transcripts). Call pages: `/simulate/run-tests/{id}/call-executions/`, rows with"
        " 10-turn transcripts. The library reads every row's transcript and eval maps (the raw"
        " clients' `json.loads` builds all of it too).",
        "",
    ])  # fmt: skip
    clients = [c for c in FANOUT_CLIENTS if c in args.clients]
    for transport in args.transports:
        for dialect in args.dialects:
            with server(latency, transport, dialect=dialect) as srv:
                for pages in args.pages:
                    for c in args.concurrency:
                        where = (transport, dialect, pages, c)
                        _fanout_table(args, out, ratios, srv, clients, where)


def _fanout_table(
    args: argparse.Namespace,
    out: list[str],
    ratios: Ratios,
    srv: Server,
    clients: list[str],
    where: tuple[str, str, str, int],
) -> None:
    transport, dialect, pages, c = where
    fetches = 200 if args.quick else 1000
    latency = 0.05
    ideal = fetches / c * latency
    rows: dict[str, dict[str, list[float]]] = {}
    notes: dict[str, str] = {}
    for _ in range(args.rounds):
        got: dict[str, tuple[float, float]] = {}  # client -> (wall, CPU s/request)
        for client in clients:
            n = args.seq_fetches if client == "requests" else fetches
            spec = srv.spec(client) | {"fetches": n, "concurrency": c, "pages": pages}
            r = run_one({**spec, "scenario": "fanout"})
            if isinstance(r, str):
                notes[client] = r
            else:
                got[client] = (r["wall"] * fetches / n, r["cpu"] / n)
        for client, (wall, cpu) in got.items():
            row = rows.setdefault(client, {})
            row.setdefault("ideal", []).append(wall / ideal)
            row.setdefault("cpu", []).append(cpu * 1e6)
            for base in ("aiohttp", "httpx2"):
                if base in got:
                    row.setdefault(f"vs {base}", []).append(wall / got[base][0])
                    row.setdefault(f"cpu vs {base}", []).append(cpu / got[base][1])
            for measure, values in row.items():
                ratios[(fanout_key(dialect, pages), transport, c, client, measure)] = values
    lines = [
        f"Over {TRANSPORTS[transport]}, {dialect} dialect, {PAGES[pages]}, C={c}"
        f" (ideal {ideal:.3f} s)",
        "",
        "| client | wall/ideal | wall vs aiohttp | wall vs httpx2 | CPU µs/request |"
        " CPU vs aiohttp |",
        "|---|---|---|---|---|---|",
    ]
    for client in clients:
        if client not in rows:
            lines.append(f"| {client} | {notes.get(client, 'n/a')} | | | | |")
            continue
        row = rows[client]
        lines.append(
            f"| {client} | {fmt(row['ideal'])} | {fmt(row.get('vs aiohttp', []))} |"
            f" {fmt(row.get('vs httpx2', []))} | {fmt(row['cpu'], 0)} |"
            f" {fmt(row.get('cpu vs aiohttp', []))} |"
        )
    emit(out, [*lines, ""])


def scenario_cpu(args: argparse.Namespace, out: list[str], ratios: Ratios) -> None:
    fetches = 300 if args.quick else 2000
    emit(out, [
        f"### 2. CPU-bound: {fetches} pages, no latency, C=64, client CPU per request",
        "",
        "Process CPU time of the client over the fetch phase. The raw clients only call"
        " json.loads; the `library` rows structure typed models.",
        "",
    ])  # fmt: skip
    for transport in args.transports:
        rows: dict[str, dict[str, list[float]]] = {}
        notes: dict[str, str] = {}
        with server(0.0, transport) as srv:
            for _ in range(args.rounds):
                got: dict[str, tuple[float, float]] = {}
                for client in [c for c in CPU_CLIENTS if c in args.clients]:
                    spec = srv.spec(client) | {"fetches": fetches, "concurrency": 64}
                    r = run_one({**spec, "scenario": "cpu"})
                    if isinstance(r, str):
                        notes[client] = r
                    else:
                        got[client] = (r["wall"], r["cpu"])
                for client, (wall, cpu) in got.items():
                    row = rows.setdefault(client, {"cpu": [], "vs": [], "rps": []})
                    row["cpu"].append(cpu / fetches * 1e6)
                    row["rps"].append(fetches / wall)
                    if "aiohttp" in got:
                        row["vs"].append(cpu / got["aiohttp"][1])
                    ratios[("cpu", transport, 64, client, "cpu vs aiohttp")] = row["vs"]
        lines = [f"Over {TRANSPORTS[transport]}:", ""]
        lines += ["| client | CPU µs/request | CPU vs aiohttp | requests/s |", "|---|---|---|---|"]
        for client in [c for c in CPU_CLIENTS if c in args.clients]:
            if client in rows:
                row = rows[client]
                lines.append(
                    f"| {client} | {fmt(row['cpu'], 0)} | {fmt(row['vs'])} | {fmt(row['rps'], 0)} |"
                )
            else:
                lines.append(f"| {client} | {notes.get(client, 'n/a')} | | |")
        emit(out, [*lines, ""])


def scenario_paging(args: argparse.Namespace, out: list[str], ratios: Ratios) -> None:
    pages, page_size, latency = (20 if args.quick else 100), 10, 0.05
    emit(out, [f"### 4. Pagination: a {pages}-page listing, {latency * 1000:.0f} ms latency", ""])
    clients = ["library", "library-aiohttp", "library-trio", "paging-httpx2", "paging-httpx"]
    clients.append("paging-requests")
    for transport in args.transports:
        rows: dict[str, list[float]] = {}
        notes: dict[str, str] = {}
        with server(latency, transport, calls=pages * page_size) as srv:
            for _ in range(args.rounds):
                for client in clients:
                    spec = srv.spec(client) | {"scenario": "paging", "concurrency": 16}
                    r = run_one({**spec, "rows": pages * page_size, "page_size": page_size})
                    if isinstance(r, str):
                        notes[client] = r
                    else:
                        rows.setdefault(client, []).append(r["wall"])
        lines = [f"Over {TRANSPORTS[transport]}:", ""]
        lines += ["| client | wall s | vs one page at a time |", "|---|---|---|"]
        seq = rows.get("paging-httpx2", [])
        for client in clients:
            if client not in rows:
                lines.append(f"| {client} | {notes.get(client, 'n/a')} | |")
                continue
            paired = [w / s for w, s in zip(rows[client], seq, strict=False)]
            lines.append(f"| {client} | {fmt(rows[client])} | {fmt(paired)} |")
        emit(out, [*lines, ""])
    emit(out, ["`paging-*`: one page at a time, the vendor docs' way. `library`: its pager.", ""])


def scenario_memory(args: argparse.Namespace, out: list[str], ratios: Ratios) -> None:
    sizes = (2_000, 20_000) if args.quick else (10_000, 100_000)
    emit(out, [f"### 5. Memory: peak RSS streaming {sizes[0]:,} vs {sizes[1]:,} call rows", ""])
    clients = ["library", "library-aiohttp", "library-trio", "paging-httpx2"]
    for transport in args.transports:
        rows: dict[tuple[str, int], list[float]] = {}
        notes: dict[str, str] = {}
        with server(0.0, transport, calls=sizes[1]) as srv:
            for _ in range(max(1, args.rounds // 2)):
                for client in clients:
                    for n in sizes:
                        spec = srv.spec(client) | {"scenario": "memory", "concurrency": 16}
                        r = run_one({**spec, "rows": n, "page_size": 100})
                        if isinstance(r, str):
                            notes[client] = r
                        else:
                            rows.setdefault((client, n), []).append(r["maxrss_kb"] / 1024)
        lines = [f"Over {TRANSPORTS[transport]}:", ""]
        lines += [f"| client | {sizes[0]:,} rows MiB | {sizes[1]:,} rows MiB | ratio |"]
        lines += ["|---|---|---|---|"]
        for client in clients:
            if (client, sizes[0]) in rows and (client, sizes[1]) in rows:
                a, b = rows[(client, sizes[0])], rows[(client, sizes[1])]
                paired = [y / x for x, y in zip(a, b, strict=False)]
                lines.append(f"| {client} | {fmt(a, 1)} | {fmt(b, 1)} | {fmt(paired)} |")
            else:
                lines.append(f"| {client} | {notes.get(client, 'n/a')} | | |")
        emit(out, [*lines, ""])


def scenario_decode(args: argparse.Namespace, out: list[str], ratios: Ratios) -> None:
    """Scenario 3: benchmarks/decode.py, bytes to typed call rows, pinned like the clients."""
    if not (HERE / "decode.py").exists():
        emit(out, ["### 3. Decoding", "", "benchmarks/decode.py is not there yet.", ""])
        return
    quick = ["--rows", "500", "--rounds", "3"] if args.quick else []
    cmd = [sys.executable, "-m", "benchmarks.decode", *quick]
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        cmd = ["taskset", "-c", str(CLIENT_CPU), *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = ["### 3. Decoding (benchmarks/decode.py)", "", "```", proc.stdout.strip()]
    if proc.returncode:
        lines.append(proc.stderr.strip()[-500:])
    emit(out, [*lines, "```", ""])


def scenario_ratelimit(args: argparse.Namespace, out: list[str], ratios: Ratios) -> None:
    """Scenario 4: benchmarks/ratelimit.py, an export under the organisation's rate limit."""
    from . import ratelimit

    argv = ["--transports", ",".join(args.transports), "--rounds", str(args.rounds)]
    if args.quick:
        argv += ["--pages", "50"]
    emit(out, ["### 4. Under a rate limit (benchmarks/ratelimit.py)", ""])
    out += ratelimit.main(argv)
    emit(out, [""])


def scenario_tracing(args: argparse.Namespace, out: list[str], ratios: Ratios) -> None:
    """Scenario 5: benchmarks/tracing_cost.py, what OpenTelemetry costs a call, pinned."""
    quick = ["--requests", "1000", "--rounds", "3"] if args.quick else []
    cmd = [sys.executable, "-m", "benchmarks.tracing_cost", *quick]
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        cmd = ["taskset", "-c", str(CLIENT_CPU), *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    lines = ["### 5. The cost of tracing (benchmarks/tracing_cost.py)", "", proc.stdout.strip()]
    if proc.returncode:
        lines.append(proc.stderr.strip()[-500:])
    emit(out, [*lines, ""])


@contextmanager
def live_server(transport: str, calls: int, seconds: float) -> Iterator[Server]:
    """The fake in its own pinned process, running one live execution of `calls` calls over
    `seconds` from the moment it starts (`--live`). `Server.execution` holds the wall time
    the server said it was up, which the watchers measure their lag against."""
    with _certificates(transport == "tls") as (launcher, ca):
        cmd = [sys.executable, *(launcher or ["-m", "futureagi_async.testing"])]
        cmd += ["--port", "0", "--latency", "0.002", "--calls-per-execution", "10", *DATASET]
        cmd += ["--live", "--live-calls", str(calls), "--live-seconds", str(seconds)]
        cmd += ["--live-every", "1000000"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, preexec_fn=_pin_server)
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().strip()
            started = time.time()
            if not url.startswith("http://"):
                raise RuntimeError(f"the fake did not start: {url!r}")
            if ca:
                url = "https://" + url.removeprefix("http://")
            yield Server(url, "", str(started), ca)  # no run test: the watch needs none
        finally:
            proc.terminate()
            proc.wait()


def scenario_watch(args: argparse.Namespace, out: list[str], ratios: Ratios) -> None:
    """Issue 19: `watch()` against re-reading the whole grid every poll, same execution."""
    calls, seconds, interval = 2000, (20.0 if args.quick else 60.0), 1.0
    emit(out, [
        f"### 6. Watching a live execution: {calls:,} calls finishing over {seconds:g} s,"
        f" polled every {interval:g} s",
        "",
        "`watch`: `client.test_executions.watch()`. `full-listing`: every poll, read the"
        " whole grid (100 rows a page, one page after another) and report the calls newly"
        " final. Each client watches a fresh execution on a fresh server (2 ms latency)"
        " from its start to its end; lag = how long after becoming final a call was"
        " reported. Ratios are taken within a round.",
        "",
    ])  # fmt: skip
    clients = ["watch", "full-listing"]
    for transport in args.transports:
        got: dict[str, dict[str, list[float]]] = {c: {} for c in clients}
        notes: dict[str, str] = {}
        for _ in range(args.rounds):
            for client in clients:
                with live_server(transport, calls, seconds) as srv:
                    spec: dict[str, Any] = {"client": client, "url": srv.url, "ca": srv.ca}
                    spec |= {"started": float(srv.execution), "poll_interval": interval}
                    r = run_one(spec, "benchmarks._watch")
                if isinstance(r, str):
                    notes[client] = r
                    continue
                if r["calls"] != calls:
                    notes[client] = f"reported {r['calls']} calls, not {calls}"
                for key in ("wall", "cpu", "requests", "lag_median", "lag_max"):
                    got[client].setdefault(key, []).append(float(r[key] or 0.0))
        lines = [f"Over {TRANSPORTS[transport]}:", ""]
        lines += ["| client | requests | vs full-listing | wall s | client CPU s |"
                  " lag median s | lag max s |", "|---|---|---|---|---|---|---|"]  # fmt: skip
        base = got["full-listing"].get("requests", [])
        for client in clients:
            m = got[client]
            if not m:
                lines.append(f"| {client} | {notes.get(client, 'n/a')} | | | | | |")
                continue
            paired = [a / b for a, b in zip(m["requests"], base, strict=False) if b]
            ratios[("watch", transport, 0, client, "requests vs full-listing")] = paired
            lines.append(
                f"| {client} | {fmt(m['requests'], 0)} | {fmt(paired)} | {fmt(m['wall'])} |"
                f" {fmt(m['cpu'])} | {fmt(m['lag_median'])} | {fmt(m['lag_max'])} |"
                + (f" {notes[client]}" if client in notes else "")
            )
        emit(out, [*lines, ""])


#: The goals (issues 9 and 23): (name, ratio key, at most), judged on the medians of the
#: per-round ratios over TLS, for every dialect and page kind the run measured.
def goal_list(args: argparse.Namespace) -> list[tuple[str, tuple[str, str, int, str, str], float]]:
    goals = []
    for dialect in args.dialects:
        for pages in args.pages:
            key, where = fanout_key(dialect, pages), f"{dialect} dialect, {PAGES[pages]}"
            for c in (16, 64):
                goals.append((
                    f"default pool: library wall vs raw httpx2 + json.loads, C={c}, TLS, {where}",
                    (key, "tls", c, "library", "vs httpx2"), 1.0,
                ))  # fmt: skip
            goals.append((
                f"aiohttp backend: library wall vs raw aiohttp, C=64, TLS, {where}",
                (key, "tls", 64, "library-aiohttp", "vs aiohttp"), 1.10,
            ))  # fmt: skip
            goals.append((
                f"aiohttp backend: client CPU/request vs raw aiohttp, C=64 fan-out, TLS, {where}",
                (key, "tls", 64, "library-aiohttp", "cpu vs aiohttp"), 1.5,
            ))  # fmt: skip
    goals.append((
        "aiohttp backend: client CPU/request vs raw aiohttp, grid pages, CPU-bound, TLS",
        ("cpu", "tls", 64, "library-aiohttp", "cpu vs aiohttp"), 1.5,
    ))  # fmt: skip
    return goals


def goals(args: argparse.Namespace, ratios: Ratios) -> list[str]:
    lines = ["### Goals (issues 9 and 23)", "", "| goal | at most | median (min-max) of rounds | |"]
    lines.append("|---|---|---|---|")
    for name, key, bound in goal_list(args):
        values = ratios.get(key, [])
        if not values:
            continue  # not measured in this run (another scenario, transport or C)
        med = statistics.median(values)
        verdict = "met" if med <= bound else f"missed by {(med / bound - 1) * 100:.0f}%"
        lines.append(f"| {name} | {bound:.2f} | {fmt(values)} | {verdict} |")
    return [*lines, ""]


def machine() -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pkgs = ["httpx2", "httpcore2", "httpx", "httpcore", "aiohttp", "anyio", "trio", "orjson"]
    pkgs += ["requests", "cattrs", "attrs", "uvicorn", "httptools", "trustme"]
    versions = []
    for p in pkgs:
        try:
            versions.append(f"{p} {metadata.version(p)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{p} absent")
    return [
        f"- {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, {ssl.OPENSSL_VERSION}; " + ", ".join(versions),
        f"- server pinned to core {SERVER_CPU}, clients to core {CLIENT_CPU}",
    ]


SCENARIOS = {
    "fanout": scenario_fanout,
    "cpu": scenario_cpu,
    "decode": scenario_decode,
    "paging": scenario_paging,
    "memory": scenario_memory,
    "ratelimit": scenario_ratelimit,
    "tracing": scenario_tracing,
    "watch": scenario_watch,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small, one-round smoke run")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seq-fetches", type=int, default=None)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--transports", default=",".join(TRANSPORTS), help="http,tls")
    parser.add_argument("--dialects", default=",".join(DIALECTS), help="fan-out: backend,docs")
    parser.add_argument("--pages", default=",".join(PAGES), help="fan-out: grid,calls")
    parser.add_argument("--concurrency", default="16,64", help="fan-out: C values")
    parser.add_argument(
        "--clients", default=",".join(FANOUT_CLIENTS), help="fan-out and CPU-bound: which clients"
    )
    parser.add_argument("--write", action="store_true", help="put the tables in README.md")
    args = parser.parse_args()
    args.dialects = [d for d in args.dialects.split(",") if d]
    args.pages = [p for p in args.pages.split(",") if p]
    args.concurrency = [int(c) for c in args.concurrency.split(",") if c]
    args.clients = [c for c in args.clients.split(",") if c]
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.seq_fetches = args.seq_fetches or (20 if args.quick else 50)
    args.transports = [t for t in args.transports.split(",") if t]
    unknown = set(args.transports) - set(TRANSPORTS)
    unknown |= set(args.scenarios.split(",")) - set(SCENARIOS)
    unknown |= set(args.dialects) - set(DIALECTS)
    unknown |= set(args.pages) - set(PAGES)
    unknown |= set(args.clients) - set(FANOUT_CLIENTS)
    if unknown:
        parser.error(f"unknown option value: {', '.join(sorted(unknown))}")
    out: list[str] = []
    emit(out, [f"Run {time.strftime('%Y-%m-%d %H:%M')}, {args.rounds} round(s):", ""])
    emit(out, [*machine(), "", f"Command: `python -m benchmarks {' '.join(sys.argv[1:])}`", ""])
    ratios: Ratios = {}
    for name in args.scenarios.split(","):
        SCENARIOS[name](args, out, ratios)
    emit(out, goals(args, ratios))
    if args.write:
        write_results(out)


RESULTS_START, RESULTS_END = "<!-- results:start -->", "<!-- results:end -->"


def write_results(out: list[str]) -> None:
    """Replace what README.md has between its results markers with this run's tables."""
    readme = HERE / "README.md"
    text = readme.read_text()
    head, rest = text.split(RESULTS_START, 1)
    tail = rest.split(RESULTS_END, 1)[1]
    body = "\n".join(line.replace("### ", "#### ", 1) for line in out)
    readme.write_text(f"{head}{RESULTS_START}\n{body}\n{RESULTS_END}{tail}")


if __name__ == "__main__":
    main()
