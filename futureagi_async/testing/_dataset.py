"""The seeded dataset: one organization's run tests, executions, calls and snapshots.

Everything the five endpoints show is derived from these records, so counts on one endpoint
match rows on another. Eval outputs are stored raw (BEHAVIOUR §6.3) and only shaped on the way
out. Records are frozen; the dataset swaps whole tuples when it changes, so a server thread
reading it never sees a half-made list.
"""

from __future__ import annotations

import random
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

__all__ = [
    "AgentDefinition",
    "Call",
    "Dataset",
    "DatasetSpec",
    "EvalConfig",
    "EvalTemplate",
    "Execution",
    "RunTest",
    "Scenario",
    "Snapshot",
    "Turn",
]

EPOCH = datetime(2026, 3, 1, tzinfo=UTC)

_TEMPLATES = {
    "Pass/Fail": ("is_helpful", "helpful_or_not"),
    "score": ("tone_score", "tone_quality"),
    "choices": ("sentiment", "customer_sentiment"),
    "numeric": ("word_count", "agent_word_count"),
    "reason": ("explain_failure", "failure_explanation"),
}
_CHOICES = ("Good", "Neutral", "Bad")
_SCENARIOS = (
    "Billing Inquiry",
    "Password Reset",
    "Order Status",
    "Cancel Subscription",
    "Técnico: soporte",
    "Refund 100%_off",
)
_NAMES = ("Billing bot", "Support agent", "Sales line", "Onboarding", "Claims desk", "Triage")
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


@attrs.frozen
class DatasetSpec:
    """How much data to generate. Small defaults keep in-process tests fast."""

    seed: int = 0
    run_tests: int = 4
    executions_per_run_test: int = 3
    calls_per_execution: int = 25
    transcript_turns: int = 6
    eval_configs: int = 3
    #: Share of run tests whose calls are chat (`text`); every other chat run test is a
    #: prompt run (no agent definition, so the `agent_definition_used_*` keys are omitted).
    chat_ratio: float = 0.3
    #: Share of completed voice calls that carry one `call_and_eval` rerun snapshot.
    snapshot_ratio: float = 0.1
    #: Share of calls that are soft-deleted: endpoint 3 still counts them (short pages).
    deleted_ratio: float = 0.04
    #: Template output types assigned to eval configs in turn. Add `numeric` or `reason` to
    #: provoke endpoint 5's eval-summary 500.
    eval_output_types: tuple[str, ...] = ("Pass/Fail", "score", "choices")


@attrs.frozen
class EvalTemplate:
    id: str
    name: str
    output_type: str


@attrs.frozen
class EvalConfig:
    id: str
    name: str
    template: EvalTemplate
    deleted: bool = False


@attrs.frozen
class Scenario:
    id: str
    name: str
    description: str | None
    scenario_type: str
    agent_type: str
    dataset_id: str | None
    dataset_columns: tuple[tuple[str, str, str], ...]
    created_at: datetime


@attrs.frozen
class AgentDefinition:
    id: str
    agent_name: str
    agent_type: str
    provider: str
    version_id: str
    created_at: datetime


@attrs.frozen
class RunTest:
    id: str
    name: str
    description: str | None
    source_type: str
    kind: str
    agent_definition: AgentDefinition | None
    simulator_agent_id: str | None
    prompt_template_id: str | None
    prompt_version_id: str | None
    scenarios: tuple[Scenario, ...]
    eval_configs: tuple[EvalConfig, ...]
    #: Configs deleted since their outputs were stored: endpoint 3 still shows their keys.
    stale_eval_configs: tuple[EvalConfig, ...]
    created_at: datetime
    updated_at: datetime


@attrs.frozen
class Execution:
    id: str
    run_test_id: str
    status: str
    created_at: datetime
    started_at: datetime
    completed_at: datetime | None
    #: 0: summary never computed (null), 1: too little data (`{}`), 2: clusters.
    summary_kind: int


@attrs.frozen
class Turn:
    id: str
    role: str
    content: str
    start_ms: int
    end_ms: int
    created_at: datetime


@attrs.frozen(eq=False)
class Snapshot:
    id: str
    call_id: str
    snapshot_timestamp: datetime
    status: str
    duration_seconds: int | None
    overall_score: float | None
    response_time_ms: int | None
    eval_outputs: dict[str, Any]


