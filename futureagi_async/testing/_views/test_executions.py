"""The view of `client.test_executions`: `/simulate/test-executions/{id}/`, one execution's
call grid (`get_page`, which `calls` pages through)."""

from __future__ import annotations

import math
from typing import Any

from .._envelopes import Reply
from .._filters import FilterError, FilterFailed, apply_filters, parse_json_list, validate_filters
from .._paging import drf_link, total_pages
from .._records import CallRecord, RunTestRecord
from .._render_backend import call_row, chat_latency, template_config
from .._render_docs import docs_call_row
from .._request import Request, drf_int
from .._store import Dataset
from .._wire import day, iso_ms
from ._common import Errors, ViewOptions, fail, invalid, ok, page_fields, unknown_params

__all__ = ["get_page"]

_GRID_PARAMS = ("search", "filters", "row_groups", "group_keys", "page", "limit")
_GROUP_LOOKUPS = {
    "timestamp": "created_at__date",
    "created_at": "created_at__date",
    "status": "status",
    "call_type": "call_type",
    "scenario": "scenario__name",
    "overall_score": "overall_score",
    "response_time": "response_time_ms",
}


#: The built-in columns of a new execution's grid, as the backend stores them: (id, name,
#: visible). A chat grid has no timestamp column and hides every built-in but its details.
_VOICE_COLUMNS = (
    ("timestamp", "Timestamp", True),
    ("call_details", "Call Details", True),
    ("overall_score", "Overall Score", False),
    ("ai_interruption_count", "Agent interruption", False),
    ("user_interruption_count", "Simulator interruption", False),
    ("turn_count", "Turn Count", True),
    ("agent_talk_percentage", "Agent Talk (%)", True),
    ("latency", "Latency", False),
    ("service_provider_call_id", "Provider Call ID", False),
)
_CHAT_COLUMNS = (
    ("call_details", "Chat Details", True),
    ("overall_score", "Overall Score", False),
    ("total_tokens", "Total Tokens", False),
    ("input_tokens", "Input Tokens", False),
    ("output_tokens", "Output Tokens", False),
    ("avg_latency_ms", "Average Latency (ms)", False),
    ("turn_count", "Turn Count", False),
)
_GROUPING_CRASH = (
    "Failed to retrieve test execution: module 'django.db.models' has no attribute 'Cast'"
)


def _column_order(rt: RunTestRecord) -> list[dict[str, Any]]:
    """The built-ins, then the scenarios' dataset columns (the backend reconciles them in
    before the first eval column), then one column per live eval config."""
    builtins = _VOICE_COLUMNS if rt.kind == "voice" else _CHAT_COLUMNS
    columns: list[dict[str, Any]] = [
        {"id": i, "visible": v, "column_name": name} for i, name, v in builtins
    ]
    for scenario in rt.scenarios:
        for cid, name, typ in scenario.dataset_columns:
            columns.append(
                {
                    "column_name": name,
                    "id": cid,
                    "visible": True,
                    "type": "scenario_dataset_column",
                    "data_type": typ,
                    "scenario_id": scenario.id,
                    "dataset_id": scenario.dataset_id,
                    "dataset_column_ids": [cid],
                }
            )
    for config in rt.eval_configs:
        columns.append(
            {
                "id": config.id,
                "type": "evaluation",
                "visible": True,
                "column_name": config.name,
                "eval_config": template_config(config.template),
            }
        )
    return columns


def _search4(call: CallRecord, data: Dataset, needle: str) -> bool:
    scenario = data.scenario(call.scenario_id)
    haystack = [call.phone_number, scenario.name if scenario else None, call.call_summary]
    if call.kind == "voice":
        haystack += [t.content for t in call.turns]
    return any(needle in h.lower() for h in haystack if h)


