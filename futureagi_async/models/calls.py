"""Call rows: a run test's call listing (`client.run_tests.call_executions`) and an
execution's grid rows (`client.test_executions`).

Units follow the backend, not the docs: `duration`, `duration_seconds` and `response_time` are
seconds (but `response_time` is milliseconds on the call listing's snapshot rows), every `*_ms` and
`avg_agent_latency` are milliseconds, `overall_score` is 1-10, `*_cents` are cents.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import CaseInsensitiveStrEnum, Model, extra_field, lazy, required, with_lazy_fields
from .evals import EvalMetric, EvalOutput

__all__ = [
    "CallExecution",
    "CallExecutionPage",
    "CallStatus",
    "RerunSnapshot",
    "TranscriptItem",
    "call_row_in_backend_shape",
]


class CallStatus(CaseInsensitiveStrEnum):
    """Call statuses seen so far (lowercase on the wire); others may appear."""

    PENDING = "pending"
    QUEUED = "queued"
    ONGOING = "ongoing"
    COMPLETED = "completed"
    FAILED = "failed"
    ANALYZING = "analyzing"
    CANCELLED = "cancelled"


@attrs.frozen(kw_only=True, repr=False)
class TranscriptItem(Model):
    """One transcript entry, voice or chat.

    Voice items carry `speaker_role`, a string `content` and timings (`*_ms` milliseconds,
    `*_seconds` seconds); chat items carry `role`, `messages` (strings), `content` (a list of
    objects), `session_id` and `tool_calls`. `assistant` is the agent under test.
    """

    id: str | None = None
    speaker_role: str | None = None
    role: str | None = None
    content: Any = None
    messages: list[Any] = attrs.Factory(list)
    start_time_ms: float | None = None
    start_time_seconds: float | None = None
    end_time_ms: float | None = None
    end_time_seconds: float | None = None
    confidence_score: float | None = None
    session_id: str | None = None
    tool_calls: list[Any] = attrs.Factory(list)
    created_at: datetime | None = None
    extra: dict[str, Any] = extra_field()

    @property
    def speaker(self) -> str | None:
        """The role, whichever of the voice and chat keys carries it."""
        return self.speaker_role if self.speaker_role is not None else self.role


@with_lazy_fields
@attrs.frozen(kw_only=True, repr=False)
class RerunSnapshot(Model):
    """A `call_and_eval` rerun's copy of the call before the rerun (grid rows).

    `eval_outputs` and `transcripts` are the raw stored shapes. Durations are seconds,
    `*_ms` milliseconds, `*_cents` cents.
    """

    id: str | None = None
    snapshot_timestamp: datetime | None = None
    rerun_type: str | None = None
    service_provider_call_id: str | None = None
    status: str | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    ended_at: datetime | None = None
    duration_seconds: float | None = None
    recording_url: str | None = None
    stereo_recording_url: str | None = None
    cost_cents: float | None = None
    stt_cost_cents: float | None = None
    llm_cost_cents: float | None = None
    tts_cost_cents: float | None = None
    call_summary: str | None = None
    ended_reason: str | None = None
    overall_score: float | None = None
    response_time_ms: float | None = None
    assistant_id: str | None = None
    customer_number: str | None = None
    call_type: str | None = None
    message_count: int | None = None
    transcript_available: bool | None = None
    recording_available: bool | None = None
    eval_outputs: dict[str, EvalOutput] = lazy(factory=dict)
    transcripts: list[Any] = attrs.Factory(list)
    analysis_data: Any = None
    evaluation_data: Any = None
    provider_call_data: Any = None
    avg_agent_latency_ms: float | None = None
    user_interruption_count: int | None = None
    ai_interruption_count: int | None = None
    user_interruption_rate: float | None = None
    ai_interruption_rate: float | None = None
    user_wpm: float | None = None
    bot_wpm: float | None = None
    talk_ratio: float | None = None
    avg_stop_time_after_interruption_ms: float | None = None
    conversation_metrics_data: dict[str, Any] | None = None
    extra: dict[str, Any] = extra_field()


_only_dicts = frozenset({dict}).issuperset


def call_row_in_backend_shape(raw: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read the docs' spellings of a call row as the backend's: (the row, keys for `.extra`).

    - `scenario: {id, name}` becomes `scenario: name`; `scenario_id` is filled from the
      object when the row lacks it, and the object itself is kept in `.extra["scenario"]`
      (the converter's rule for values the attribute's type cannot hold), so `to_dict`
      gives back the docs' shape.
    - `eval_outputs`/`eval_metrics` as `{metric_name: value}` (scalars, not objects) become
      `{metric_name: {"name": metric_name, "value": value}}`.
    """
    seed: dict[str, Any] = {}
    original = raw
    scenario = raw.get("scenario")
    if scenario.__class__ is dict:
        raw = dict(raw)
        name = scenario.get("name")
        raw["scenario"] = name if isinstance(name, str) else None
        if raw.get("scenario_id") is None:
            scenario_id = scenario.get("id")
            raw["scenario_id"] = scenario_id if isinstance(scenario_id, str) else None
        seed["scenario"] = scenario
    for key in ("eval_outputs", "eval_metrics"):
        evals = raw.get(key)
        if evals.__class__ is not dict:
            continue
        if _only_dicts(map(type, evals.values())):  # the backend's shape: nothing to do
            continue
        if raw is original:  # never change the caller's data
            raw = dict(raw)
        raw[key] = {
            name: item if item.__class__ is dict else {"name": name, "value": item}
            for name, item in evals.items()
        }
    return raw, seed