@attrs.frozen(eq=False)
class Call:
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
    turns: tuple[Turn, ...]
    snapshots: tuple[Snapshot, ...]
    deleted: bool = False


@attrs.define
class Dataset:
    """The generated organization. Read the attributes; change calls through the methods.

    `run_tests`, `executions` and `calls` are tuples in creation order; `calls` includes
    soft-deleted calls (`call.deleted`), which only endpoint 3's `count` sees.
    """

    spec: DatasetSpec
    organization_id: str
    workspace_id: str
    templates: tuple[EvalTemplate, ...]
    run_tests: tuple[RunTest, ...]
    executions: tuple[Execution, ...]
    calls: tuple[Call, ...]
    _rng: random.Random
    _clock: datetime
    _lock: threading.Lock = attrs.field(factory=threading.Lock)
    #: Bumped on every change, so cached responses of the old data are never served.
    version: int = 0
    _index: tuple[int, dict[str, list[Call]], dict[str, Scenario]] | None = None

    def _indexed(self) -> tuple[dict[str, list[Call]], dict[str, Scenario]]:
        # Rebuilt lazily per version: lookups stay O(1) for benchmark-sized datasets.
        index = self._index
        if index is None or index[0] != self.version:
            by_execution: dict[str, list[Call]] = {}
            for call in self.calls:
                by_execution.setdefault(call.execution_id, []).append(call)
            scenarios = {s.id: s for r in self.run_tests for s in r.scenarios}
            index = (self.version, by_execution, scenarios)
            self._index = index
        return index[1], index[2]

    # --- lookups -------------------------------------------------------------------------

    def run_test(self, run_test_id: str) -> RunTest | None:
        return next((r for r in self.run_tests if r.id == run_test_id), None)

    def execution(self, execution_id: str) -> Execution | None:
        return next((e for e in self.executions if e.id == execution_id), None)

    def call(self, call_id: str) -> Call | None:
        return next((c for c in self.calls if c.id == call_id and not c.deleted), None)

    def scenario(self, scenario_id: str) -> Scenario | None:
        return self._indexed()[1].get(scenario_id)

    def executions_of(self, run_test_id: str) -> list[Execution]:
        return [e for e in self.executions if e.run_test_id == run_test_id]

    def calls_of(self, execution_id: str, *, include_deleted: bool = False) -> list[Call]:
        calls = self._indexed()[0].get(execution_id, [])
        return [c for c in calls if include_deleted or not c.deleted]

    def last_run_at(self, run_test_id: str) -> datetime | None:
        return max((e.created_at for e in self.executions_of(run_test_id)), default=None)

    # --- mutation, for "data changes while a client pages" ------------------------------

    def add_calls(self, execution_id: str, n: int) -> list[Call]:
        """Add `n` completed calls, newest of all, so they sort first where order is by time."""
        with self._lock:
            execution = self.execution(execution_id)
            if execution is None:
                raise KeyError(execution_id)
            run_test = self.run_test(execution.run_test_id)
            assert run_test is not None
            new: list[Call] = []
            for _ in range(n):
                self._clock += timedelta(seconds=1, microseconds=1)
                new.append(
                    _make_call(self._rng, self.spec, run_test, execution, self._clock, "completed")
                )
            self.calls = (*self.calls, *new)
            self.version += 1
            return new

    def remove_calls(self, execution_id: str, n: int) -> list[Call]:
        """Hard-delete the `n` newest calls of an execution (they vanish from every endpoint)."""
        with self._lock:
            live = sorted(self.calls_of(execution_id), key=lambda c: c.updated_at, reverse=True)
            gone = {c.id for c in live[:n]}
            self.calls = tuple(c for c in self.calls if c.id not in gone)
            self.version += 1
            return live[:n]


