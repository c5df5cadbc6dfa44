"""A fake of the Future AGI Simulate API that answers like the running backend, for tests.

    from futureagi_async.testing import FakeAPI, DatasetSpec

    fake = FakeAPI(DatasetSpec(seed=0, calls_per_execution=25))
    async with fake.client() as client:           # the library's AsyncClient, in-process
        latest = await anext(aiter(client.simulation.runs("Billing bot nightly")))
    async with fake.http_client() as http:        # a bare httpx2 client, credentials set
        await http.get("/simulate/run-tests/")
    async with fake.serve() as base_url:          # a real loopback socket
        ...

In pytest, the `fake_api` and `fake_client` fixtures come with the library (a `pytest11`
entry point; see `futureagi_async.testing._pytest_plugin`).

Public names:

- `FakeAPI(spec, *, dialect="backend"|"docs", api_key=TEST_API_KEY, secret_key=TEST_SECRET_KEY,
  latency=0.0, jitter=0.0, faults=Faults(), link_scheme="http", fixed_row_groups=False,
  clock=time.monotonic)`:
  `.app` (ASGI 3), `.dataset`, `.stats`, `.faults`, `.headers`, `.transport()`, `.client()`,
  `.http_client()`, `.add_calls(execution_id, n)`, `.remove_calls(execution_id, n)`,
  `.serve(port=0)`, `.clock` (settable), `.run_execution(run_test_name, *, calls=25,
  seconds=60.0, pass_rate=0.8, fail_ratio=0.05, seed=None, rerun_ratio=0.05)`: a live
  execution whose state is a function of `clock` since its start, the same on every endpoint
  (`dataset.live_execution(id)` holds its drawn timelines; `dataset.run_every(name, every,
  **options)` starts one every `every` seconds, as `fake-server --live` does).
- `DatasetSpec`: seed and sizes (run tests, executions per run test, calls per execution,
  transcript turns, eval configs, chat/snapshot/deleted ratios, eval output types). Run tests
  are named as in the README and the recordings: "Billing bot nightly", "Refund flow smoke",
  "Upgrade A/B", ...
- `Dataset` (`fake.dataset`): `run_tests`, `executions`, `calls` (frozen `...Record`s;
  `calls` includes soft-deleted ones: `call.deleted`), `templates`, `workspace_id`,
  `organization_id`, lookups `run_test(id)`, `execution(id)`, `call(id)`,
  `executions_of(run_test_id)`, `calls_of(execution_id)`.
- `Faults(rate, seed, kinds, retry_after=1, drip_interval=0.02)`, `.push(kind, times,
  path=...)`, `.clear()`. Kinds: `FaultKind`, all of them in `ALL_KINDS`; `rate` draws from
  `kinds` (`DEFAULT_KINDS`).
- `Stats`: `requests_served`, `request_log` (`LoggedRequest(method, path, query, status,
  fault)`), `in_flight`, `max_in_flight`, `reset()`.
- `Dialect`, `TEST_API_KEY`, `TEST_SECRET_KEY`.

Command line: `python -m futureagi_async.testing --port 8765 [--latency 0.05 --jitter 0.02]
[--dialect docs] [--calls-per-execution 200] [--fault-rate 0.1 --fault-kinds 503,429]`.

The backend dialect is checked against the backend's recorded answers (tests/recordings,
replayed by tests/testing/test_matches_recordings.py): the same status codes, headers and
shapes. Where the backend's code and its running answers disagree, the fake answers as it
runs: `row_groups` gives a 500 (`fixed_row_groups=True` serves the grouped rows the code
intends), a filter failing at run time gives a 500, `X-Workspace-Id` is ignored.

What the fake does not reproduce:

- Writes. It is read-only: PATCH and DELETE on `/simulate/run-tests/{id}/` answer 405, and a
  GET of `/simulate/test-executions/{id}/` does not store the grid's `column_order` back.
- Keys beyond one pair: no disabled keys, no key bound to a workspace; any wrong pair gets the
  same 401. A bearer token always gets "Invalid Token parsed: Not enough segments", where the
  backend's message depends on the token.
- The call-executions listing's 500 when the deployment lacks a voice provider key: the fake
  is a configured deployment.
- Stored execution counters: the fake recomputes them, so `completed_calls` never counts a
  soft-deleted call (the backend's may).
- Filters on `timestamp`/`created_at`, `call_execution_id`, dataset, persona and tool-eval
  columns are ignored; search does not look into dataset cells. A failing filter's 500 quotes
  the first line of PostgreSQL's error only. Filter-validation messages are the backend's
  where it was recorded saying them (invalid JSON, missing keys, unsupported `filter_type`);
  the others are the fake's wording.
- Grouped rows (with `fixed_row_groups=True`) group by the requested `row_groups`, not by the
  stored `column_order` as the code would.
- Content the recordings cannot pin down: rule prompts of eval templates, explanation-summary
  clusters, the OPTIONS names of views other than the run test list, Django's exact HTML
  pages. Request ids are random UUIDs.

The loopback server is uvicorn with the httptools parser, picked by measurement: the same app
in a separate process, 64 concurrent keep-alive requests of a grid page (~32 KB) from aiohttp,
on the shared 2-core box (3 runs each, req/s): uvicorn+httptools 9.5k-12.3k, granian
7.0k-9.1k, uvicorn+h11 7.0k-8.4k, hypercorn 4.2k-4.8k. An httpx client doing the same manages
~390 req/s, so the fake is never the bottleneck. Rendered pages are cached per data version;
an uncached page costs ~0.2-0.9 ms to build. uvicorn runs asyncio only, so `serve()` runs it in
a thread with its own loop, which works for asyncio and trio callers alike.
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
