"""`/sdk/api/v1/simulation/runs/` (selectors, raw outputs, eval maths, summaries) agrees with
the /simulate/ views."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from futureagi_async.testing import DatasetSpec, FakeAPI

pytestmark = pytest.mark.anyio

SDK = "/sdk/api/v1/simulation/runs/"


async def _all_rows(http: httpx2.AsyncClient, execution_id: str) -> list[dict[str, Any]]:
    body = (
        await http.get(f"/simulate/test-executions/{execution_id}/", params={"limit": "1000"})
    ).json()
    assert body["count"] == len(body["results"])
    return list(body["results"])


async def test_counts_and_pass_rates_match_the_grid(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    for execution in fake.dataset.executions:
        rows = await _all_rows(http, execution.id)
        result = (await http.get(SDK, params={"execution_id": execution.id})).json()["result"]
        assert result["total_calls"] == len(rows) == result["call_results"]["count"]
        assert result["completed_calls"] == sum(r["status"] == "completed" for r in rows)
        assert result["failed_calls"] == sum(r["status"] == "failed" for r in rows)
        completed = [r for r in rows if r["status"] == "completed" and r["eval_outputs"]]
        for template in result["eval_results"]:
            for config in template["result"]:
                values = [
                    r["eval_outputs"][config["id"]]["value"]
                    for r in completed
                    if r["eval_outputs"].get(config["id"], {}).get("value") not in (None, [None])
                ]
                assert config["total_cells"] == len(values)
                if template["output_type"] == "Pass/Fail" and values:
                    passed = sum(
                        v is True or (isinstance(v, str) and v.lower() == "passed") for v in values
                    )
                    assert config["output"]["pass_count"] == passed
                    assert config["output"]["pass"] == round(passed * 100 / len(values), 2)
                    assert template["total_pass_rate"] == config["output"]["pass"]


async def test_ids_link_up(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    rt = fake.dataset.run_tests[0]
    rows = (
        await http.get(f"/simulate/run-tests/{rt.id}/call-executions/", params={"limit": "1000"})
    ).json()["results"]
    executions = {e.id for e in fake.dataset.executions_of(rt.id)}
    scenarios = {s.id: s.name for s in rt.scenarios}
    for row in (r for r in rows if not r["is_snapshot"]):
        assert row["test_execution_id"] in executions
        assert scenarios[row["scenario_id"]] == row["scenario"]
        one = (await http.get(SDK, params={"call_execution_id": row["id"]})).json()["result"]
        assert one["execution_id"] == row["test_execution_id"]
        assert one["scenario_name"] == row["scenario"]
        break
    runs = (await http.get(SDK, params={"run_test_name": rt.name})).json()["result"]
    assert {r["execution_id"] for r in runs["results"]} == executions
    created = [fake.dataset.execution(r["execution_id"]).created_at for r in runs["results"]]  # type: ignore[union-attr]
    assert created == sorted(created, reverse=True)


async def test_selector_precedence(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    call = next(c for c in fake.dataset.calls if not c.deleted)
    other = fake.dataset.executions[-1].id
    name = fake.dataset.run_tests[-1].name
    r = await http.get(
        SDK, params={"call_execution_id": call.id, "execution_id": other, "run_test_name": name}
    )
    assert r.json()["result"]["call_execution_id"] == call.id
    r = await http.get(SDK, params={"execution_id": other, "run_test_name": "missing"})
    assert r.json()["result"]["execution_id"] == other
    assert (await http.get(SDK, params={"run_test_name": name.lower()})).status_code == 404


async def test_raw_eval_output_variants(fake: FakeAPI) -> None:
    shapes = set()
    for call in fake.dataset.calls:
        for stored in call.eval_outputs.values():
            shapes.add(
                (stored.get("status"), stored.get("output") is None, stored.get("output_type"))
            )
    statuses = {s for s, _, _ in shapes}
    assert {"Completed", "Failed", "skipped", "pending"} <= statuses
    assert ("Completed", True, "reason") in shapes  # engine error


async def test_call_mode_shape_and_eval_name(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    call = next(c for c in fake.dataset.calls if c.status == "completed" and not c.deleted)
    result = (await http.get(SDK, params={"call_execution_id": call.id})).json()["result"]
    assert list(result) == [
        "call_execution_id",
        "execution_id",
        "scenario_id",
        "scenario_name",
        "status",
        "started_at",
        "completed_at",
        "duration_seconds",
        "ended_reason",
        "call_summary",
        "eval_outputs",
        "latency",
        "cost",
    ]
    assert result["eval_outputs"] == call.eval_outputs
    named = {v["name"] for v in call.eval_outputs.values() if "name" in v}
    if named:
        pick = sorted(named)[0]
        filtered = (
            await http.get(
                SDK, params={"call_execution_id": call.id, "eval_name": f" ,{pick.upper()},"}
            )
        ).json()
        assert {v["name"] for v in filtered["result"]["eval_outputs"].values()} == {pick}


async def test_eval_results_eval_name_is_exact(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    ex = fake.dataset.executions[0]
    config = fake.dataset.run_tests[0].eval_configs[0]
    exact = (await http.get(SDK, params={"execution_id": ex.id, "eval_name": config.name})).json()
    assert [r["id"] for t in exact["result"]["eval_results"] for r in t["result"]] == [config.id]
    upper = (
        await http.get(SDK, params={"execution_id": ex.id, "eval_name": config.name.upper()})
    ).json()
    assert upper["result"]["eval_results"] == []


async def test_unsupported_output_type_is_500() -> None:
    fake = FakeAPI(DatasetSpec(eval_output_types=("Pass/Fail", "numeric")))
    async with fake.http_client() as http:
        ex = fake.dataset.executions[0].id
        r = await http.get(SDK, params={"execution_id": ex})
        assert r.status_code == 500
        assert r.json()["message"] == "Unable to fetch simulation runs."
        call = next(c for c in fake.dataset.calls if c.execution_id == ex and not c.deleted)
        assert (await http.get(SDK, params={"call_execution_id": call.id})).status_code == 200


async def test_summaries(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    seen = set()
    for ex in fake.dataset.executions:
        result = (await http.get(SDK, params={"execution_id": ex.id, "summary": "true"})).json()[
            "result"
        ]
        assert list(result)[-2:] == ["eval_explanation_summary", "eval_explanation_summary_status"]
        summary = result["eval_explanation_summary"]
        seen.add("null" if summary is None else "empty" if summary == {} else "clusters")
        if summary:
            rt = fake.dataset.run_test(ex.run_test_id)
            assert rt is not None
            ((name, clusters),) = summary.items()
            assert name == rt.eval_configs[0].name
            assert {"theme", "kind", "member_ids", "eval_config_id"} <= set(clusters[0])
    assert seen == {"null", "empty", "clusters"}
    plain = (await http.get(SDK, params={"execution_id": ex.id})).json()["result"]
    assert "eval_explanation_summary" not in plain
