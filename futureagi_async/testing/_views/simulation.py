"""The views of `client.simulation`: `/sdk/api/v1/simulation/runs/`, the only wrapped answer.

One URL, three modes picked by the selector sent: `call_execution_id` (`call`), `execution_id`
(`execution`, which `execution_calls` pages through) or `run_test_name` (`runs`).
"""

from __future__ import annotations

import math
from typing import Any

from .._envelopes import Reply, sdk_validation
from .._evals import UnsupportedOutputType, eval_results
from .._records import CallRecord, ExecutionRecord, RunTestRecord
from .._render_docs import docs_eval_outputs
from .._request import Request, is_uuid
from .._store import Dataset
from .._types import Dialect
from .._wire import iso, iso_ms
from ._common import ViewOptions, answer, fail, ok

__all__ = ["call", "execution", "runs", "simulation_runs"]

_KNOWN = ("run_test_name", "execution_id", "call_execution_id", "eval_name", "summary")
_TRUE = {"true", "True", "TRUE", "t", "T", "yes", "Yes", "YES", "y", "Y", "on", "On", "ON", "1"}
_FALSE = {"false", "False", "FALSE", "f", "F", "no", "No", "NO", "n", "N", "off", "Off", "OFF", "0"}
_CRASH = "Unable to fetch simulation runs."


class _Crash(Exception):
    """Anything the view's blanket `except` turns into its 500."""


def _wrap(result: Any) -> Reply:
    return ok({"status": True, "result": result})


def simulation_runs(req: Request, data: Dataset, options: ViewOptions) -> Reply:
    """`GET /sdk/api/v1/simulation/runs/`: validate, then hand over to the selected mode."""
    dialect = options.dialect
    params = req.params()
    errors: dict[str, list[str]] = {}
    for name in ("execution_id", "call_execution_id"):
        if name in params and not is_uuid(params[name]):
            errors[name] = ["Must be a valid UUID."]
    if "run_test_name" in params and not params["run_test_name"].strip():
        errors["run_test_name"] = ["This field may not be blank."]
    summary = params.get("summary", "false")
    if summary not in _TRUE | _FALSE:
        errors["summary"] = ["Must be a valid boolean."]
    if dialect == "backend":
        # Unlike the strict /simulate/ serializers, unknown params come with every other error.
        for key in params:
            if key not in (*_KNOWN, "page", "limit"):
                errors[key] = ["Unknown field."]
    if not errors and not any(k in params for k in _KNOWN[:3]):
        errors["non_field_errors"] = [
            "At least one of 'run_test_name', 'execution_id', or 'call_execution_id' is required."
        ]
    if errors:
        if dialect == "docs":
            return fail(400, "; ".join(m for ms in errors.values() for m in ms))
        return answer(400, sdk_validation(errors))
    names = [n.strip() for n in params.get("eval_name", "").split(",") if n.strip()]
    try:
        if "call_execution_id" in params:
            return call(data, dialect, params["call_execution_id"], names)
        if "execution_id" in params:
            return execution(data, dialect, params, names, summary in _TRUE)
        return runs(data, dialect, params, names)
    except (_Crash, UnsupportedOutputType):
        return fail(500, _CRASH)


def _page(params: dict[str, str], count: int) -> tuple[int, int, int]:
    """Django's paginator as the view drives it: forgiving `limit`, strict `page`."""
    try:
        size = int(params.get("limit", "10"))
    except ValueError:
        size = 10
    if size < 1:
        size = 10
    pages = math.ceil(count / size) if count else 1
    raw = params.get("page", "1")
    if raw == "last":
        return pages, size, pages
    try:
        page = int(raw)
    except ValueError:
        raise _Crash from None
    if not 1 <= page <= pages:
        raise _Crash
    return page, size, pages


def _ts(dialect: Dialect) -> Any:
    return iso_ms if dialect == "docs" else iso


def _outputs(call: CallRecord, dialect: Dialect, names: list[str]) -> dict[str, Any]:
    stored = call.eval_outputs
    if names:
        wanted = {n.lower() for n in names}
        stored = {
            k: v for k, v in stored.items() if "name" in v and str(v["name"]).lower() in wanted
        }
    if dialect == "docs":
        return docs_eval_outputs(stored, key_by_name=False)
    return stored


def call(data: Dataset, dialect: Dialect, call_id: str, names: list[str]) -> Reply:
    """`client.simulation.call`: one call, by `call_execution_id`."""
    found = data.call(call_id)
    if found is None:
        return fail(404, "Call execution not found.")
    scenario = data.scenario(found.scenario_id)
    ts = _ts(dialect)
    return _wrap(
        {
            "call_execution_id": found.id,
            "execution_id": found.execution_id,
            "scenario_id": found.scenario_id,
            "scenario_name": scenario.name if scenario else None,
            "status": found.status,
            "started_at": ts(found.started_at),
            "completed_at": ts(found.completed_at),
            "duration_seconds": found.duration_seconds,
            "ended_reason": found.ended_reason,
            "call_summary": found.call_summary,
            "eval_outputs": _outputs(found, dialect, names),
            "latency": {
                "avg_agent_latency_ms": found.avg_agent_latency_ms,
                "response_time_ms": found.response_time_ms,
            },
            "cost": {
                "total_cost_cents": found.cost_cents,
                "stt_cost_cents": 0 if found.cost_cents is not None else None,
                "llm_cost_cents": found.cost_cents,
                "tts_cost_cents": 0 if found.cost_cents is not None else None,
            },
        }
    )


