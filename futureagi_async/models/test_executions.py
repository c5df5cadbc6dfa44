"""`/simulate/test-executions/{id}/`: one test execution's call grid, in the backend's shape
and the docs' shape.

The backend sends a page of call rows plus grid metadata and no execution object; the docs
describe an execution object with its rows under `calls`. `TestExecutionPage` holds either:
rows are read from `results`, falling back to `calls`, and the docs' execution fields are
there when the body has them.

Grouped mode (`row_groups`) answers with flat rows of group keys and averages instead of
call rows. Those rows go to `TestExecutionPage.groups` as `GroupRow`s: a row with a `count`
key and no `id` key is a group row, any other row is a `CallExecution`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import attrs

from ._base import CaseInsensitiveStrEnum, Model, alias, extra_field
from .calls import CallExecution

__all__ = [
    "ExecutionStatus",
    "GridColumn",
    "GroupRow",
    "TestExecutionPage",
    "group_rows_apart",
]


class ExecutionStatus(CaseInsensitiveStrEnum):
    """Test-execution statuses seen so far; others may appear."""

    PENDING = "pending"
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    CANCELLING = "cancelling"
    EVALUATING = "evaluating"


@attrs.frozen(kw_only=True, repr=False)
class GridColumn(Model):
    """A `column_order` entry. Evaluation columns have `type == "evaluation"`, the
    eval-config UUID as `id` and the template config as `eval_config`."""

    id: str | None = None
    column_name: str | None = None
    visible: bool | None = None
    type: str | None = None
    eval_config: dict[str, Any] | None = None
    data_type: str | None = None
    scenario_id: str | None = None
    dataset_id: str | None = None
    dataset_column_ids: list[Any] = attrs.Factory(list)
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class GroupRow(Model):
    """One group of a grouped-mode page.

    Group keys are named after Django lookups (`created_at__date` is a bare date,
    `scenario__name`); the rest are aggregates, nullable: `avg_overall_score` (1-10),
    `avg_response_time` and `avg_latency_ms` (milliseconds). Dataset-cell group keys land
    in `.extra`.
    """

    created_at__date: date | None = None
    status: str | None = None
    call_type: str | None = None
    scenario__name: str | None = None
    overall_score: float | None = None
    response_time_ms: float | None = None
    count: int | None = None
    avg_overall_score: float | None = None
    avg_response_time: float | None = None
    total_tokens: float | None = None
    input_tokens: float | None = None
    output_tokens: float | None = None
    avg_latency_ms: float | None = None
    turn_count: float | None = None
    csat_score: float | None = None
    extra: dict[str, Any] = extra_field()


def group_rows_apart(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Move grouped-mode rows from `results`/`calls` to `groups`, keeping their order:
    (the page, keys for `.extra`)."""
    rows = raw.get("results")
    if rows is None:
        rows = raw.get("calls")
    if rows.__class__ is not list or not any(
        row.__class__ is dict and "count" in row and "id" not in row for row in rows
    ):
        return raw, {}
    calls: list[Any] = []
    groups: list[Any] = list(raw.get("groups") or ())
    for row in rows:
        is_group = row.__class__ is dict and "count" in row and "id" not in row
        (groups if is_group else calls).append(row)
    raw = {key: value for key, value in raw.items() if key != "calls"}
    raw["results"] = calls
    raw["groups"] = groups
    return raw, {}


@attrs.frozen(kw_only=True, repr=False)
class TestExecutionPage(Model):
    """A page of the grid (`client.test_executions.get_page`).

    `status` is the execution's status. The past-the-end page lacks `provider` and
    `agent_type`. The docs-only fields (`id` … `calls_connected_percentage`) are None unless
    the body has them: `duration_seconds` is seconds, `success_rate` and
    `calls_connected_percentage` are percent.
    """

    __test__ = False  # not a pytest test class, despite the name

    count: int | None = None
    next: str | None = None
    previous: str | None = None
    results: list[CallExecution] = alias("calls", factory=list)
    groups: list[GroupRow] = attrs.Factory(list)
    total_pages: int | None = None
    current_page: int | None = None
    column_order: list[GridColumn] = attrs.Factory(list)
    error_messages: list[Any] = attrs.Factory(list)
    status: str | None = None
    provider: str | None = None
    agent_type: str | None = None
    id: str | None = None
    run_test: str | None = None
    run_test_name: str | None = None
    agent_definition_name: str | None = None
    error_reason: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    total_scenarios: int | None = None
    total_calls: int | None = None
    completed_calls: int | None = None
    failed_calls: int | None = None
    execution_metadata: dict[str, Any] | None = None
    duration_seconds: float | None = None
    success_rate: float | None = None
    scenario_ids: list[Any] = attrs.Factory(list)
    simulator_agent_name: str | None = None
    simulator_agent_id: str | None = None
    agent_definition_used_name: str | None = None
    agent_definition_used_id: str | None = None
    calls_attempted: int | None = None
    calls_connected_percentage: float | None = None
    created_at: datetime | None = None
    extra: dict[str, Any] = extra_field()
