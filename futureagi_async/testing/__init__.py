"""A faithful fake of the Future AGI Simulate API, for tests and benchmarks.

    from futureagi_async.testing import FakeAPI, DatasetSpec, Faults

    fake = FakeAPI(DatasetSpec(seed=0, calls_per_execution=25), dialect="backend")
    async with httpx2.AsyncClient(transport=fake.transport(), base_url="http://127.0.0.1",
                                 headers=fake.headers) as http:      # in-process, no sockets
        ...
    async with fake.serve() as base_url:                            # real loopback socket
        ...

Public names:

- `FakeAPI(spec, *, dialect="backend"|"docs", api_key=TEST_API_KEY, secret_key=TEST_SECRET_KEY,
  latency=0.0, jitter=0.0, faults=Faults(), link_scheme="http")`:
  `.app` (ASGI 3), `.dataset`, `.stats`, `.faults`, `.headers`, `.transport()`, `.client()`,
  `.add_calls(execution_id, n)`, `.remove_calls(execution_id, n)`, `.serve(port=0)`.
- `DatasetSpec`: seed and sizes (run tests, executions per run test, calls per execution,
  transcript turns, eval configs, chat/snapshot/deleted ratios, eval output types).
- `Dataset` (`fake.dataset`): `run_tests`, `executions`, `calls` (frozen attrs records,
  `calls` includes soft-deleted ones: `call.deleted`), `templates`, `workspace_id`,
  `organization_id`, lookups `run_test(id)`, `execution(id)`, `call(id)`,
  `executions_of(run_test_id)`, `calls_of(execution_id)`.
- `Faults(rate, seed, kinds, retry_after=1, drip_interval=0.02)`, `.push(kind, times,
  path=...)`, `.clear()`. Kinds: `ALL_KINDS`; `rate` draws from `kinds`.
- `Stats`: `requests_served`, `request_log` (`LoggedRequest(method, path, query, status,
  fault)`), `in_flight`, `max_in_flight`, `reset()`.
- `TEST_API_KEY`, `TEST_SECRET_KEY`.

Command line: `python -m futureagi_async.testing --port 8765 [--latency 0.05 --jitter 0.02]
[--dialect docs] [--calls-per-execution 200] [--fault-rate 0.1 --fault-kinds 503,429]`.

The loopback server is uvicorn with the httptools parser, picked by measurement: the same
app in a separate process, 64 concurrent keep-alive requests of an endpoint-4 page (~32 KB)
from aiohttp, on the shared 2-core box (3 runs each, req/s): uvicorn+httptools 9.5k-12.3k,
granian 7.0k-9.1k, uvicorn+h11 7.0k-8.4k, hypercorn 4.2k-4.8k. An httpx client doing the same
manages ~390 req/s, so the fake is never the bottleneck. Rendered pages are cached per data
version; an uncached page costs ~0.2-0.9 ms to build. uvicorn runs asyncio only, so `serve()`
runs it in a thread with its own loop, which works for asyncio and trio callers alike.
"""

from ._fake import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI
from ._faults import Faults
from ._records import DatasetSpec
from ._stats import LoggedRequest, Stats
from ._store import Dataset
from ._types import ALL_KINDS, DEFAULT_KINDS, Dialect, FaultKind

__all__ = [
    "ALL_KINDS",
    "DEFAULT_KINDS",
    "TEST_API_KEY",
    "TEST_SECRET_KEY",
    "Dataset",
    "DatasetSpec",
    "Dialect",
    "FakeAPI",
    "FaultKind",
    "Faults",
    "LoggedRequest",
    "Stats",
]
