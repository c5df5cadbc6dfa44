"""Each endpoint's example bodies, backend and docs shapes, read into the models."""

from __future__ import annotations

import copy
from datetime import UTC, date, datetime

from futureagi_async._convert import structure, unstructure
from futureagi_async.models import (
    AgentVersion,
    CallExecution,
    CallExecutionPage,
    EvalMetric,
    EvalStatus,
    RunTest,
    RunTestPage,
    SimulationCall,
    SimulationExecution,
    SimulationExecutionPage,
    TestExecutionPage,
)

from . import bodies


def test_run_test_list_backend_shape() -> None:
    page = structure(bodies.RUN_TEST_LIST, RunTestPage)

    assert (page.count, page.total_pages, page.current_page) == (11, 2, 1)
    run = page.results[0]
    assert isinstance(run.agent_version, AgentVersion)
    assert run.agent_version.agent_type == "voice"
    assert run.agent_definition_detail is not None
    assert run.agent_definition_detail.livekit_max_concurrency == 5
    assert run.agent_definition_detail.extra == {"brand_new_key": 1}
    assert run.scenarios_detail[0].dataset_column_config == []
    assert run.simulate_eval_configs_detail[0].status == "Completed"
    assert run.last_run_at == datetime(2026, 3, 20, 2, 0, 11, 4512, tzinfo=UTC)
    assert run.evals == []
    assert run.extra == {}


def test_run_test_detail_prompt_run_has_a_uuid_agent_version() -> None:
    run = structure(bodies.RUN_TEST_PROMPT, RunTest)

    assert run.agent_version == "3bcfbace-57a1-43eb-94e2-29a3d35efe03"
    assert run.prompt_template_detail is not None
    assert run.prompt_template_detail.variable_names == ["question"]
    assert run.prompt_version_detail is not None
    assert run.prompt_version_detail.is_default is True
    assert run.simulator_agent_detail is not None
    assert run.simulator_agent_detail.llm_temperature == 1
    assert run.last_run_at is None
    assert run.scenarios == []


def test_call_list_backend_shape_with_a_snapshot_row() -> None:
    page = structure(bodies.CALL_LIST, CallExecutionPage)

    call, snapshot = page.results
    assert call.scenario == "Billing Inquiry"
    assert call.avg_agent_latency == 910
    assert call.transcript[0].speaker == "assistant"
    assert call.eval_outputs["fa38521a-fd0f-419a-bc3a-2773311419ab"].passed is True
    pending = call.eval_outputs["0d7e8c39-1b4e-4a0e-9a47-5a1a3a7d9c10"]
    assert pending.is_pending
    assert pending.passed is None
    metric = call.eval_metrics["fa38521a-fd0f-419a-bc3a-2773311419ab"]
    assert isinstance(metric, EvalMetric)
    assert metric.visible is True
    assert EvalStatus.parse(metric.status) is EvalStatus.COMPLETED
    failed = call.rerun_snapshots[0].eval_outputs["fa38521a-fd0f-419a-bc3a-2773311419ab"]
    assert (failed.status, failed.error, failed.value) == ("Failed", "error", None)
    assert failed.timestamp == datetime(2026, 3, 19, 2, 8, 0, 500000, tzinfo=UTC)

    assert snapshot.is_snapshot is True
    assert snapshot.session_id is None
    assert snapshot.call_type == "outboundPhoneCall"
    assert snapshot.transcript[0].extra == {"message": "hi", "time": 1.5}
    skipped = snapshot.eval_outputs["fa38521a-fd0f-419a-bc3a-2773311419ab"]
    assert skipped.skipped is True
    assert skipped.output_type is None
    assert snapshot.eval_outputs["0d7e8c39-1b4e-4a0e-9a47-5a1a3a7d9c10"].is_pending
    assert snapshot.recordings["stereo_url"] == "https://x/s.wav"


def test_call_row_docs_shape_scenario_object() -> None:
    call = structure(bodies.DOCS_CALL_ROW, CallExecution)

    assert call.scenario == "Billing Inquiry"
    assert call.scenario_id == "d8e76511-0189-4bc1-9e6e-f859e567f797"
    assert call.extra == {"scenario": bodies.DOCS_CALL_ROW["scenario"]}
    assert call.eval_outputs == {}
    assert call.eval_metrics == {}
    assert call.created_at == datetime(2026, 3, 20, 2, 5, 12, tzinfo=UTC)
    assert unstructure(call)["scenario"] == bodies.DOCS_CALL_ROW["scenario"]
    assert structure(unstructure(call), CallExecution) == call