def get_page(req: Request, data: Dataset, options: ViewOptions, execution_id: str) -> Reply:
    """`GET /simulate/test-executions/{id}/`, `client.test_executions.get_page`."""
    params = req.params()
    if options.dialect == "backend" and (bad := unknown_params(params, _GRID_PARAMS)):
        return bad
    errors: Errors = {}
    filters: list[dict[str, Any]] = []
    row_groups: list[Any] = []
    group_keys: list[Any] = []
    for name in ("filters", "row_groups", "group_keys"):
        if name not in params:
            continue
        try:
            if name == "filters":
                filters = validate_filters(params[name])
            elif name == "row_groups":
                row_groups = parse_json_list(params[name])
            else:
                group_keys = parse_json_list(params[name])
        except FilterError as exc:
            errors[name] = [(str(exc), "invalid")]
    page_fields(params, errors)
    if errors:
        return invalid(errors)
    execution = data.execution(execution_id)
    rt = data.run_test(execution.run_test_id) if execution else None
    if execution is None or rt is None:
        if options.dialect == "docs":
            return fail(404, "Test execution not found.")
        return fail(
            500, "Failed to retrieve test execution: No TestExecution matches the given query."
        )
    calls = data.calls_of(execution.id)
    if options.dialect == "docs":
        return _docs_execution(params, data, execution.id, rt, calls)
    needle = params.get("search", "").strip().lower()
    if needle:
        calls = [c for c in calls if _search4(c, data, needle)]

    def scenario_name(c: CallRecord) -> str | None:
        s = data.scenario(c.scenario_id)
        return s.name if s else None

    try:
        calls = apply_filters(calls, filters, rt, scenario_name)
    except FilterFailed as exc:
        return fail(500, f"Failed to retrieve test execution: {exc}")
    calls.sort(key=lambda c: c.updated_at, reverse=True)
    columns = _column_order(rt)
    limit = drf_int(params["limit"]) if "limit" in params else None
    raw_page = params.get("page", "1")
    if row_groups:
        if not options.fixed_row_groups:
            return fail(500, _GROUPING_CRASH)
        return _grouped(calls, row_groups, group_keys, raw_page, limit or 30, columns, data)
    size = limit or 10
    pages = total_pages(len(calls), size, empty=1)
    try:
        page = int(raw_page)
    except ValueError:
        page = 0
    if not 1 <= page <= pages:
        # The view's fallback re-counts pages with its own default size.
        return ok(
            {
                "count": len(calls),
                "next": None,
                "previous": None,
                "results": [],
                "total_pages": math.ceil(len(calls) / (limit or 30)),
                "current_page": page or raw_page,
                "column_order": columns,
                "error_messages": [],
                "status": execution.status,
            }
        )
    chunk = calls[(page - 1) * size : page * size]
    return ok(
        {
            "count": len(calls),
            "next": drf_link(req.url, req.query, page + 1) if page < pages else None,
            "previous": drf_link(req.url, req.query, page - 1) if page > 1 else None,
            "results": [call_row(c, rt, data, grid=True) for c in chunk],
            "total_pages": pages,
            "current_page": page,
            "column_order": columns,
            "error_messages": [],
            "status": execution.status,
            "provider": rt.agent_definition.provider if rt.agent_definition else "prompt",
            "agent_type": rt.kind,
        }
    )


def _group_value(call: CallRecord, lookup: str, data: Dataset) -> Any:
    if lookup == "created_at__date":
        return day(call.created_at)
    if lookup == "scenario__name":
        s = data.scenario(call.scenario_id)
        return s.name if s else None
    if lookup == "call_type":
        return call.direction
    return getattr(call, lookup)


