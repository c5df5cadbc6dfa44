"""Run every scenario side by side, each client in its own process per round.

    python -m benchmarks [--quick] [--rounds N] [--scenarios fanout,cpu,paging,memory,decode]
                         [--write]

The server is the fake (`python -m futureagi_async.testing`) in its own process pinned to core 1;
clients are pinned to core 0. Ratios are taken within a round (same server, same machine load)
and then summarised by their median (min-max). See README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
CLIENT_CPU, SERVER_CPU = 0, 1
FANOUT_CLIENTS = [
    "aiohttp",
    "library",
    "library-trio",
    "httpx-ours",
    "httpx-ours-trio",
    "httpx-aiohttp",
    "httpx2",
    "httpx-default",
    "requests",
]
CPU_CLIENTS = [c for c in FANOUT_CLIENTS if c != "requests"]


#: The fake's dataset for every scenario: one voice run test, one execution, one eval config,
#: no soft-deleted calls, so `?limit=10` pages are all full and ~26 KB each (measured: mean
#: 26.1 KB over the 100 pages). The same seed gives the same ids in every process.
DATASET = [
    "--run-tests", "1", "--executions-per-run-test", "1", "--chat-ratio", "0",
    "--eval-configs", "1", "--deleted-ratio", "0",
]  # fmt: skip
FAKE_HEADERS = {"X-Api-Key": "test-api-key", "X-Secret-Key": "test-secret-key"}


def execution_id(url: str) -> str:
    """The one execution's id, found through the API: run test -> a call row's execution."""
    import httpx

    with httpx.Client(base_url=url, headers=FAKE_HEADERS, timeout=30) as http:
        run_test = http.get("/simulate/run-tests/").json()["results"][0]["id"]
        rows = http.get(f"/simulate/run-tests/{run_test}/call-executions/", params={"limit": 1})
        return str(rows.json()["results"][0]["test_execution_id"])


def _pin_server() -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {SERVER_CPU})


@contextmanager
def server(latency: float, calls: int = 1000) -> Iterator[tuple[str, str]]:
    """The fake (`python -m futureagi_async.testing`) on loopback, in its own pinned process.

    Yields (base URL, execution id); the id is found through the API and endpoint 4 must
    answer for it with `calls` rows.
    """
    import httpx

    cmd = [sys.executable, "-m", "futureagi_async.testing", "--port", "0"]
    cmd += ["--latency", str(latency), "--calls-per-execution", str(calls), *DATASET]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, preexec_fn=_pin_server)
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http://"):
            raise RuntimeError(f"the fake did not start: {url!r}")
        deadline = time.monotonic() + 60
        while True:  # the socket listens before uvicorn serves; wait for a real answer
            try:
                eid = execution_id(url)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        r = httpx.get(
            f"{url}/simulate/test-executions/{eid}/",
            params={"limit": "10", "page": "1"},
            headers=FAKE_HEADERS,
            timeout=30,
        )
        doc = r.json()
        if r.status_code != 200 or doc["count"] != calls:
            raise RuntimeError(f"unexpected answer for execution {eid}: {r.status_code}")
        yield url, eid
    finally:
        proc.terminate()
        proc.wait()


def run_one(spec: dict[str, Any]) -> dict[str, Any] | str:
    """One client in a fresh process; a failure is reported as a string, never hidden."""
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        spec = {**spec, "cpu": CLIENT_CPU}
    proc = subprocess.run(
        [sys.executable, "-m", "benchmarks._run", json.dumps(spec)],
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


def scenario_fanout(args: argparse.Namespace, out: list[str]) -> None:
    fetches = 200 if args.quick else 1000
    latency = 0.05
    out.append(
        f"### 1. Latency-bound fan-out: {fetches} pages of ~26 KB, {latency * 1000:.0f} ms latency"
    )
    out.append("")
    out.append(
        "wall/ideal: ideal = fetches / C x latency. vs aiohttp: wall and client CPU divided by"
        " raw aiohttp's in the same round. `requests` is the vendor docs' sequential loop on"
        f" {args.seq_fetches} fetches, its wall extrapolated to {fetches}."
    )
    out.append("")
    with server(latency) as (url, eid):
        for c in (16, 64):
            ideal = fetches / c * latency
            rows: dict[str, dict[str, list[float]]] = {}
            notes: dict[str, str] = {}
            for _ in range(args.rounds):
                base: dict[str, Any] | None = None
                for client in FANOUT_CLIENTS:
                    n = args.seq_fetches if client == "requests" else fetches
                    spec = {"client": client, "url": url, "execution": eid, "fetches": n}
                    spec["concurrency"] = c
                    r = run_one({**spec, "scenario": "fanout"})
                    if isinstance(r, str):
                        notes[client] = r
                        continue
                    wall = r["wall"] * fetches / n
                    base = base or (r if client == "aiohttp" else None)
                    row = rows.setdefault(client, {"ratio": [], "vs": [], "cpu": [], "cpuvs": []})
                    row["ratio"].append(wall / ideal)
                    row["cpu"].append(r["cpu"] / n * 1e6)
                    if base is not None:
                        row["vs"].append(wall / base["wall"])
                        row["cpuvs"].append((r["cpu"] / n) / (base["cpu"] / fetches))
            out.append(f"C={c} (ideal {ideal:.3f} s)")
            out.append("")
            out.append(
                "| client | wall/ideal | wall vs aiohttp | CPU µs/request | CPU vs aiohttp |"
            )
            out.append("|---|---|---|---|---|")
            for client in FANOUT_CLIENTS:
                if client in rows:
                    row = rows[client]
                    out.append(
                        f"| {client} | {fmt(row['ratio'])} | {fmt(row['vs'])} | "
                        f"{fmt(row['cpu'], 0)} | {fmt(row['cpuvs'])} |"
                    )
                else:
                    out.append(f"| {client} | {notes.get(client, 'n/a')} | | | |")
            out.append("")
            print("\n".join(out[-len(FANOUT_CLIENTS) - 4 :]), flush=True)


def scenario_cpu(args: argparse.Namespace, out: list[str]) -> None:
    fetches = 300 if args.quick else 2000
    out.append(f"### 2. CPU-bound: {fetches} pages, no latency, C=64, client CPU per request")
    out.append("")
    out.append(
        "Process CPU time of the client over the fetch phase. aiohttp and the raw httpx"
        " clients only call json.loads (httpx-ours: orjson via futureagi_async._json);"
        " `library` structures typed models."
    )
    out.append("")
    rows: dict[str, dict[str, list[float]]] = {}
    notes: dict[str, str] = {}
    with server(0.0) as (url, eid):
        for _ in range(args.rounds):
            base = None
            for client in CPU_CLIENTS:
                spec = {"client": client, "url": url, "execution": eid, "fetches": fetches}
                spec["concurrency"] = 64
                r = run_one({**spec, "scenario": "cpu"})
                if isinstance(r, str):
                    notes[client] = r
                    continue
                base = base or (r if client == "aiohttp" else None)
                row = rows.setdefault(client, {"cpu": [], "vs": [], "rps": []})
                row["cpu"].append(r["cpu"] / fetches * 1e6)
                row["rps"].append(fetches / r["wall"])
                if base is not None:
                    row["vs"].append(r["cpu"] / base["cpu"])
    out.append("| client | CPU µs/request | CPU vs aiohttp | requests/s |")
    out.append("|---|---|---|---|")
    for client in CPU_CLIENTS:
        if client in rows:
            row = rows[client]
            out.append(
                f"| {client} | {fmt(row['cpu'], 0)} | {fmt(row['vs'])} | {fmt(row['rps'], 0)} |"
            )
        else:
            out.append(f"| {client} | {notes.get(client, 'n/a')} | | |")
    out.append("")
    print("\n".join(out[-len(CPU_CLIENTS) - 3 :]), flush=True)


def scenario_paging(args: argparse.Namespace, out: list[str]) -> None:
    pages, page_size, latency = (20 if args.quick else 100), 10, 0.05
    out.append(f"### 4. Pagination: a {pages}-page listing, {latency * 1000:.0f} ms latency")
    out.append("")
    clients = ["library", "library-trio", "paging-httpx-ours", "paging-httpx-default"]
    clients.append("paging-requests")
    rows: dict[str, list[float]] = {}
    notes: dict[str, str] = {}
    with server(latency, calls=pages * page_size) as (url, eid):
        for _ in range(args.rounds):
            for client in clients:
                spec: dict[str, Any] = {"client": client, "url": url, "execution": eid}
                spec |= {"scenario": "paging", "concurrency": 16}
                r = run_one({**spec, "rows": pages * page_size, "page_size": page_size})
                if isinstance(r, str):
                    notes[client] = r
                else:
                    rows.setdefault(client, []).append(r["wall"])
    out.append("| client | wall s | vs one page at a time |")
    out.append("|---|---|---|")
    seq = rows.get("paging-httpx-ours")
    for client in clients:
        if client not in rows:
            out.append(f"| {client} | {notes.get(client, 'n/a')} | |")
            continue
        ratios = [w / s for w, s in zip(rows[client], seq or [], strict=False)]
        out.append(f"| {client} | {fmt(rows[client])} | {fmt(ratios)} |")
    out.append("")
    out.append("`paging-*`: one page at a time, the vendor docs' way. `library`: its pager.")
    out.append("")
    print("\n".join(out[-len(clients) - 5 :]), flush=True)


def scenario_memory(args: argparse.Namespace, out: list[str]) -> None:
    sizes = (2_000, 20_000) if args.quick else (10_000, 100_000)
    page_size = 100
    out.append(f"### 5. Memory: peak RSS streaming {sizes[0]:,} vs {sizes[1]:,} call rows")
    out.append("")
    clients = ["library", "library-trio", "paging-httpx-ours"]
    rows: dict[tuple[str, int], list[float]] = {}
    notes: dict[str, str] = {}
    with server(0.0, calls=sizes[1]) as (url, eid):
        for _ in range(max(1, args.rounds // 2)):
            for client in clients:
                for n in sizes:
                    spec = {"client": client, "url": url, "execution": eid, "concurrency": 16}
                    spec["scenario"] = "memory"
                    r = run_one({**spec, "rows": n, "page_size": page_size})
                    if isinstance(r, str):
                        notes[client] = r
                    else:
                        rows.setdefault((client, n), []).append(r["maxrss_kb"] / 1024)
    out.append(f"| client | {sizes[0]:,} rows MiB | {sizes[1]:,} rows MiB | ratio |")
    out.append("|---|---|---|---|")
    for client in clients:
        if (client, sizes[0]) in rows and (client, sizes[1]) in rows:
            a, b = rows[(client, sizes[0])], rows[(client, sizes[1])]
            ratios = [y / x for x, y in zip(a, b, strict=False)]
            out.append(f"| {client} | {fmt(a, 1)} | {fmt(b, 1)} | {fmt(ratios)} |")
        else:
            out.append(f"| {client} | {notes.get(client, 'n/a')} | | |")
    out.append("")
    print("\n".join(out[-len(clients) - 3 :]), flush=True)


def scenario_decode(args: argparse.Namespace, out: list[str]) -> None:
    """Scenario 3: benchmarks/decode.py, bytes to typed call rows, pinned like the clients."""
    if not (HERE / "decode.py").exists():
        out += ["### 3. Decoding", "", "benchmarks/decode.py is not there yet.", ""]
        return
    quick = ["--rows", "500", "--rounds", "3"] if args.quick else []
    cmd = [sys.executable, "-m", "benchmarks.decode", *quick]
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        cmd = ["taskset", "-c", str(CLIENT_CPU), *cmd]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    start = len(out)
    out += ["### 3. Decoding (benchmarks/decode.py)", "", "```", proc.stdout.strip()]
    if proc.returncode:
        out.append(proc.stderr.strip()[-500:])
    out += ["```", ""]
    print("\n".join(out[start:]), flush=True)


def machine() -> list[str]:
    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pkgs = ["httpx", "httpcore", "httpcore2", "httpx2", "httpx-aiohttp", "aiohttp", "anyio"]
    pkgs += ["trio", "orjson", "requests", "cattrs", "attrs"]
    versions = []
    for p in pkgs:
        try:
            versions.append(f"{p} {metadata.version(p)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{p} absent")
    return [
        f"- {os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; " + ", ".join(versions),
        f"- server pinned to core {SERVER_CPU}, clients to core {CLIENT_CPU}",
    ]


SCENARIOS = {
    "fanout": scenario_fanout,
    "cpu": scenario_cpu,
    "decode": scenario_decode,
    "paging": scenario_paging,
    "memory": scenario_memory,
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="small, one-round smoke run")
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument("--seq-fetches", type=int, default=None)
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--write", action="store_true", help="write benchmarks/RESULTS.md")
    args = parser.parse_args()
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.seq_fetches = args.seq_fetches or (20 if args.quick else 50)
    out = [f"Run {time.strftime('%Y-%m-%d %H:%M')}, {args.rounds} round(s):", ""]
    out += [*machine(), "", f"Command: `python -m benchmarks {' '.join(sys.argv[1:])}`", ""]
    print("\n".join(out), flush=True)
    for name in args.scenarios.split(","):
        SCENARIOS[name](args, out)
    if args.write:
        (HERE / "RESULTS.md").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