def test_test_execution_backend_shape() -> None:
    page = structure(bodies.TEST_EXECUTION, TestExecutionPage)

    assert page.status == "completed"
    assert page.provider == "vapi"
    assert page.column_order[1].type == "evaluation"
    assert page.column_order[1].eval_config == {"output": "Pass/Fail"}
    assert page.results[0].rerun_snapshots[0].rerun_type == "call_and_eval"
    assert page.groups == []
    assert page.id is None


def test_test_execution_docs_shape_reads_calls() -> None:
    page = structure(bodies.DOCS_TEST_EXECUTION, TestExecutionPage)

    assert [call.id for call in page.results] == ["88888888-ad5f-4627-9e36-9e327a77223c"]
    assert page.run_test_name == "Billing bot nightly"
    assert page.success_rate == 86.67
    assert page.duration_seconds == 1889
    assert page.completed_at is None
    assert page.calls_connected_percentage == 93.3
    assert page.extra == {}


def test_test_execution_grouped_rows_go_to_groups() -> None:
    page = structure(bodies.GROUPED_TEST_EXECUTION, TestExecutionPage)

    assert page.results == []
    first, second = page.groups
    assert first.created_at__date == date(2026, 3, 5)
    assert first.avg_response_time == 1234.5
    assert first.extra == {"dataset_cell_persona": "Dana"}
    assert second.count == 3
    assert structure(unstructure(page), TestExecutionPage) == page


def test_test_execution_mixed_rows_keep_their_order_and_kind() -> None:
    body = {"results": [{"id": "a"}, {"count": 2}, {"id": "b", "count": 1}]}

    page = structure(body, TestExecutionPage)

    assert [call.id for call in page.results] == ["a", "b"]
    assert [group.count for group in page.groups] == [2]


def test_simulation_call_docs_shape() -> None:
    call = structure(bodies.SIM_CALL, SimulationCall)

    assert call.eval_outputs["eval-config-1"].passed is True
    assert call.eval_outputs["eval-config-2"].passed is False
    assert call.eval_outputs["eval-config-2"].value is False
    assert call.latency is not None
    assert call.latency.avg_agent_latency_ms == 1234
    assert call.cost is not None
    assert call.cost.total_cost_cents == 24
    assert call.started_at == datetime(2026, 3, 23, 20, 1, 4, 450000, tzinfo=UTC)


def test_simulation_execution_backend_shape_with_summary() -> None:
    execution = structure(bodies.SIM_EXECUTION, SimulationExecution)

    pass_fail, score = execution.eval_results
    assert pass_fail.total_pass_rate == 80.77
    assert pass_fail.result[0].output["pass_count"] == 21
    assert score.total_avg == 66.5
    assert score.result[0].avg_score == 66.5
    assert execution.call_results is not None
    assert execution.call_results.results[0].eval_outputs  # raw shape read
    (cluster,) = (execution.eval_explanation_summary or {})["helpful_or_not"]
    assert cluster.theme == "Premature call endings"
    assert cluster.size == 4
    assert execution.eval_explanation_summary_status == "completed"


def test_simulation_execution_docs_cluster_shape() -> None:
    body = copy.deepcopy(bodies.SIM_EXECUTION)
    body["eval_explanation_summary"] = bodies.DOCS_SUMMARY

    execution = structure(body, SimulationExecution)

    (cluster,) = (execution.eval_explanation_summary or {})["is_helpful"]
    assert cluster.theme == "Pricing contradictions"
    assert cluster.member_ids == ["uuid1", "uuid2"]
    assert cluster.evidence_summary.startswith("Agent gives")  # type: ignore[union-attr]


def test_simulation_summary_null_and_empty_differ() -> None:
    never = structure({"execution_id": "e", "eval_explanation_summary": None}, SimulationExecution)
    too_little = structure(
        {"execution_id": "e", "eval_explanation_summary": {}}, SimulationExecution
    )

    assert never.eval_explanation_summary is None
    assert too_little.eval_explanation_summary == {}


def test_simulation_runs_page() -> None:
    page = structure(bodies.SIM_RUNS, SimulationExecutionPage)

    assert page.count == 12
    assert page.results[0].eval_results == []
    assert page.results[0].call_results is None
