"""What tracing costs a request: without the OpenTelemetry API, with it but no provider, and
with an SDK provider.

Run: `python -m benchmarks.tracing_cost [--requests 3000] [--rounds 7]` (also
`python -m benchmarks --scenarios tracing`).

Each request is a whole `AsyncClient` call (`client.run_tests.get`) answered in-process by
an httpx2 `MockTransport` with a canned run test, so the client's own CPU is all there is to
measure. Modes, interleaved within each round (CPU µs per request of this process):

- `no otel`: the API not importable (the import guard's outcome, forced);
- `otel API, no provider`: the default for an application that installs the extra but sets
  no provider (the check the pipeline makes on every attempt);
- `SDK, no exporter`: an SDK `TracerProvider` and `MeterProvider` with nothing attached
  (spans and instruments made and dropped);
- `SDK, in-memory exporter`: spans exported to memory, metrics to an in-memory reader.

The table shows medians (min-max) over rounds, and each mode's ratio to `no otel` in the same
round.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

import anyio
import httpx2

import futureagi_async as fa
from futureagi_async import _tracing

MODES = ("no otel", "otel API, no provider", "SDK, no exporter", "SDK, in-memory exporter")
RUN_TEST_ID = str(uuid.UUID(int=7))
BODY = {"id": RUN_TEST_ID, "name": "Billing bot nightly", "status": "completed"}


@contextmanager
def mode(name: str) -> Iterator[None]:
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    if name == "no otel":
        names = vars(_tracing)  # the import guard's outcome, as if the API were absent
        saved, names["otel_trace"] = names["otel_trace"], None
        try:
            yield
        finally:
            names["otel_trace"] = saved
        return
    providers: Any = nullcontext()
    if name == "SDK, no exporter":
        providers = _tracing.use_providers(TracerProvider(), MeterProvider())
    elif name == "SDK, in-memory exporter":
        tracer_provider = TracerProvider()
        tracer_provider.add_span_processor(SimpleSpanProcessor(InMemorySpanExporter()))
        meter_provider = MeterProvider(metric_readers=[InMemoryMetricReader()])
        providers = _tracing.use_providers(tracer_provider, meter_provider)
    with providers:
        yield


async def measure(requests: int) -> float:
    """CPU µs per request of `requests` sequential gets."""

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, json=BODY)

    http = httpx2.AsyncClient(transport=httpx2.MockTransport(handler))
    async with fa.AsyncClient("k", "s", base_url="http://127.0.0.1:9", http_client=http) as client:
        for _ in range(50):  # warm up
            await client.run_tests.get(RUN_TEST_ID)
        started = time.process_time()
        for _ in range(requests):
            await client.run_tests.get(RUN_TEST_ID)
        return (time.process_time() - started) / requests * 1e6


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.tracing_cost")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    micros: dict[str, list[float]] = {m: [] for m in MODES}
    ratios: dict[str, list[float]] = {m: [] for m in MODES}
    for _ in range(args.rounds):
        this_round: dict[str, float] = {}
        for name in MODES:
            with mode(name):
                this_round[name] = anyio.run(measure, args.requests)
        for name in MODES:
            micros[name].append(this_round[name])
            ratios[name].append(this_round[name] / this_round["no otel"])
    lines = [
        f"{args.requests} sequential `run_tests.get` calls per mode and round, "
        f"{args.rounds} rounds; CPU µs per call, median (min-max).",
        "",
        "| mode | µs per call | vs no otel |",
        "|---|---|---|",
    ]
    for name in MODES:
        lines.append(f"| {name} | {_fmt(micros[name], 0)} | {_fmt(ratios[name], 3)} |")
    print("\n".join(lines), flush=True)
    return lines


def _fmt(values: list[float], digits: int) -> str:
    med = statistics.median(values)
    return f"{med:.{digits}f} ({min(values):.{digits}f}-{max(values):.{digits}f})"


if __name__ == "__main__":
    main()
