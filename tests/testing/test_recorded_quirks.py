"""Values (not only shapes) the recorded backend sends where its code says otherwise."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx2
import pytest

import futureagi_async as fa
from futureagi_async.testing import DatasetSpec, FakeAPI

from ..replay._recordings import recording

pytestmark = pytest.mark.anyio

RT = "/simulate/run-tests/"
SNAPSHOT_TURN = {"speaker_role", "content", "start_time_ms", "end_time_ms", "confidence_score"}


def _with_snapshot(fake: FakeAPI) -> tuple[str, str]:
    """(run test id, execution id) of a call that was rerun."""
    call = next(c for c in fake.dataset.calls if c.snapshots and not c.deleted)
    return call.run_test_id, call.execution_id


async def test_rerun_snapshots_keep_their_transcripts(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    run_test, execution = _with_snapshot(fake)
    listing = (await http.get(f"{RT}{run_test}/call-executions/", params={"limit": "500"})).json()
    rows = [r for r in listing["results"] if r["is_snapshot"]]
    assert rows
    assert all(r["transcript"] for r in rows)
    assert all(set(t) == SNAPSHOT_TURN for r in rows for t in r["transcript"])
    grid = (
        await http.get(f"/simulate/test-executions/{execution}/", params={"limit": "500"})
    ).json()
    snapshots = [s for r in grid["results"] for s in r["rerun_snapshots"]]
    assert snapshots
    assert all(s["transcripts"] for s in snapshots)
    assert all(set(t) == SNAPSHOT_TURN for s in snapshots for t in s["transcripts"])


async def test_template_type_is_null_in_the_listing_and_single_in_the_grid(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    run_test, execution = _with_snapshot(fake)
    listing = (await http.get(f"{RT}{run_test}/call-executions/")).json()["results"]
    grid = (await http.get(f"/simulate/test-executions/{execution}/")).json()["results"]

    def template_types(rows: list[dict[str, Any]]) -> set[str | None]:
        return {m.get("template_type") for r in rows for m in r["eval_metrics"].values() if m}

    assert template_types(listing) == {None}
    assert template_types(grid) == {"single"}


async def test_grid_eval_columns_carry_the_template_config(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    execution = fake.dataset.executions[0].id
    columns = (await http.get(f"/simulate/test-executions/{execution}/")).json()["column_order"]
    evals = [c for c in columns if c.get("type") == "evaluation"]
    assert evals
    for column in evals:
        config = column["eval_config"]
        assert {"output", "rule_prompt", "eval_type_id", "required_keys"} <= set(config)
        assert set(config["required_keys"]) <= set(config["param_modalities"])


async def test_head_and_options_answer_with_allow(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    run_test = fake.dataset.run_tests[0].id
    head = await http.head(RT)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["allow"] == "GET, HEAD, OPTIONS"
    options = await http.options(f"{RT}{run_test}/")
    assert options.status_code == 200
    assert options.headers["allow"] == "GET, PATCH, DELETE, HEAD, OPTIONS"
    assert set(options.json()) == {"name", "description", "renders", "parses"}


async def test_every_answer_but_a_redirect_has_a_request_id(http: httpx2.AsyncClient) -> None:
    ids = set()
    for path in (RT, f"{RT}not-a-uuid/", "/sdk/api/v1/simulation/runs/"):
        response = await http.get(path)
        ids.add(str(uuid.UUID(response.headers["x-request-id"])))
    assert len(ids) == 3
    redirect = await http.get(RT.rstrip("/"))
    assert redirect.status_code == 301
    assert "x-request-id" not in redirect.headers


async def test_the_readme_quickstart_runs_against_the_fake(fake: FakeAPI) -> None:
    async with fake.client() as client:
        names = [rt.name async for rt in client.run_tests.list(search="billing")]
        assert names == ["Billing bot nightly"]
        latest = await anext(aiter(client.simulation.runs("Billing bot nightly")))
        assert latest.eval_results
        assert latest.execution_id is not None
        failed = [
            (call.scenario, output.name)
            async for call in client.test_executions.calls(
                latest.execution_id, filters=[fa.Filter("status", "text", "equals", "completed")]
            )
            for output in call.eval_outputs.values()
            if output.passed is False
        ]
        assert failed


async def test_faults_from_the_backend_have_a_request_id_and_a_gateways_do_not() -> None:
    fake = FakeAPI()
    fake.faults.push("500")
    fake.faults.push("503")
    async with fake.http_client() as http:
        backend, gateway = await http.get(RT), await http.get(RT)
    assert (backend.status_code, gateway.status_code) == (500, 503)
    assert "x-request-id" in backend.headers
    assert "x-request-id" not in gateway.headers


async def test_choices_aggregation_counts_a_stored_list_as_its_repr() -> None:
    # The backend counts `str(output)`: `"['Bad']": 14.29, "['Good']": 14.29, "Good": 28.57`.
    fake = FakeAPI(
        DatasetSpec(seed=1, eval_configs=1, eval_output_types=("choices",), calls_per_execution=60)
    )
    execution = fake.dataset.executions[0]
    run_test = fake.dataset.run_test(execution.run_test_id)
    assert run_test is not None
    config = run_test.eval_configs[0]
    outputs = [
        c.eval_outputs[config.id]["output"]
        for c in fake.dataset.calls_of(execution.id, include_deleted=True)
        if c.status == "completed" and c.eval_outputs.get(config.id, {}).get("output") is not None
    ]
    assert any(isinstance(o, list) for o in outputs)
    assert any(isinstance(o, str) for o in outputs)
    async with fake.http_client() as http:
        body = (
            await http.get("/sdk/api/v1/simulation/runs/", params={"execution_id": execution.id})
        ).json()
    (entry,) = body["result"]["eval_results"]
    expected = {
        key: round(sum(str(o) == key for o in outputs) * 100 / len(outputs), 2)
        for key in {str(o) for o in outputs}
    }
    assert entry["result"][0]["output"] == expected
    assert entry["total_choices_avg"] == expected
    assert any(key.startswith("['") for key in expected)


#: A chat execution's built-in grid columns as the backend sends them (id, name, visible):
#: no timestamp column, "Chat Details", token counts and the average latency, all hidden.
CHAT_COLUMNS = [
    ("call_details", "Chat Details", True),
    ("overall_score", "Overall Score", False),
    ("total_tokens", "Total Tokens", False),
    ("input_tokens", "Input Tokens", False),
    ("output_tokens", "Output Tokens", False),
    ("avg_latency_ms", "Average Latency (ms)", False),
    ("turn_count", "Turn Count", False),
]


def _builtins(columns: list[dict[str, Any]]) -> list[tuple[str, str, bool]]:
    return [(c["id"], c["column_name"], c["visible"]) for c in columns if "type" not in c]


@pytest.mark.parametrize("kind", ["voice", "text"])
async def test_grid_builtin_columns_are_the_backends(kind: str) -> None:
    fake = FakeAPI(DatasetSpec(seed=2, run_tests=4, chat_ratio=0.5))
    rt = next(r for r in fake.dataset.run_tests if r.kind == kind)
    execution = fake.dataset.executions_of(rt.id)[0]
    async with fake.http_client() as http:
        body = (await http.get(f"/simulate/test-executions/{execution.id}/")).json()
    columns = body["column_order"]
    if kind == "voice":
        recorded = recording("e4_exec2_default").body_json["column_order"]
        assert _builtins(columns) == _builtins(recorded)
    else:
        assert _builtins(columns) == CHAT_COLUMNS
    types = [c.get("type") for c in columns]
    # Dataset columns come after the built-ins and before the first eval column.
    assert types == sorted(types, key=[None, "scenario_dataset_column", "evaluation"].index)
    assert [c["id"] for c in columns if c.get("type") == "evaluation"] == [
        c.id for c in rt.eval_configs
    ]


async def test_a_voice_run_tests_scenarios_carry_its_simulator_agent(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    recorded = recording("e2_get").body_json
    rt = next(r for r in fake.dataset.run_tests if r.kind == "voice")
    ours = (await http.get(f"{RT}{rt.id}/")).json()
    for body in (recorded, ours):
        agents = [s["agent"] for s in body["scenarios_detail"]]
        assert agents
        detail = body["simulator_agent_detail"]
        assert all(agent == {k: detail[k] for k in agent} for agent in agents)
    assert {frozenset(s["agent"]) for s in ours["scenarios_detail"]} == {
        frozenset(s["agent"]) for s in recorded["scenarios_detail"]
    }


async def test_a_prompt_run_tests_scenarios_carry_its_prompt(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    rt = next(r for r in fake.dataset.run_tests if r.prompt_template_id)
    body = (await http.get(f"{RT}{rt.id}/")).json()
    assert body["scenarios_detail"]
    for scenario in body["scenarios_detail"]:
        assert scenario["dataset_column_config"] == []  # as recorded for a scenario without data
        assert scenario["agent"] is None
        for key in ("prompt_template", "prompt_version"):
            assert scenario[key] == body[key] is not None
            assert scenario[f"{key}_detail"] == body[f"{key}_detail"]
            assert scenario[f"{key}_detail"]["id"] == body[key]


async def test_a_code_evals_column_carries_its_code() -> None:
    fake = FakeAPI(DatasetSpec(seed=4, eval_configs=2, eval_output_types=("numeric", "Pass/Fail")))
    execution = fake.dataset.executions[0].id
    async with fake.http_client() as http:
        body = (await http.get(f"/simulate/test-executions/{execution}/")).json()
    code, judged = (c["eval_config"] for c in body["column_order"] if c.get("type") == "evaluation")
    assert code["eval_type_id"] == "CustomCodeEval"
    assert code["code"].startswith("def main(")
    assert "rule_prompt" not in code
    recorded = recording("e4_exec2_default").body_json["column_order"]
    passfail = next(c["eval_config"] for c in recorded if c.get("column_name") == "helpful_or_not")
    assert set(judged) == set(passfail)


async def test_chat_latency_and_numeric_eval_values_are_floats() -> None:
    fake = FakeAPI(DatasetSpec(seed=5, run_tests=2, chat_ratio=0.5, eval_output_types=("numeric",)))
    chat = next(r for r in fake.dataset.run_tests if r.kind == "text")
    execution = fake.dataset.executions_of(chat.id)[0].id
    async with fake.http_client() as http:
        body = (await http.get(f"/simulate/test-executions/{execution}/")).json()
    latencies = [r["avg_latency_ms"] for r in body["results"] if r["avg_latency_ms"] is not None]
    values = [
        o["value"] for r in body["results"] for o in r["eval_outputs"].values() if o.get("value")
    ]
    assert latencies
    assert values
    assert all(type(v) is float for v in latencies + values)
    assert any(not v.is_integer() for v in latencies)
    assert any(not v.is_integer() for v in values)


async def test_pass_fail_values_are_the_recorded_strings(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    recorded = {
        o["value"]
        for r in recording("x_e4_limit_1000").body_json["results"]
        for o in r["eval_outputs"].values()
        if o and o["type"] == "Pass/Fail"
    }
    assert recorded == {"Passed", "Failed"}
    ours: set[object] = set()
    for execution in fake.dataset.executions:
        body = (
            await http.get(f"/simulate/test-executions/{execution.id}/", params={"limit": "500"})
        ).json()
        ours |= {
            o["value"]
            for r in body["results"]
            for o in r["eval_outputs"].values()
            if o and o["type"] == "Pass/Fail" and o["value"] is not None
        }
    assert ours == recorded


def _snapshots_lead_their_execution(rows: list[dict[str, Any]], completed_at: str) -> None:
    """Each snapshot row is newer than its execution's end and listed before all its calls."""
    by_id = {r["id"]: i for i, r in enumerate(rows)}
    snapshots = [(i, r) for i, r in enumerate(rows) if r["is_snapshot"]]
    assert snapshots
    for index, row in snapshots:
        stamp = datetime.fromisoformat(row["snapshot_timestamp"])
        assert stamp > datetime.fromisoformat(completed_at)
        assert index < by_id[row["original_call_execution_id"]]


