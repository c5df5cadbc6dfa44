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
  rate_limit=None, rate_window=60.0, clock=time.monotonic)`:
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

The loopback server is uvicorn with the httptools parser, picked by measurement
(benchmarks/README.md, "The fake's server"). uvicorn runs asyncio only, so `serve()` runs it
in a thread with its own loop, which works for asyncio and trio callers alike.

Command line: `python -m futureagi_async.testing --port 8765 [--latency 0.05 --jitter 0.02]
[--dialect docs] [--calls-per-execution 200] [--fault-rate 0.1 --fault-kinds 503,429]
[--rate-limit 60 --rate-window 60]`.

The backend dialect is checked against the backend's recorded answers (tests/recordings,
replayed by tests/testing/test_matches_recordings.py): the same status codes, headers and
shapes. Where the backend's code and its running answers disagree, the fake answers as it
runs: `row_groups` gives a 500 (`fixed_row_groups=True` serves the grouped rows the code
intends), a filter failing at run time gives a 500, `X-Workspace-Id` is ignored.
The recorded seed has voice runs only, Pass/Fail and score evals: chat and prompt runs,
choices and code evals follow the backend's code instead (a chat grid's default columns, the
scenario serializer's prompt and agent details, choices counted by `str()` of the output).

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
- Live executions (`run_execution`) as the recordings cannot show them: the timelines are
  drawn, not measured (calls created over the first part of the run, evals stored as the
  analysis ends or a little after, one rerun at most per call), every change moves the
  call's `updated_at` (transcript turns included), and the counters are recounted, never
  stored. `add_calls`/`remove_calls` do not apply to a live execution (its calls are
  rebuilt from its timelines at every change).
- Content the recordings cannot pin down: rule prompts of eval templates, explanation-summary
  clusters, the OPTIONS names of views other than the run test list, Django's exact HTML
  pages. Request ids are random UUIDs.
- Where the recorded seed shows one form of a value, the fake sends that one: Pass/Fail outputs
  are the strings `Passed`/`Failed` (the backend's code would pass a stored boolean through;
  none was recorded). A grid's dataset columns sit where the backend reconciles them in,
  after the built-ins and before the evals; only the `numeric` template is a code eval.
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
