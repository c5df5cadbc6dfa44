"""The views of `client.run_tests`: `/simulate/run-tests/`, `/simulate/run-tests/{id}/` and
`/simulate/run-tests/{id}/call-executions/`."""

from __future__ import annotations

import math
import re
from typing import Any

from .._envelopes import Reply
from .._paging import drf_link, hand_link, total_pages
from .._render_backend import call_row, run_test, snapshot_row
from .._render_docs import docs_call_row, docs_run_test
from .._request import Request, drf_int, is_uuid
from .._store import Dataset
from ._common import Errors, ViewOptions, fail, invalid, ok, page_fields, unknown_params

__all__ = ["call_executions", "get_run_test", "list_run_tests"]

_LIST_PARAMS = ("search", "simulation_type", "prompt_template_id", "page", "limit")


def list_run_tests(req: Request, data: Dataset, options: ViewOptions) -> Reply:
    """`GET /simulate/run-tests/`, `client.run_tests.list`: newest first, DRF pages."""
    params = req.params()
    if options.dialect == "backend" and (bad := unknown_params(params, _LIST_PARAMS)):
        return bad
    errors: Errors = {}
    kind = params.get("simulation_type", "")
    if kind not in ("", "agent_definition", "prompt"):
        errors["simulation_type"] = [(f'"{kind}" is not a valid choice.', "invalid_choice")]
    template = params.get("prompt_template_id")
    if template is not None and not is_uuid(template):
        errors["prompt_template_id"] = [("Must be a valid UUID.", "invalid")]
    page_fields(params, errors)
    if errors:
        return invalid(errors)
    search = params.get("search", "").strip().lower()
    rows = [
        rt
        for rt in data.run_tests
        if (not kind or rt.source_type == kind)
        and (kind != "prompt" or template is None or rt.prompt_template_id == template)
        and (
            search in rt.name.lower()
            or bool(rt.agent_definition and search in rt.agent_definition.agent_name.lower())
        )
    ]
    rows.sort(key=lambda rt: rt.created_at, reverse=True)
    size = drf_int(params.get("limit", "10")) or 10
    pages = total_pages(len(rows), size, empty=1)
    try:
        # The paginator reads the raw string: `2.0` passed validation but fails here.
        page = int(params.get("page", "1"))
    except ValueError:
        page = 0
    if not 1 <= page <= pages:
        if options.dialect == "docs":
            return ok({"count": len(rows), "next": None, "previous": None, "results": []})
        return fail(500, "Failed to retrieve run tests: Invalid page.")
    chunk = rows[(page - 1) * size : page * size]
    if options.dialect == "docs":
        results = [docs_run_test(rt, data, detail=False) for rt in chunk]
    else:
        results = [run_test(rt, data, with_last_run=True) for rt in chunk]
    body = {
        "count": len(rows),
        "next": drf_link(req.url, req.query, page + 1) if page < pages else None,
        "previous": drf_link(req.url, req.query, page - 1) if page > 1 else None,
        "results": results,
        "total_pages": pages,
        "current_page": page,
    }
    if options.dialect == "docs":
        del body["total_pages"], body["current_page"]
    return ok(body)


def get_run_test(req: Request, data: Dataset, options: ViewOptions, run_test_id: str) -> Reply:
    """`GET /simulate/run-tests/{id}/`, `client.run_tests.get`: unknown params ignored."""
    rt = data.run_test(run_test_id)
    if rt is None:
        return fail(404, "Run test not found")
    if options.dialect == "docs":
        return ok(docs_run_test(rt, data, detail=True))
    return ok(run_test(rt, data, with_last_run=False))


def _ilike(pattern: str) -> re.Pattern[str]:
    """SQL ILIKE '%…%' with the user's `%` and `_` left unescaped, as the backend does."""
    body = "".join(".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


def call_executions(req: Request, data: Dataset, options: ViewOptions, run_test_id: str) -> Reply:
    """`GET /simulate/run-tests/{id}/call-executions/`, `client.run_tests.call_executions`:
    the calls of every execution with their rerun snapshots as rows of their own, newest
    first, counted before soft-deleted calls are dropped (short pages), hand-built links."""
    rt = data.run_test(run_test_id)
    if rt is None:
        return fail(404, "Run test not found")
    params = req.params()
    try:
        page = int(params.get("page", "1"))
        limit = int(params.get("limit", "10"))
    except ValueError as exc:
        return fail(500, f"Failed to retrieve call executions: {exc}")
    if limit < 0:
        return fail(500, "Failed to retrieve call executions: LIMIT must not be negative")
    offset = (page - 1) * limit
    if offset < 0:
        return fail(500, "Failed to retrieve call executions: OFFSET must not be negative")
    search = _ilike(params["search"].strip()) if params.get("search", "").strip() else None
    status = params.get("status", "").strip()
    # The UNION ALL ignores soft deletion: deleted calls are counted, then dropped.
    rows: list[tuple[Any, dict[str, Any] | None]] = []
    visible = options.dialect == "docs"
    for execution in data.executions_of(rt.id):
        for call in data.calls_of(execution.id, include_deleted=not visible):
            scenario = data.scenario(call.scenario_id)
            if search and not (
                search.search(call.phone_number or "")
                or search.search(scenario.name if scenario else "")
            ):
                continue
            if not status or call.status == status:
                rows.append((call.updated_at, None if call.deleted else {"call": call}))
            if visible:
                continue
            for snap in call.snapshots:
                if not status or snap.status == status:
                    rows.append(
                        (
                            snap.snapshot_timestamp,
                            None if call.deleted else {"snap": snap, "call": call},
                        )
                    )
    rows.sort(key=lambda r: r[0], reverse=True)
    count = len(rows)
    results = []
    for _, row in rows[offset : offset + limit] if page > 0 else []:
        if row is None:
            continue
        if options.dialect == "docs":
            results.append(docs_call_row(row["call"], data, grid=False))
        elif "snap" in row:
            results.append(snapshot_row(row["snap"], row["call"], rt, data))
        else:
            results.append(call_row(row["call"], rt, data, grid=False))
    body: dict[str, Any] = {
        "count": count,
        "next": hand_link(req.url, req.query, page + 1) if offset + limit < count else None,
        "previous": hand_link(req.url, req.query, page - 1) if page > 1 else None,
        "results": results,
        # limit=0: an empty page, one page, and a `next` that never ends.
        "total_pages": math.ceil(count / limit) if limit else 1,
        "current_page": page,
    }
    if options.dialect == "docs":
        del body["total_pages"], body["current_page"]
    return ok(body)