def _avg(values: list[float | int | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 2) if present else None


def _grouped(
    calls: list[CallRecord],
    row_groups: list[Any],
    group_keys: list[Any],
    raw_page: str,
    size: int,
    columns: list[dict[str, Any]],
    data: Dataset,
) -> Reply:
    """Grouped mode: one level of `row_groups` per depth of `group_keys`."""
    lookups = [_GROUP_LOOKUPS.get(str(g), "status") for g in row_groups]
    for lookup, key in zip(lookups, group_keys, strict=False):
        calls = [c for c in calls if str(_group_value(c, lookup, data)) == str(key)]
    lookup = lookups[min(len(group_keys), len(lookups) - 1)]
    groups: dict[Any, list[CallRecord]] = {}
    for call in calls:
        groups.setdefault(_group_value(call, lookup, data), []).append(call)
    rows = []
    for value, members in groups.items():
        chat = [c for c in members if c.kind == "text"]
        tokens = [120 + len(c.turns) * 40 for c in chat if c.status == "completed"]
        rows.append(
            {
                lookup: value,
                "count": len(members),
                "avg_overall_score": _avg([c.overall_score for c in members]),
                "avg_response_time": _avg([c.response_time_ms for c in members]),
                "total_tokens": sum(tokens) if tokens else None,
                "input_tokens": sum(t // 2 for t in tokens) if tokens else None,
                "output_tokens": sum(t - t // 2 for t in tokens) if tokens else None,
                "avg_latency_ms": _avg([chat_latency(c) for c in chat]),
                "turn_count": _avg([len(c.turns) for c in chat]),
                "csat_score": _avg([c.overall_score for c in chat]),
            }
        )
    pages = total_pages(len(rows), size, empty=0)
    try:
        page = int(raw_page)
    except ValueError:
        page = 1
    chunk = rows[(page - 1) * size : page * size] if page >= 1 else []
    return ok(
        {
            "count": len(rows),
            "next": f"?page={page + 1}" if page < pages else None,
            "previous": f"?page={page - 1}" if page > 1 else None,
            "results": chunk,
            "total_pages": pages,
            "current_page": page,
            "column_order": columns,
            "error_messages": [],
        }
    )


def _docs_execution(
    params: dict[str, str],
    data: Dataset,
    execution_id: str,
    rt: RunTestRecord,
    calls: list[CallRecord],
) -> Reply:
    """The published page: an execution object with its calls in a `calls` array."""
    execution = data.execution(execution_id)
    assert execution is not None
    calls = sorted(calls, key=lambda c: c.created_at)
    size = drf_int(params.get("limit", "10")) or 10
    page = max(drf_int(params.get("page", "1")) or 1, 1)
    completed = sum(c.status == "completed" for c in calls)
    failed = sum(c.status == "failed" for c in calls)
    connected = sum(c.started_at is not None for c in calls)
    duration = (
        int((execution.completed_at - execution.started_at).total_seconds())
        if execution.completed_at
        else None
    )
    agent = rt.agent_definition
    return ok(
        {
            "id": execution.id,
            "run_test": rt.id,
            "run_test_name": rt.name,
            "agent_definition_name": agent.agent_name if agent else None,
            "status": execution.status,
            "error_reason": None,
            "started_at": iso_ms(execution.started_at),
            "completed_at": iso_ms(execution.completed_at),
            "total_scenarios": len(rt.scenarios),
            "total_calls": len(calls),
            "completed_calls": completed,
            "failed_calls": failed,
            "execution_metadata": {},
            "duration_seconds": duration,
            "success_rate": round(completed * 100 / len(calls), 2) if calls else None,
            "calls": [
                docs_call_row(c, data, grid=True) for c in calls[(page - 1) * size : page * size]
            ],
            "created_at": iso_ms(execution.created_at),
            "scenario_ids": [s.id for s in rt.scenarios],
            "simulator_agent_name": "Default simulator" if rt.simulator_agent_id else None,
            "simulator_agent_id": rt.simulator_agent_id,
            "agent_definition_used_name": agent.agent_name if agent else None,
            "agent_definition_used_id": agent.id if agent else None,
            "calls_attempted": len(calls),
            "calls_connected_percentage": round(connected * 100 / len(calls), 2) if calls else 0,
        }
    )
