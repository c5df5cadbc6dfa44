"""`client.simulation` (`/sdk/api/v1/simulation/runs/`), after the `{"status", "result"}` unwrap.

Its eval outputs are the raw stored shape, keyed by eval-config UUID (`EvalOutput` reads it).
There are no `next`/`previous` links in any mode.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import Model, extra_field, lazy, required, with_lazy_fields
from .evals import EvalOutput, EvalResult, ExplanationCluster

__all__ = [
    "Cost",
    "Latency",
    "SimulationCall",
    "SimulationCallResults",
    "SimulationExecution",
    "SimulationExecutionPage",
]


@attrs.frozen(kw_only=True, repr=False)
class Latency(Model):
    """Milliseconds."""

    avg_agent_latency_ms: float | None = None
    response_time_ms: float | None = None
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Cost(Model):
    """Cents. `total_cost_cents` is the call's `cost_cents`."""

    total_cost_cents: float | None = None
    stt_cost_cents: float | None = None
    llm_cost_cents: float | None = None
    tts_cost_cents: float | None = None
    extra: dict[str, Any] = extra_field()


@with_lazy_fields
@attrs.frozen(kw_only=True, repr=False)
class SimulationCall(Model):
    """One call: the `call_execution_id` mode result, or an item of `call_results`.

    Items of `call_results` carry only `call_execution_id, scenario_id, scenario_name,
    status, duration_seconds, eval_outputs`. `duration_seconds` is seconds.

    A normalisation: `client.simulation.execution_calls` fills in `execution_id`, which the
    API's `call_results` rows do not repeat, so each row stands alone. Their `to_dict()`
    then carries that id where the body had none; every other key round-trips as sent.
    """

    call_execution_id: str = required()
    execution_id: str | None = None
    scenario_id: str | None = None
    scenario_name: str | None = None
    status: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    duration_seconds: float | None = None
    ended_reason: str | None = None
    call_summary: str | None = None
    eval_outputs: dict[str, EvalOutput] = lazy(factory=dict)
    latency: Latency | None = None
    cost: Cost | None = None
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class SimulationCallResults(Model):
    """The paged calls of one execution, newest `updated_at` first."""

    total_pages: int | None = None
    current_page: int | None = None
    count: int | None = None
    results: list[SimulationCall] = attrs.Factory(list)
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class SimulationExecution(Model):
    """One execution: the `execution_id` mode result, or a `run_test_name` mode item.

    `eval_results` aggregates all completed calls, not just the current page. With
    `summary=true`, `eval_explanation_summary` maps eval-config names to clusters: None
    means never computed, `{}` too little data. Its status is `pending`, `running`,
    `completed` or `failed`.
    """

    execution_id: str = required()
    status: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    total_calls: int | None = None
    completed_calls: int | None = None
    failed_calls: int | None = None
    eval_results: list[EvalResult] = attrs.Factory(list)
    call_results: SimulationCallResults | None = None
    eval_explanation_summary: dict[str, list[ExplanationCluster]] | None = None
    eval_explanation_summary_status: str | None = None
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class SimulationExecutionPage(Model):
    """The `run_test_name` mode result: executions, newest first.

    A run test without executions gives `count == 0` and `total_pages == 1`.
    """

    total_pages: int | None = None
    current_page: int | None = None
    count: int | None = None
    results: list[SimulationExecution] = attrs.Factory(list)
    extra: dict[str, Any] = extra_field()