def generate(spec: DatasetSpec) -> Dataset:
    """Build the dataset; the same spec always gives the same bytes on the wire."""
    rng = random.Random(spec.seed)
    templates = {t: EvalTemplate(_uuid(rng), _TEMPLATES[t][0], t) for t in _TEMPLATES}
    org, workspace = _uuid(rng), _uuid(rng)
    chat_count = round(spec.run_tests * spec.chat_ratio)
    run_tests: list[RunTest] = []
    executions: list[Execution] = []
    calls: list[Call] = []
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
            execution = Execution(
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
        rng=rng,
        clock=clock,
    )


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _make_run_test(
    rng: random.Random,
    spec: DatasetSpec,
    i: int,
    kind: str,
    is_prompt: bool,
    templates: dict[str, EvalTemplate],
    created: datetime,
) -> RunTest:
    scenarios = []
    for s in range(2 if spec.calls_per_execution > 1 else 1):
        has_dataset = s == 0
        scenarios.append(
            Scenario(
                id=_uuid(rng),
                name=_SCENARIOS[(i * 2 + s) % len(_SCENARIOS)],
                description=None if s else "Caller disputes a charge",
                scenario_type="dataset" if has_dataset else "graph",
                agent_type="prompt" if is_prompt else ("chat" if kind == "text" else "outbound"),
                dataset_id=_uuid(rng) if has_dataset else None,
                dataset_columns=((_uuid(rng), "persona", "text"),) if has_dataset else (),
                created_at=created - timedelta(hours=2),
            )
        )
    types = spec.eval_output_types or ("Pass/Fail",)
    configs = tuple(
        EvalConfig(
            id=_uuid(rng),
            name=f"{_TEMPLATES[types[c % len(types)]][1]}" + (f"_{c}" if c >= len(types) else ""),
            template=templates[types[c % len(types)]],
        )
        for c in range(spec.eval_configs)
    )
    stale = (
        (EvalConfig(_uuid(rng), "retired_check", templates["Pass/Fail"], deleted=True),)
        if i == 0
        else ()
    )
    agent = None
    if not is_prompt:
        agent = AgentDefinition(
            id=_uuid(rng),
            agent_name=f"{_NAMES[i % len(_NAMES)]} agent",
            agent_type=kind,
            provider=_PROVIDERS[i % len(_PROVIDERS)],
            version_id=_uuid(rng),
            created_at=created - timedelta(days=1),
        )
    return RunTest(
        id=_uuid(rng),
        name=f"{_NAMES[i % len(_NAMES)]} nightly {i}",
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
    run_test: RunTest,
    execution: Execution,
    updated: datetime,
    status: str,
    index: int = 0,
) -> Call:
    voice = run_test.kind == "voice"
    scenario = run_test.scenarios[index % len(run_test.scenarios)]
    done = status in ("completed", "failed")
    duration = rng.randrange(20, 300) if done else None
    started = updated - timedelta(seconds=(duration or 0) + 40) if status != "queued" else None
    outputs = _eval_outputs(rng, run_test) if status == "completed" else {}
    turns = tuple(_turns(rng, spec.transcript_turns, started or updated)) if done else ()
    snapshots: tuple[Snapshot, ...] = ()
    if voice and status == "completed" and rng.random() < spec.snapshot_ratio:
        snapshots = (
            Snapshot(
                id=_uuid(rng),
                call_id="",
                snapshot_timestamp=updated - timedelta(seconds=3, microseconds=500),
                status="completed",
                duration_seconds=duration,
                overall_score=float(rng.randrange(1, 11)),
                response_time_ms=rng.randrange(300, 3000),
                eval_outputs=_eval_outputs(rng, run_test),
            ),
        )
    call_id = _uuid(rng)
    snapshots = tuple(attrs.evolve(s, call_id=call_id) for s in snapshots)
    return Call(
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


def _eval_outputs(rng: random.Random, run_test: RunTest) -> dict[str, Any]:
    stored: dict[str, Any] = {}
    for config in (*run_test.eval_configs, *run_test.stale_eval_configs):
        stored[config.id] = _one_output(rng, config)
    return stored


def _one_output(rng: random.Random, config: EvalConfig) -> dict[str, Any]:
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
        output = passed if rng.random() < 0.05 else ("Passed" if passed else "Failed")
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
        output = rng.randrange(10, 400)
    else:
        output = "The agent did not confirm the resolution."
    return {
        "output": output,
        "reason": rng.choice(reasons),
        "output_type": output_type,
        "name": config.name,
        "status": "Completed",
    }


def _turns(rng: random.Random, n: int, start: datetime) -> Iterator[Turn]:
    at = 0
    for t in range(n):
        length = rng.randrange(800, 4000)
        role = "assistant" if t % 2 == 0 else "user"
        text = "How can I help you today?" if role == "assistant" else "I have a question — ok?"
        yield Turn(
            id=_uuid(rng),
            role=role,
            content=f"{text} ({t})",
            start_ms=at,
            end_ms=at + length,
            created_at=start + timedelta(milliseconds=at + length),
        )
        at += length + rng.randrange(100, 900)