def _execution_record(
    data: Dataset, dialect: Dialect, record: ExecutionRecord, rt: RunTestRecord, names: list[str]
) -> dict[str, Any]:
    calls = data.calls_of(record.id)
    ts = _ts(dialect)
    return {
        "execution_id": record.id,
        "status": record.status,
        "started_at": ts(record.started_at),
        "completed_at": ts(record.completed_at),
        "total_calls": len(calls),
        "completed_calls": sum(c.status == "completed" for c in calls),
        "failed_calls": sum(c.status == "failed" for c in calls),
        "eval_results": eval_results(calls, rt.eval_configs, names),
    }


def execution(
    data: Dataset, dialect: Dialect, params: dict[str, str], names: list[str], summary: bool
) -> Reply:
    """`client.simulation.execution` and `execution_calls`: one execution, its calls paged."""
    found = data.execution(params["execution_id"])
    rt = data.run_test(found.run_test_id) if found else None
    if found is None or rt is None:
        return fail(404, "Test execution not found.")
    result = _execution_record(data, dialect, found, rt, names)
    calls = sorted(data.calls_of(found.id), key=lambda c: c.updated_at, reverse=True)
    page, size, pages = _page(params, len(calls))
    result["call_results"] = {
        "total_pages": pages,
        "current_page": page,
        "count": len(calls),
        "results": [
            {
                "call_execution_id": c.id,
                "scenario_id": c.scenario_id,
                "scenario_name": (s.name if (s := data.scenario(c.scenario_id)) else None),
                "status": c.status,
                "duration_seconds": c.duration_seconds,
                "eval_outputs": _outputs(c, dialect, names),
            }
            for c in calls[(page - 1) * size : page * size]
        ],
    }
    if summary:
        result.update(_summary(data, dialect, found, rt, calls))
    return _wrap(result)


def _summary(
    data: Dataset,
    dialect: Dialect,
    record: ExecutionRecord,
    rt: RunTestRecord,
    calls: list[CallRecord],
) -> dict[str, Any]:
    """Never computed (null), too little data (`{}`), or clusters keyed by config name."""
    if record.summary_kind == 0:
        return {"eval_explanation_summary": None, "eval_explanation_summary_status": "pending"}
    if record.summary_kind == 1 or not rt.eval_configs:
        return {"eval_explanation_summary": {}, "eval_explanation_summary_status": "completed"}
    config = rt.eval_configs[0]
    members = [c.id for c in calls if c.status == "failed"][:4] or [c.id for c in calls[:2]]
    if dialect == "docs":
        cluster: dict[str, Any] = {
            "cluster_name": "Premature call endings",
            "call_execution_ids": members,
            "description": "Agent hangs up before confirming the resolution.",
        }
        return {
            "eval_explanation_summary": {config.template.name: [cluster]},
            "eval_explanation_summary_status": "completed",
        }
    cluster = {
        "theme": "Premature call endings",
        "status": "accepted",
        "kind": "failure",
        "issues": ["Agent hangs up before confirming"],
        "triggers": [],
        "capabilities": [],
        "application_contexts": [],
        "evidence_summary": f"{len(members)} calls end without confirmation.",
        "guidance": "Confirm resolution first.",
        "confidence": "medium",
        "cluster_id": 0,
        "size": len(members),
        "member_ids": members,
        "representative_ids": members[:1],
        "eval_name": config.template.name,
        "eval_config_id": config.id,
        "eval_template_id": config.template.id,
    }
    return {
        "eval_explanation_summary": {config.name: [cluster]},
        "eval_explanation_summary_status": "completed",
    }


def runs(data: Dataset, dialect: Dialect, params: dict[str, str], names: list[str]) -> Reply:
    """`client.simulation.runs`: the executions of the run tests of that exact name."""
    wanted = params["run_test_name"]
    # Exact and case-sensitive; same-named run tests are merged.
    run_tests = {rt.id: rt for rt in data.run_tests if rt.name == wanted}
    if not run_tests:
        return fail(404, "Run test not found.")
    executions = [e for e in data.executions if e.run_test_id in run_tests]
    executions.sort(key=lambda e: e.created_at, reverse=True)
    page, size, pages = _page(params, len(executions))
    return _wrap(
        {
            "total_pages": pages,
            "current_page": page,
            "count": len(executions),
            "results": [
                _execution_record(data, dialect, e, run_tests[e.run_test_id], names)
                for e in executions[(page - 1) * size : page * size]
            ],
        }
    )
