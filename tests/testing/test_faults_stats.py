"""Knobs and observations: faults, latency, stats, and data that changes while paging."""

from __future__ import annotations

import json

import anyio
import httpx2
import pytest

from futureagi_async.testing import ALL_KINDS, DatasetSpec, FakeAPI, Faults

pytestmark = pytest.mark.anyio

RT = "/simulate/run-tests/"


async def test_scripted_status_faults() -> None:
    fake = FakeAPI()
    for kind in ("503", "html-502", "500", "html-500"):
        fake.faults.push(kind)
    fake.faults.push("429", times=2, path="/sdk/")
    async with fake.http_client() as http:
        statuses = [(await http.get(RT)).status_code for _ in range(5)]
        sdk = [
            (
                await http.get("/sdk/api/v1/simulation/runs/", params={"run_test_name": "x"})
            ).status_code
            for _ in range(3)
        ]
    assert statuses == [503, 502, 500, 500, 200]
    assert sdk == [429, 429, 404]
    assert [e.fault for e in fake.stats.request_log][:4] == ["503", "html-502", "500", "html-500"]


async def test_body_faults_in_process() -> None:
    fake = FakeAPI(faults=Faults(drip_interval=0))
    async with fake.http_client() as http:
        whole = await http.get(RT)
        fake.faults.push("truncate")
        cut = await http.get(RT)
        assert cut.status_code == 200
        assert cut.content == whole.content[: len(whole.content) // 2]
        with pytest.raises(json.JSONDecodeError):
            cut.json()
        fake.faults.push("drip")
        assert (await http.get(RT)).content == whole.content
        fake.faults.push("drop")
        with pytest.raises(httpx2.RemoteProtocolError):
            await http.get(RT)


async def test_random_faults_are_deterministic_by_seed() -> None:
    async def run(seed: int) -> list[str | None]:
        fake = FakeAPI(faults=Faults(rate=0.5, seed=seed, kinds=("503", "429", "html-502")))
        async with fake.http_client() as http:
            for page in range(1, 5):
                for _ in range(3):
                    await http.get(RT, params={"limit": "1", "page": page})
        return [e.fault for e in fake.stats.request_log]

    first = await run(1)
    assert first == await run(1)
    assert first != await run(2)
    assert 0 < sum(f is not None for f in first) < len(first)


def test_unknown_fault_kinds_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        Faults(kinds=("teapot",))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown"):
        Faults().push("teapot")  # type: ignore[arg-type]
    assert set(ALL_KINDS) >= {"503", "429", "429-envelope", "html-502", "drop", "truncate", "drip"}


async def test_latency_does_not_block_and_stats_count_concurrency() -> None:
    fake = FakeAPI(latency=0.01, jitter=0.01)
    async with fake.http_client() as http:

        async def one() -> None:
            assert (await http.get(RT)).status_code == 200

        async with anyio.create_task_group() as tg:
            for _ in range(8):
                tg.start_soon(one)
    # All eight were asleep in the fake at once: the sleep yields to the event loop.
    assert fake.stats.max_in_flight == 8
    assert fake.stats.requests_served == 8
    assert fake.stats.in_flight == 0
    entry = fake.stats.request_log[0]
    assert (entry.method, entry.path, entry.query, entry.status) == ("GET", RT, "", 200)
    fake.stats.reset()
    assert (fake.stats.requests_served, fake.stats.request_log, fake.stats.max_in_flight) == (
        0,
        [],
        0,
    )


async def test_rows_added_and_removed_while_paging() -> None:
    fake = FakeAPI(DatasetSpec(deleted_ratio=0))
    ex = fake.dataset.executions[0]
    path = f"/simulate/test-executions/{ex.id}/"
    async with fake.http_client() as http:
        first = (await http.get(path, params={"limit": "5"})).json()
        added = fake.add_calls(ex.id, 3)
        again = (await http.get(path, params={"limit": "5"})).json()
        assert again["count"] == first["count"] + 3
        # New rows are newest, so they push everything down a page.
        assert [r["id"] for r in again["results"][:3]] == [c.id for c in reversed(added)]
        sdk = (
            await http.get("/sdk/api/v1/simulation/runs/", params={"execution_id": ex.id})
        ).json()
        assert sdk["result"]["total_calls"] == again["count"]
        removed = fake.remove_calls(ex.id, 4)
        after = (await http.get(path, params={"limit": "5"})).json()
    assert after["count"] == again["count"] - 4
    assert {c.id for c in removed}.isdisjoint(r["id"] for r in after["results"])


def test_adding_calls_to_an_unknown_execution_says_so() -> None:
    with pytest.raises(LookupError, match="no execution 'nope'"):
        FakeAPI().add_calls("nope", 1)


def test_the_default_run_tests_have_the_readmes_names() -> None:
    names = [rt.name for rt in FakeAPI().dataset.run_tests]
    assert names[:3] == ["Billing bot nightly", "Refund flow smoke", "Upgrade A/B"]
    many = [rt.name for rt in FakeAPI(DatasetSpec(run_tests=14)).dataset.run_tests]
    assert len(set(many)) == 14
    assert many[6:8] == ["Billing bot nightly 2", "Refund flow smoke 2"]


def test_dataset_is_deterministic_and_sized() -> None:
    spec = DatasetSpec(
        seed=3, run_tests=2, executions_per_run_test=2, calls_per_execution=5, eval_configs=4
    )
    a, b = FakeAPI(spec).dataset, FakeAPI(spec).dataset
    assert [c.id for c in a.calls] == [c.id for c in b.calls]
    assert (len(a.run_tests), len(a.executions), len(a.calls)) == (2, 4, 20)
    assert all(len(rt.eval_configs) == 4 for rt in a.run_tests)
    assert FakeAPI(DatasetSpec(seed=4)).dataset.calls[0].id != a.calls[0].id