async def test_rerun_snapshots_are_listed_after_their_run(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    recorded = recording("e3_limit3_p1").body_json["results"]
    assert recorded[0]["is_snapshot"]  # page 1, first row
    completed = recording("e5_exec2_default").body_json["result"]["completed_at"]
    _snapshots_lead_their_execution(recording("x_e3_limit_1000").body_json["results"], completed)
    run_test, execution_id = _with_snapshot(fake)
    execution = fake.dataset.execution(execution_id)
    assert execution is not None
    assert execution.completed_at is not None
    listing = (await http.get(f"{RT}{run_test}/call-executions/", params={"limit": "500"})).json()
    own = {c.id for c in fake.dataset.calls_of(execution_id, include_deleted=True)}
    rows = [r for r in listing["results"] if (r["original_call_execution_id"] or r["id"]) in own]
    _snapshots_lead_their_execution(rows, execution.completed_at.isoformat())


async def test_a_grid_snapshot_keeps_its_calls_start(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    recorded = next(
        r for r in recording("x_e4_limit_1000").body_json["results"] if r["rerun_snapshots"]
    )
    (snapshot,) = recorded["rerun_snapshots"]
    assert (snapshot["started_at"], snapshot["completed_at"]) == (recorded["start_time"], None)
    _, execution = _with_snapshot(fake)
    grid = (
        await http.get(f"/simulate/test-executions/{execution}/", params={"limit": "500"})
    ).json()
    rows = [r for r in grid["results"] if r["rerun_snapshots"]]
    assert rows
    for row in rows:
        for snap in row["rerun_snapshots"]:
            assert (snap["started_at"], snap["completed_at"]) == (row["start_time"], None)
