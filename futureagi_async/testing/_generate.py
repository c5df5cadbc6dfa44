"""The seeded generator: the same `DatasetSpec` always gives the same records.

Eval outputs are stored raw, as the backend stores them, and only shaped by the renderers.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from ._records import (
    AgentDefinitionRecord,
    CallRecord,
    DatasetSpec,
    EvalConfigRecord,
    EvalTemplateRecord,
    ExecutionRecord,
    RunTestRecord,
    ScenarioRecord,
    SnapshotRecord,
    TurnRecord,
)
from ._store import Dataset

__all__ = ["generate"]

EPOCH = datetime(2026, 3, 1, tzinfo=UTC)

_TEMPLATES = {
    "Pass/Fail": ("is_helpful", "helpful_or_not"),
    "score": ("tone_score", "tone_quality"),
    "choices": ("sentiment", "customer_sentiment"),
    "numeric": ("word_count", "agent_word_count"),
    "reason": ("explain_failure", "failure_explanation"),
}
#: Templates that are code evals; the others are judged by an LLM from a rule prompt.
_CODE = {"numeric": "def main(conversation, **kwargs):\n    return len(conversation.split()) / 2\n"}
_CHOICES = ("Good", "Neutral", "Bad")
_SCENARIOS = (
    "Billing Inquiry",
    "Password Reset",
    "Order Status",
    "Cancel Subscription",
    "Técnico: soporte",
    "Refund 100%_off",
)
_AGENTS = ("Billing bot", "Support agent", "Sales line", "Onboarding", "Claims desk", "Triage")
#: The run tests the README and the recordings name, in creation order; past the end, the
#: names repeat with a number, so every run test's name is its own.
_RUN_TEST_NAMES = (
    "Billing bot nightly",
    "Refund flow smoke",
    "Upgrade A/B",
    "Support chat prompt",
    "Claims desk weekly",
    "Triage regression",
)
_ENDED = (
    "customer-ended-call",
    "assistant-error",
    "agent_ended_call",
    "completed",
    "Max conversation turns reached",
)
# A judge's reasons, matching its verdict. Three of each: the draw is the same either way.
_PASS_REASONS = ("Agent resolved the dispute.", "Agent confirmed the next steps.", "")
_FAIL_REASONS = (
    "Agent hung up before confirming the resolution.",
    "Agent quoted the wrong refund amount.",
    "Agent asked for the account number twice.",
)
_PROVIDERS = ("vapi", "retell", "livekit", "eleven_labs", "bland")
#: How long after its execution a call is rerun (the recorded rerun: 28 min 19 s).
_RERUN_AFTER = timedelta(minutes=28, seconds=19)


def generate(spec: DatasetSpec) -> Dataset:
    """Build the dataset; the same spec always gives the same bytes on the wire."""
    rng = random.Random(spec.seed)
    templates = {
        t: EvalTemplateRecord(_uuid(rng), _TEMPLATES[t][0], t, _CODE.get(t)) for t in _TEMPLATES
    }
    org, workspace = _uuid(rng), _uuid(rng)
    chat_count = round(spec.run_tests * spec.chat_ratio)
    run_tests: list[RunTestRecord] = []
    executions: list[ExecutionRecord] = []
    calls: list[CallRecord] = []
    clock = EPOCH
    for i in range(spec.run_tests):
        chat_index = i - (spec.run_tests - chat_count)
        kind = "text" if chat_index >= 0 else "voice"
        is_prompt = kind == "text" and chat_index % 2 == 0
        created = EPOCH + timedelta(days=i, seconds=rng.randrange(86_000))
        if rng.random() < 0.5:
            created = created.replace(microsecond=rng.randrange(1, 1_000_000))
        run_test = _make_run_test(rng, spec, i, kind, is_prompt, templates, created)
        run_tests.append(run_test)
        for j in range(spec.executions_per_run_test):
            started = created + timedelta(days=j + 1, seconds=rng.randrange(3600))
            running = i == 1 and j == spec.executions_per_run_test - 1
            execution = ExecutionRecord(
                id=_uuid(rng),
                run_test_id=run_test.id,
                status="running" if running else "completed",
                created_at=started,
                started_at=started,
                completed_at=None if running else started + timedelta(minutes=31, seconds=29),
                summary_kind=(i + j) % 3,
            )
            executions.append(execution)
            for k in range(spec.calls_per_execution):
                clock = max(clock, started) + timedelta(seconds=7)
                # Both wire forms: whole seconds (no fraction) and 6 fractional digits.
                clock = clock.replace(microsecond=rng.randrange(1, 10**6) if k % 3 else 0)
                status = _call_status(rng, running)
                call = _make_call(rng, spec, run_test, execution, clock, status, index=k)
                calls.append(call)
    return Dataset(
        spec=spec,
        organization_id=org,
        workspace_id=workspace,
        templates=tuple(templates.values()),
        run_tests=tuple(run_tests),
        executions=tuple(executions),
        calls=tuple(calls),
        new_call=lambda run_test, execution, updated: _make_call(
            rng, spec, run_test, execution, updated, "completed"
        ),
        # New calls sort first: after every call and every rerun so far.
        clock=max([clock, *(s.snapshot_timestamp for c in calls for s in c.snapshots)]),
    )


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _make_run_test(
    rng: random.Random,
    spec: DatasetSpec,
    i: int,
    kind: str,
    is_prompt: bool,
    templates: dict[str, EvalTemplateRecord],
    created: datetime,
) -> RunTestRecord:
    scenarios = []
    for s in range(2 if spec.calls_per_execution > 1 else 1):
        scenario_id = _uuid(rng)
        # Drawn either way, so a prompt run leaves the rest of the data as it was.
        dataset_id = _uuid(rng) if s == 0 else None
        columns = ((_uuid(rng), "persona", "text"),) if s == 0 else ()
        if is_prompt:
            # A prompt run's scenarios are written from its prompt: no dataset behind them.
            dataset_id, columns = None, ()
        scenarios.append(
            ScenarioRecord(
                id=scenario_id,
                name=_SCENARIOS[(i * 2 + s) % len(_SCENARIOS)],
                description=None if s else "Caller disputes a charge",
                scenario_type="graph" if s else "dataset" if dataset_id else "script",
                agent_type="prompt" if is_prompt else ("chat" if kind == "text" else "outbound"),
                dataset_id=dataset_id,
                dataset_columns=columns,
                created_at=created - timedelta(hours=2),
            )
        )
    types = spec.eval_output_types or ("Pass/Fail",)
    configs = tuple(
        EvalConfigRecord(
            id=_uuid(rng),
            name=f"{_TEMPLATES[types[c % len(types)]][1]}" + (f"_{c}" if c >= len(types) else ""),
            template=templates[types[c % len(types)]],
        )
        for c in range(spec.eval_configs)
    )
    stale = (
        (EvalConfigRecord(_uuid(rng), "retired_check", templates["Pass/Fail"], deleted=True),)
        if i == 0
        else ()
    )
    agent = None
    if not is_prompt:
        agent = AgentDefinitionRecord(
            id=_uuid(rng),
            agent_name=f"{_AGENTS[i % len(_AGENTS)]} agent",
            agent_type=kind,
            provider=_PROVIDERS[i % len(_PROVIDERS)],
            version_id=_uuid(rng),
            created_at=created - timedelta(days=1),
        )
    return RunTestRecord(
        id=_uuid(rng),
        name=_run_test_name(i),
        description=None if i % 3 == 2 else "Voice regression" if kind == "voice" else "Chat",
        source_type="prompt" if is_prompt else "agent_definition",
        kind=kind,
        agent_definition=agent,
        simulator_agent_id=None if is_prompt else _uuid(rng),
        prompt_template_id=_uuid(rng) if is_prompt else None,
        prompt_version_id=_uuid(rng) if is_prompt else None,
        scenarios=tuple(scenarios),
        eval_configs=configs,
        stale_eval_configs=stale,
        created_at=created,
        updated_at=created + timedelta(hours=5, microseconds=100200),
    )


def _run_test_name(i: int) -> str:
    laps, index = divmod(i, len(_RUN_TEST_NAMES))
    return _RUN_TEST_NAMES[index] + (f" {laps + 1}" if laps else "")


def _call_status(rng: random.Random, running: bool) -> str:
    roll = rng.random()
    if running:
        return "completed" if roll < 0.5 else "ongoing" if roll < 0.8 else "queued"
    if roll < 0.82:
        return "completed"
    if roll < 0.94:
        return "failed"
    return "cancelled" if roll < 0.97 else "analyzing"


def _make_call(
    rng: random.Random,
    spec: DatasetSpec,
    run_test: RunTestRecord,
    execution: ExecutionRecord,
    updated: datetime,
    status: str,
    index: int = 0,
) -> CallRecord:
    voice = run_test.kind == "voice"
    scenario = run_test.scenarios[index % len(run_test.scenarios)]
    done = status in ("completed", "failed")
    duration = rng.randrange(20, 300) if done else None
    started = updated - timedelta(seconds=(duration or 0) + 40) if status != "queued" else None
    outputs = _eval_outputs(rng, run_test) if status == "completed" else {}
    turns = tuple(_turns(rng, spec.transcript_turns, started or updated)) if done else ()
    snapshots: tuple[SnapshotRecord, ...] = ()
    if voice and status == "completed" and rng.random() < spec.snapshot_ratio:
        snapshots = (
            SnapshotRecord(
                id=_uuid(rng),
                call_id="",
                # A rerun happens after its run: the snapshot is the newest row of the
                # listing (recorded 28 minutes after the execution completed).
                snapshot_timestamp=max(updated, execution.completed_at or updated) + _RERUN_AFTER,
                status="completed",
                duration_seconds=duration,
                overall_score=float(rng.randrange(1, 11)),
                response_time_ms=rng.randrange(300, 3000),
                eval_outputs=_eval_outputs(rng, run_test),
                turns=turns,
            ),
        )
    call_id = _uuid(rng)
    snapshots = tuple(attrs.evolve(s, call_id=call_id) for s in snapshots)
    return CallRecord(
        id=call_id,
        execution_id=execution.id,
        run_test_id=run_test.id,
        scenario_id=scenario.id,
        kind=run_test.kind,
        status=status,
        direction="Outbound" if rng.random() < 0.6 else "Inbound",
        created_at=updated - timedelta(seconds=(duration or 0) + 60),
        updated_at=updated,
        started_at=started,
        completed_at=updated if done else None,
        duration_seconds=duration,
        phone_number=f"+1415555{rng.randrange(10_000):04d}" if voice else None,
        overall_score=float(rng.randrange(1, 11)) if status == "completed" else None,
        response_time_ms=rng.randrange(300, 3000) if done else None,
        avg_agent_latency_ms=rng.randrange(400, 2000) if done else None,
        ended_reason=rng.choice(_ENDED) if done else None,
        call_summary=f"Caller asked about {scenario.name.lower()}." if done else None,
        cost_cents=rng.randrange(5, 60) if done else None,
        provider=run_test.agent_definition.provider if run_test.agent_definition else None,
        session_id=f"sess_{rng.getrandbits(48):012x}" if done else None,
        eval_outputs=outputs,
        turns=turns,
        snapshots=snapshots,
        deleted=rng.random() < spec.deleted_ratio,
    )


def _eval_outputs(rng: random.Random, run_test: RunTestRecord) -> dict[str, Any]:
    stored: dict[str, Any] = {}
    for config in (*run_test.eval_configs, *run_test.stale_eval_configs):
        stored[config.id] = _one_output(rng, config)
    return stored


def _one_output(rng: random.Random, config: EvalConfigRecord) -> dict[str, Any]:
    output_type = config.template.output_type
    roll = rng.random()
    if roll < 0.03:
        return {"status": "pending"}
    if roll < 0.06:
        return {
            "output": None,
            "reason": "Skipped: missing input",
            "output_type": None,
            "name": config.name,
            "status": "skipped",
            "skipped": True,
        }
    if roll < 0.09:
        return {
            "output": None,
            "reason": "Evaluation failed: upstream timeout",
            "output_type": output_type,
            "name": config.name,
            "status": "Failed",
            "error": "error",
            "timestamp": "2026-03-20T02:31:40.771003Z",
        }
    if roll < 0.11:
        return {
            "output": None,
            "reason": "Engine error",
            "output_type": "reason",
            "name": config.name,
            "status": "Completed",
        }
    output: Any
    reasons = _PASS_REASONS
    if output_type == "Pass/Fail":
        passed = rng.random() < 0.75
        reasons = _PASS_REASONS if passed else _FAIL_REASONS
        rng.random()  # drawn as before, when now and then a boolean was stored
        # The strings the recordings show: the backend's code would pass a stored boolean
        # through, but no recorded answer holds one.
        output = "Passed" if passed else "Failed"
    elif output_type == "score":
        output = round(rng.random(), 2)
    elif output_type == "choices":
        choice = rng.choice(_CHOICES)
        shape = rng.random()
        output = (
            [choice]
            if shape < 0.1
            else {"score": 1.0, "choice": choice}
            if shape < 0.15
            else choice
        )
    elif output_type == "numeric":
        output = rng.randrange(20, 800) / 2  # a float, as recorded (31.5)
    else:
        output = "The agent did not confirm the resolution."
    return {
        "output": output,
        "reason": rng.choice(reasons),
        "output_type": output_type,
        "name": config.name,
        "status": "Completed",
    }


def _turns(rng: random.Random, n: int, start: datetime) -> Iterator[TurnRecord]:
    at = 0
    for t in range(n):
        length = rng.randrange(800, 4000)
        role = "assistant" if t % 2 == 0 else "user"
        text = "How can I help you today?" if role == "assistant" else "I have a question — ok?"
        yield TurnRecord(
            id=_uuid(rng),
            role=role,
            content=f"{text} ({t})",
            start_ms=at,
            end_ms=at + length,
            created_at=start + timedelta(milliseconds=at + length),
        )
        at += length + rng.randrange(100, 900)