@with_lazy_fields
@attrs.frozen(kw_only=True, repr=False)
class CallExecution(Model):
    """One call row (the call listing or the grid), or a rerun snapshot row of the call listing.

    Snapshot rows (`is_snapshot` true) have fewer keys: no `session_id`, `start_time`,
    `phone_number` or `test_execution_id`; their `eval_outputs` are raw (`EvalOutput` reads
    both shapes) and their `response_time` is milliseconds.

    `scenario` is the scenario's name (the docs' `{id, name}` object is read into `scenario`
    and `scenario_id`). `customer_name` is really the customer's phone number.
    `eval_outputs` and `eval_metrics` are keyed by eval-config UUID; the docs' `{metric_name:
    value}` form is read as `{metric_name: EvalOutput(name=metric_name, value=value)}`.
    """

    id: str = required()
    service_provider_call_id: str | None = None
    session_id: str | None = None
    timestamp: datetime | None = None
    call_type: str | None = None
    status: str | None = None
    #: Seconds (voice: whole seconds; chat: first-to-last message span).
    duration: float | None = None
    duration_seconds: float | None = None
    start_time: datetime | None = None
    transcript: list[TranscriptItem] = lazy(factory=list)
    scenario: str | None = None
    #: A 1-10 CSAT from an LLM judge (or 1.0/0.0 from a provider flag); not 0-100.
    overall_score: float | None = None
    #: Seconds, 3 dp (milliseconds on the call listing's snapshot rows).
    response_time: float | None = None
    response_time_ms: float | None = None
    audio_url: str | None = None
    customer_name: str | None = None
    eval_outputs: dict[str, EvalOutput] = lazy(factory=dict)
    eval_metrics: dict[str, EvalMetric] = lazy(factory=dict)
    #: `{canonical_column_name: {value, visible, dataset_column_id, dataset_id, column_name,
    #: data_type}}`.
    scenario_columns: dict[str, Any] = attrs.Factory(dict)
    ended_reason: str | None = None
    simulator_agent_name: str | None = None
    simulator_agent_id: str | None = None
    agent_definition_used_name: str | None = None
    agent_definition_used_id: str | None = None
    call_summary: str | None = None
    recordings: dict[str, Any] = attrs.Factory(dict)
    test_execution_id: str | None = None
    scenario_id: str | None = None
    scenario_graph: dict[str, Any] = attrs.Factory(dict)
    scenario_graph_id: str | None = None
    #: Milliseconds, despite the name (the docs say seconds).
    avg_agent_latency: float | None = None
    avg_agent_latency_ms: float | None = None
    user_interruption_count: int | None = None
    ai_interruption_count: int | None = None
    #: Interruptions per minute.
    user_interruption_rate: float | None = None
    ai_interruption_rate: float | None = None
    user_wpm: float | None = None
    bot_wpm: float | None = None
    #: Bot talk time over user talk time.
    talk_ratio: float | None = None
    #: Milliseconds.
    avg_stop_time_after_interruption: float | None = None
    total_tokens: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    turn_count: int | None = None
    csat_score: float | None = None
    #: Chat latency, milliseconds.
    avg_latency_ms: float | None = None
    #: Percent, 0-100.
    agent_talk_percentage: float | None = None
    processing_skipped: bool | None = None
    processing_skip_reason: str | None = None
    rerun_snapshots: list[RerunSnapshot] = attrs.Factory(list)
    is_snapshot: bool | None = None
    snapshot_timestamp: datetime | None = None
    rerun_type: str | None = None
    original_call_execution_id: str | None = None
    tool_outputs: dict[str, Any] | None = None
    cost_cents: float | None = None
    customer_cost_cents: float | None = None
    customer_cost_breakdown: dict[str, Any] | None = None
    customer_latency_metrics: dict[str, Any] | None = None
    customer_call_id: str | None = None
    simulation_call_type: str | None = None
    provider: str | None = None
    phone_number: str | None = None
    error_localizer_tasks: list[Any] = attrs.Factory(list)
    #: Only in the docs' shape; the backend sends `timestamp` (the call's `updated_at`).
    created_at: datetime | None = None
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class CallExecutionPage(Model):
    """A page of `/simulate/run-tests/{id}/call-executions/`; `total_pages` is 0 when there are
    no calls.

    `count` includes deleted calls that `results` leaves out, so pages can be short.
    """

    count: int | None = None
    next: str | None = None
    previous: str | None = None
    results: list[CallExecution] = attrs.Factory(list)
    total_pages: int | None = None
    current_page: int | None = None
    extra: dict[str, Any] = extra_field()
