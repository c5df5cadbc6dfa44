"""The fake's records: frozen attrs classes the views render, and the spec that sizes them.

Named `...Record` so they never read as the client's models of the same things (the client's
`RunTest` is what a user parses; a `RunTestRecord` is what the fake stores and renders).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

__all__ = [
    "AgentDefinitionRecord",
    "CallRecord",
    "DatasetSpec",
    "EvalConfigRecord",
    "EvalTemplateRecord",
    "ExecutionRecord",
    "RunTestRecord",
    "ScenarioRecord",
    "SnapshotRecord",
    "TurnRecord",
]


@attrs.frozen
class DatasetSpec:
    """How much data to generate. Small defaults keep in-process tests fast."""

    seed: int = 0
    """The same seed and sizes always give the same data, byte for byte."""
    run_tests: int = 4
    executions_per_run_test: int = 3
    calls_per_execution: int = 25
    transcript_turns: int = 6
    """Turns per finished call's transcript."""
    eval_configs: int = 3
    """Eval configs per run test, their templates taken from `eval_output_types` in turn."""
    chat_ratio: float = 0.3
    """Share of run tests whose calls are chat (`text`); every other chat run test is a
    prompt run (no agent definition, so the `agent_definition_used_*` keys are omitted)."""
    snapshot_ratio: float = 0.1
    """Share of completed voice calls that carry one `call_and_eval` rerun snapshot."""
    deleted_ratio: float = 0.04
    """Share of calls that are soft-deleted: `/simulate/run-tests/{id}/call-executions/`
    still counts them (short pages)."""
    eval_output_types: tuple[str, ...] = ("Pass/Fail", "score", "choices")
    """Template output types assigned to eval configs in turn. Add `numeric` (a code eval)
    or `reason` to provoke the 500 of `/sdk/api/v1/simulation/runs/`'s eval summary."""


@attrs.frozen
class EvalTemplateRecord:
    id: str
    name: str
    output_type: str
    #: A code eval's source (its config carries `code`); None for an LLM-judged template
    #: (its config carries `rule_prompt`).
    code: str | None = None


@attrs.frozen
class EvalConfigRecord:
    id: str
    name: str
    template: EvalTemplateRecord
    deleted: bool = False


@attrs.frozen
class ScenarioRecord:
    id: str
    name: str
    description: str | None
    scenario_type: str
    agent_type: str
    dataset_id: str | None
    dataset_columns: tuple[tuple[str, str, str], ...]
    created_at: datetime


@attrs.frozen
class AgentDefinitionRecord:
    id: str
    agent_name: str
    agent_type: str
    provider: str
    version_id: str
    created_at: datetime


@attrs.frozen
class RunTestRecord:
    id: str
    name: str
    description: str | None
    source_type: str
    kind: str
    agent_definition: AgentDefinitionRecord | None
    simulator_agent_id: str | None
    prompt_template_id: str | None
    prompt_version_id: str | None
    scenarios: tuple[ScenarioRecord, ...]
    eval_configs: tuple[EvalConfigRecord, ...]
    #: Configs deleted since their outputs were stored: the call-executions listing still
    #: shows their keys.
    stale_eval_configs: tuple[EvalConfigRecord, ...]
    created_at: datetime
    updated_at: datetime


@attrs.frozen
class ExecutionRecord:
    id: str
    run_test_id: str
    status: str
    created_at: datetime
    started_at: datetime
    completed_at: datetime | None
    #: 0: summary never computed (null), 1: too little data (`{}`), 2: clusters.
    summary_kind: int


@attrs.frozen
class TurnRecord:
    id: str
    role: str
    content: str
    start_ms: int
    end_ms: int
    created_at: datetime


@attrs.frozen(eq=False)
class SnapshotRecord:
    id: str
    call_id: str
    snapshot_timestamp: datetime
    status: str
    duration_seconds: int | None
    overall_score: float | None
    response_time_ms: int | None
    eval_outputs: dict[str, Any]
    #: The transcript of the run the rerun replaced.
    turns: tuple[TurnRecord, ...] = ()


@attrs.frozen(eq=False)
class CallRecord:
    id: str
    execution_id: str
    run_test_id: str
    scenario_id: str
    kind: str
    status: str
    direction: str
    created_at: datetime
    updated_at: datetime
    started_at: datetime | None
    completed_at: datetime | None
    duration_seconds: int | None
    phone_number: str | None
    overall_score: float | None
    response_time_ms: int | None
    avg_agent_latency_ms: int | None
    ended_reason: str | None
    call_summary: str | None
    cost_cents: int | None
    provider: str | None
    session_id: str | None
    eval_outputs: dict[str, Any]
    turns: tuple[TurnRecord, ...]
    snapshots: tuple[SnapshotRecord, ...]
    deleted: bool = False
