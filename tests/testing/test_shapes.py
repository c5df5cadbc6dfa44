"""The shapes of run tests, call rows, snapshots, the test-execution grid and the SDK runs."""

from __future__ import annotations

import json
import re
from typing import Any

import httpx2
import pytest

from futureagi_async.testing import DatasetSpec, FakeAPI

pytestmark = pytest.mark.anyio

RT = "/simulate/run-tests/"
SDK = "/sdk/api/v1/simulation/runs/"
DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$")
OPTIONAL_AGENT_KEYS = {
    "simulator_agent_name",
    "simulator_agent_id",
    "agent_definition_used_name",
    "agent_definition_used_id",
}


def _datetimes(obj: Any) -> list[str]:
    if isinstance(obj, dict):
        return [
            v
            for k, v in obj.items()
            if isinstance(v, str) and k.endswith(("_at", "timestamp", "start_time"))
        ] + [d for v in obj.values() for d in _datetimes(v)]
    if isinstance(obj, list):
        return [d for v in obj for d in _datetimes(v)]
    return []


async def test_run_test_object(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    listed = (await http.get(RT)).json()["results"]
    by_id = {r["id"]: r for r in listed}
    assert list(listed[0])[-3:] == ["deleted", "deleted_at", "evals"]
    kinds = set()
    for rt in fake.dataset.run_tests:
        detail = (await http.get(f"{RT}{rt.id}/")).json()
        assert list(detail) == list(by_id[rt.id])
        assert detail["last_run_at"] is None
        assert by_id[rt.id]["last_run_at"] is not None
        assert detail["evals"] == detail["evals_detail"] == detail["simulate_eval_configs_detail"]
        kinds.add(type(detail["agent_version"]).__name__)
        for scenario in detail["scenarios_detail"]:
            config = scenario["dataset_column_config"]
            assert config == [] if scenario["dataset"] is None else isinstance(config, dict)
    assert kinds == {"dict", "NoneType"}
    # Newest first.
    assert [r["created_at"] for r in listed] == sorted(
        (r["created_at"] for r in listed), reverse=True
    )


async def test_compact_utf8_json_and_datetimes(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    r = await http.get(
        f"{RT}{fake.dataset.run_tests[0].id}/call-executions/", params={"limit": "50"}
    )
    assert r.headers["content-type"] == "application/json"
    assert b'": ' not in r.content
    assert b", " not in r.content.split(b'"content"')[0]
    body = r.json()
    assert json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode() == r.content
    stamps = _datetimes(body)
    assert stamps
    assert all(DATETIME.match(s) for s in stamps)
    assert any("." in s for s in stamps)
    assert any("." not in s for s in stamps)


async def test_only_simulation_runs_wraps(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    rt, ex = fake.dataset.run_tests[0], fake.dataset.executions[0]
    for path in (
        RT,
        f"{RT}{rt.id}/",
        f"{RT}{rt.id}/call-executions/",
        f"/simulate/test-executions/{ex.id}/",
    ):
        assert "status" not in (await http.get(path)).json() or path.startswith("/simulate/test")
    body = (await http.get(SDK, params={"execution_id": ex.id})).json()
    assert body["status"] is True
    assert set(body) == {"status", "result"}


async def test_call_rows_listing_vs_grid(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    rt = fake.dataset.run_tests[0]
    ex = fake.dataset.executions_of(rt.id)[0]
    rows3 = (await http.get(f"{RT}{rt.id}/call-executions/", params={"limit": "500"})).json()[
        "results"
    ]
    rows4 = (await http.get(f"/simulate/test-executions/{ex.id}/", params={"limit": "500"})).json()[
        "results"
    ]
    calls3 = {r["id"]: r for r in rows3 if not r["is_snapshot"]}
    for row4 in rows4:
        row3 = calls3[row4["id"]]
        assert set(row4) - set(row3) == {"rerun_snapshots"}
        assert row4["transcript"] == []
        assert row4["recordings"] == {}
        assert row3["session_id"] is None
        assert isinstance(row3["scenario"], str)
        assert "created_at" not in row3
        if row3["status"] in ("completed", "failed"):
            assert row3["transcript"]
            assert "speaker_role" in row3["transcript"][0]
            assert row4["session_id"]
        # The call-executions listing keeps outputs of configs deleted since; the grid shows
        # live ones only.
        live = {c.id for c in rt.eval_configs}
        assert set(row4["eval_outputs"]) <= live
        assert set(row3["eval_outputs"]) - live <= {c.id for c in rt.stale_eval_configs}
    assert any(set(r["eval_outputs"]) - {c.id for c in rt.eval_configs} for r in rows3)


async def test_transformed_eval_items(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    rt = fake.dataset.run_tests[0]
    rows = (await http.get(f"{RT}{rt.id}/call-executions/", params={"limit": "500"})).json()[
        "results"
    ]
    seen_status, seen_pending = set(), False
    for row in rows:
        if row["is_snapshot"]:
            continue
        for config_id, item in row["eval_outputs"].items():
            if item == {}:
                seen_pending = True
                continue
            assert list(item) == ["value", "reason", "type", "name", "error", "status", "skipped"]
            assert list(row["eval_metrics"][config_id])[:3] == ["id", "name", "value"]
            seen_status.add(item["status"])
            if item["type"] == "choices":
                assert isinstance(item["value"], list)
    assert seen_pending
    assert {"Completed", "skipped"} <= seen_status


async def test_prompt_runs_omit_agent_keys(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    prompt = next(rt for rt in fake.dataset.run_tests if rt.source_type == "prompt")
    voice = fake.dataset.run_tests[0]
    rows = (await http.get(f"{RT}{prompt.id}/call-executions/")).json()["results"]
    assert rows
    assert all(not OPTIONAL_AGENT_KEYS & set(r) for r in rows)
    assert all(r["simulation_call_type"] == "text" and r["phone_number"] is None for r in rows)
    transcripts = [r["transcript"] for r in rows if r["transcript"]]
    assert "messages" in transcripts[0][0]
    rows = (await http.get(f"{RT}{voice.id}/call-executions/")).json()["results"]
    assert all(set(r) >= OPTIONAL_AGENT_KEYS for r in rows if not r["is_snapshot"])


async def test_snapshot_rows_interleave_in_the_call_executions_listing() -> None:
    fake = FakeAPI(DatasetSpec(snapshot_ratio=0.5))
    rt = fake.dataset.run_tests[0]
    async with fake.http_client() as http:
        rows = (await http.get(f"{RT}{rt.id}/call-executions/", params={"limit": "1000"})).json()[
            "results"
        ]
        ex = next(c for c in fake.dataset.calls if c.snapshots and not c.deleted).execution_id
        rows4 = (
            await http.get(f"/simulate/test-executions/{ex}/", params={"limit": "1000"})
        ).json()["results"]
    snaps = [r for r in rows if r["is_snapshot"]]
    assert snaps
    snap = snaps[0]
    assert snap["rerun_type"] == "call_and_eval"
    assert not {"session_id", "start_time", "phone_number", "test_execution_id"} & set(snap)
    assert snap["recordings"]["mono"]["customer_url"] is None
    # The raw stored shape, not the transformed one.
    assert all("value" not in v for v in snap["eval_outputs"].values())
    assert [r["timestamp"] for r in rows] == sorted((r["timestamp"] for r in rows), reverse=True)
    with_snaps = [r for r in rows4 if r["rerun_snapshots"]]
    assert with_snaps
    assert "snapshot_timestamp" in with_snaps[0]["rerun_snapshots"][0]


async def test_grid_metadata(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    for rt in fake.dataset.run_tests:
        ex = fake.dataset.executions_of(rt.id)[0]
        body = (await http.get(f"/simulate/test-executions/{ex.id}/")).json()
        assert list(body)[-6:] == [
            "current_page",
            "column_order",
            "error_messages",
            "status",
            "provider",
            "agent_type",
        ]
        assert body["agent_type"] == rt.kind
        assert body["provider"] == (
            rt.agent_definition.provider if rt.agent_definition else "prompt"
        )
        evals = [c for c in body["column_order"] if c.get("type") == "evaluation"]
        assert [c["id"] for c in evals] == [c.id for c in rt.eval_configs]
        stamps = [r["timestamp"] for r in body["results"]]
        assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("filters", "not json", "Filters must be valid JSON."),
        ("filters", '{"a": 1}', "Value must be a list."),
        ("row_groups", "[", "Value must be valid JSON."),
        ("group_keys", '"x"', "Value must be a list."),
        (
            "filters",
            '[{"colId":"status","filterType":"text","type":"equals","filter":"completed"}]',
            "0: Missing filter item keys: column_id, filter_config",
        ),
        (
            "filters",
            '[{"column_id":"status","filter_config":{"filter_type":"string","filter_op":"equals","filter_value":"x"}}]',
            "0: Unsupported filter_type 'string'.",
        ),
    ],
)
async def test_grid_filter_validation(
    fake: FakeAPI, http: httpx2.AsyncClient, name: str, value: str, message: str
) -> None:
    r = await http.get(
        f"/simulate/test-executions/{fake.dataset.executions[0].id}/", params={name: value}
    )
    assert r.status_code == 400
    assert r.json()["details"] == {name: [message]}


def _filter(column: str, ftype: str, op: str, value: Any) -> str:
    config = {"filter_type": ftype, "filter_op": op, "filter_value": value}
    return json.dumps([{"column_id": column, "filter_config": config}])


async def test_grid_filters_work(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    ex = fake.dataset.executions[0]
    path = f"/simulate/test-executions/{ex.id}/"
    calls = fake.dataset.calls_of(ex.id)
    body = (
        await http.get(
            path,
            params={"filters": _filter("status", "text", "equals", "COMPLETED"), "limit": "99"},
        )
    ).json()
    assert body["count"] == sum(c.status == "completed" for c in calls)
    assert {r["status"] for r in body["results"]} == {"completed"}
    body = (
        await http.get(
            path, params={"filters": _filter("overall_score", "number", "greater_than", 5)}
        )
    ).json()
    assert body["count"] == sum((c.overall_score or 0) > 5 for c in calls)
    passfail = fake.dataset.run_tests[0].eval_configs[0]
    body = (
        await http.get(
            path,
            params={"filters": _filter(passfail.id, "boolean", "equals", "passed"), "limit": "99"},
        )
    ).json()
    # Compared with JSON `true`: Pass/Fail outputs are stored as "Passed", so nothing matches.
    assert (body["count"], body["results"]) == (0, [])
    score = fake.dataset.run_tests[0].eval_configs[1]
    body = (
        await http.get(
            path,
            params={
                "filters": _filter(score.id, "number", "greater_than_or_equal", 50),
                "limit": "99",
            },
        )
    ).json()
    assert all(r["eval_outputs"][score.id]["value"] >= 0.5 for r in body["results"])
    # Unknown columns are ignored; a filter failing at run time fails the request.
    body = (await http.get(path, params={"filters": _filter("nope", "text", "equals", "x")})).json()
    assert (body["count"], body["error_messages"]) == (len(calls), [])
    r = await http.get(path, params={"filters": _filter("status", "text", "equals", True)})
    assert r.status_code == 500
    assert r.json()["message"] == (
        "Failed to retrieve test execution: function upper(boolean) does not exist"
    )


async def test_grid_search(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    ex = fake.dataset.executions[0]
    body = (
        await http.get(f"/simulate/test-executions/{ex.id}/", params={"search": "HOW CAN I HELP"})
    ).json()
    assert body["count"] == sum(bool(c.turns) for c in fake.dataset.calls_of(ex.id))
    body = (
        await http.get(f"/simulate/test-executions/{ex.id}/", params={"search": "completed"})
    ).json()
    assert body["count"] == 0  # not status, despite the docs


async def test_call_executions_search_and_status(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    rt = fake.dataset.run_tests[0]
    path = f"{RT}{rt.id}/call-executions/"
    name = rt.scenarios[0].name
    body = (
        await http.get(path, params={"search": f" {name[:3].lower()}% ", "limit": "999"})
    ).json()
    assert body["results"]
    assert all(r["scenario"] == name for r in body["results"])
    wildcard = (await http.get(path, params={"search": "_", "limit": "999"})).json()
    assert wildcard["count"] == (await http.get(path)).json()["count"]
    assert (await http.get(path, params={"status": "Completed"})).json()["count"] == 0


async def test_run_test_list_search_and_filters(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    voice = fake.dataset.run_tests[0]
    assert voice.agent_definition is not None
    by_agent = (
        await http.get(RT, params={"search": f"  {voice.agent_definition.agent_name.upper()} "})
    ).json()
    assert voice.id in {r["id"] for r in by_agent["results"]}
    prompt = next(rt for rt in fake.dataset.run_tests if rt.source_type == "prompt")
    prompts = (await http.get(RT, params={"simulation_type": "prompt"})).json()["results"]
    assert {r["id"] for r in prompts} == {prompt.id}
    other = "5e0e5e0e-0000-4000-8000-000000000000"
    gated = await http.get(RT, params={"simulation_type": "prompt", "prompt_template_id": other})
    assert gated.json()["count"] == 0
    # Ignored unless simulation_type=prompt, but still validated.
    assert (await http.get(RT, params={"prompt_template_id": other})).json()["count"] == 4
    assert (await http.get(RT, params={"prompt_template_id": "x"})).status_code == 400
