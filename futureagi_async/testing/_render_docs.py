"""Records to the JSON of the published pages (`dialect="docs"`), derived from the backend's."""

from __future__ import annotations

from typing import Any

from ._records import CallRecord, RunTestRecord
from ._render_backend import call_duration, run_test, transcript
from ._store import Dataset
from ._wire import iso_ms

__all__ = ["docs_call_row", "docs_eval_outputs", "docs_run_test"]


def docs_run_test(rt: RunTestRecord, data: Dataset, *, detail: bool) -> dict[str, Any]:
    """The published pages' RunTest: 12 fields in the list, more in the detail."""
    full = run_test(rt, data, with_last_run=True)
    full["description"] = rt.description or ""
    for key in ("created_at", "updated_at"):
        full[key] = iso_ms(getattr(rt, key))
    full["last_run_at"] = iso_ms(data.last_run_at(rt.id))
    keys = [
        "id",
        "name",
        "description",
        "agent_definition",
        "agent_definition_detail",
        "source_type",
        "source_type_display",
        "scenarios",
        "enable_tool_evaluation",
        "created_at",
        "updated_at",
        "last_run_at",
    ]
    if detail:
        full["agent_version"] = rt.agent_definition.version_id if rt.agent_definition else None
        keys[4:4] = ["agent_version"]
        keys[7:7] = ["prompt_template", "prompt_template_detail", "prompt_version"]
        keys[10:10] = ["prompt_version_detail"]
        keys[12:12] = [
            "scenarios_detail",
            "dataset_row_ids",
            "simulator_agent",
            "simulator_agent_detail",
            "simulate_eval_configs",
            "simulate_eval_configs_detail",
            "evals_detail",
        ]
    return {k: full[k] for k in keys}


def docs_eval_outputs(stored: dict[str, Any], *, key_by_name: bool) -> dict[str, Any]:
    """The pages' `{name, output, output_type, reason}`; pending placeholders drop out."""
    out = {}
    for config_id, item in stored.items():
        if "name" not in item:
            continue
        out[item["name"] if key_by_name else config_id] = {
            "name": item["name"],
            "output": item.get("output"),
            "output_type": item.get("output_type"),
            "reason": item.get("reason"),
        }
    return out


def docs_call_row(call: CallRecord, data: Dataset, *, grid: bool) -> dict[str, Any]:
    """The pages' call object: `scenario` as `{id, name}` on the call-executions listing, a
    name in the test-execution grid (`grid`)."""
    scenario = data.scenario(call.scenario_id)
    outputs = docs_eval_outputs(call.eval_outputs, key_by_name=True)
    if grid:
        return {
            "id": call.id,
            "status": call.status,
            "duration": call_duration(call),
            "transcript": transcript(call),
            "overall_score": call.overall_score,
            "eval_outputs": outputs,
            "scenario": scenario.name if scenario else None,
            "created_at": iso_ms(call.created_at),
        }
    return {
        "id": call.id,
        "session_id": call.session_id,
        "status": call.status,
        "duration": call_duration(call),
        "start_time": iso_ms(call.started_at),
        "transcript": transcript(call),
        "scenario": {"id": scenario.id, "name": scenario.name} if scenario else None,
        "overall_score": call.overall_score * 10 if call.overall_score is not None else None,
        "eval_outputs": outputs,
        "eval_metrics": {name: o["output"] for name, o in outputs.items()},
        "customer_name": "Dana Customer",
        "call_summary": call.call_summary,
        "ended_reason": call.ended_reason,
        "avg_agent_latency": (
            call.avg_agent_latency_ms / 1000 if call.avg_agent_latency_ms is not None else None
        ),
        "scenario_id": call.scenario_id,
        "is_snapshot": False,
        "rerun_type": None,
        "created_at": iso_ms(call.created_at),
    }
