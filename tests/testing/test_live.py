"""`FakeAPI.run_execution`: a live execution, the same through every endpoint at every moment."""

from __future__ import annotations

from typing import Any

import pytest

from futureagi_async.testing import DatasetSpec, FakeAPI

pytestmark = pytest.mark.anyio

_CALL_ORDER = ["pending", "queued", "ongoing", "analyzing", "completed"]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _fake(clock: Clock, **spec: Any) -> FakeAPI:
    return FakeAPI(DatasetSpec(run_tests=2, executions_per_run_test=1, **spec), clock=clock)


async def test_an_execution_runs_from_pending_to_completed() -> None:
    clock = Clock()
    fake = _fake(clock)
    eid = fake.run_execution("Billing bot nightly", calls=30, seconds=100, seed=3, rerun_ratio=0)
    seen_exec: list[str] = []
    last_status: dict[str, int] = {}
    counts: list[tuple[int, int, int]] = []
    async with fake.client() as client:
        for t in range(0, 106, 3):
            clock.now = float(t)
            grid = await client.test_executions.get_page(eid, page_size=100)
            sdk = await client.simulation.execution(eid)
            assert grid.status == sdk.status
            if not seen_exec or seen_exec[-1] != grid.status:
                seen_exec.append(str(grid.status))
            for row in grid.results:
                assert row.id is not None
                assert row.status is not None
                rank = 5 if row.status == "failed" else _CALL_ORDER.index(str(row.status))
                assert rank >= last_status.get(row.id, 0)  # calls only move forward
                last_status[row.id] = rank
            counts.append((sdk.total_calls or 0, sdk.completed_calls or 0, sdk.failed_calls or 0))
    assert seen_exec == ["pending", "running", "evaluating", "completed"]
    assert counts == sorted(counts)  # counters only grow
    assert counts[-1][0] == 30
    assert counts[-1][1] + counts[-1][2] == 30


async def test_evals_read_pending_until_the_analysis_ends() -> None:
    clock = Clock()
    fake = _fake(clock)
    eid = fake.run_execution("Billing bot nightly", calls=40, seconds=10, seed=5, fail_ratio=0)
    live = fake.dataset.live_execution(eid)
    assert live is not None
    # A moment when some call is analysing: its evals are pending on both families.
    plan = live.plans[0]
    run = plan.runs[0]
    clock.now = (run.ended + run.analyzed) / 2
    async with fake.http_client() as http:
        grid = (await http.get(f"/simulate/test-executions/{eid}/", params={"limit": 100})).json()
        sdk = (await http.get("/sdk/api/v1/simulation/runs/", params={"execution_id": eid})).json()
        row = next(r for r in grid["results"] if r["id"] == plan.id)
        assert row["status"] == "analyzing"
        assert row["eval_outputs"]
        assert all(v == {} for v in row["eval_outputs"].values())
        clock.now = 10.0
        sdk = await http.get(
            "/sdk/api/v1/simulation/runs/", params={"execution_id": eid, "limit": 100}
        )
        done = next(
            r
            for r in sdk.json()["result"]["call_results"]["results"]
            if r["call_execution_id"] == plan.id
        )
        assert all(v["status"] == "Completed" for v in done["eval_outputs"].values())
    clock.now = (run.ended + run.analyzed) / 2
    fake.dataset.sync()
    call = next(c for c in fake.dataset.calls_of(eid) if c.id == plan.id)
    assert all(v == {"status": "pending"} for v in call.eval_outputs.values())


async def test_pass_rate_drives_pass_fail_evals() -> None:
    clock = Clock()
    fake = _fake(clock, eval_output_types=("Pass/Fail",), eval_configs=1)
    eid = fake.run_execution(
        "Billing bot nightly", calls=400, seconds=1, pass_rate=0.3, fail_ratio=0, seed=1
    )
    clock.now = 2.0
    async with fake.client() as client:
        record = await client.simulation.execution(eid)
    rate = record.eval_results[0].total_pass_rate
    assert rate is not None
    assert 20 < rate < 40


async def test_reruns_leave_snapshot_rows_and_the_listing_grows() -> None:
    clock = Clock()
    fake = _fake(clock)
    run_test = fake.dataset.run_tests[0]
    eid = fake.run_execution(run_test.name, calls=40, seconds=10, seed=2, rerun_ratio=1.0)
    sizes = []
    async with fake.http_client() as http:
        for t in range(11):
            clock.now = float(t)
            grid = await http.get(f"/simulate/test-executions/{eid}/", params={"limit": 5})
            sizes.append(grid.json()["count"])
        listing = await http.get(
            f"/simulate/run-tests/{run_test.id}/call-executions/", params={"limit": 1000}
        )
    snapshots = [r for r in listing.json()["results"] if r["is_snapshot"]]
    live_ids = {c.id for c in fake.dataset.calls_of(eid)}
    assert sizes == sorted(sizes)
    assert sizes[0] < 40 == sizes[-1]
    assert {r["original_call_execution_id"] for r in snapshots} >= live_ids - {
        c.id for c in fake.dataset.calls_of(eid) if c.status == "failed" and not c.snapshots
    }


async def test_run_every_starts_executions_on_the_clock() -> None:
    clock = Clock()
    fake = _fake(clock)
    before = len(fake.dataset.executions)
    fake.dataset.run_every("Billing bot nightly", 5.0, calls=3, seconds=4.0)
    async with fake.http_client() as http:
        for t in (0.0, 1.0, 5.5, 6.0, 11.0):
            clock.now = t
            await http.get("/simulate/run-tests/")
    assert len(fake.dataset.executions) == before + 3


def test_bad_arguments() -> None:
    fake = _fake(Clock())
    with pytest.raises(LookupError, match="no run test"):
        fake.run_execution("nope")
    for kwargs in ({"calls": -1}, {"seconds": 0}, {"pass_rate": 1.5}, {"fail_ratio": True}):
        with pytest.raises(ValueError, match="must be"):
            fake.run_execution("Billing bot nightly", **kwargs)


def test_the_same_seed_plans_the_same_execution() -> None:
    a, b = _fake(Clock()), _fake(Clock())
    ea = a.run_execution("Billing bot nightly", calls=5, seed=9)
    eb = b.run_execution("Billing bot nightly", calls=5, seed=9)
    assert ea == eb
    la, lb = a.dataset.live_execution(ea), b.dataset.live_execution(eb)
    assert la is not None
    assert lb is not None
    assert la.plans == lb.plans
