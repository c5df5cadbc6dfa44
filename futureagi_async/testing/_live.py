"""Live executions: an execution whose records are a function of the time since it started.

`plan_execution` draws every call's timeline once (when it is created, queued, connected,
ended, analysed, when each eval is done, whether it fails or is rerun); `LiveExecution.at(t)`
turns the timelines into the ordinary frozen records at `t` seconds after the start, so the
views render a running execution exactly as they render stored data. Records only change
at an event, so the dataset is rebuilt (and its response cache dropped) only when one passed.
"""

from __future__ import annotations

import bisect
import random
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from ._records import (
    CallRecord,
    EvalConfigRecord,
    ExecutionRecord,
    RunTestRecord,
    SnapshotRecord,
    TurnRecord,
)

__all__ = ["CallPlan", "LiveExecution", "LiveSchedule", "plan_execution"]

#: Call statuses after which nothing more happens to a call (unless it is rerun).
TERMINAL_CALL = frozenset({"completed", "failed", "cancelled"})
_FAIL_ENDED = ("assistant-error", "customer-did-not-answer", "pipeline-error-openai-llm-failed")
_ENDED = ("customer-ended-call", "assistant-ended-call", "completed")
_PASS_REASONS = ("Agent resolved the dispute.", "Agent confirmed the next steps.")
_FAIL_REASONS = (
    "Agent hung up before confirming the resolution.",
    "Agent quoted the wrong refund amount.",
    "Agent asked for the account number twice.",
)
_CHOICES = ("Good", "Neutral", "Bad")


@attrs.frozen
class _Run:
    """One run of a call: connected, ended (or failed), analysed; evals done at their times."""

    started: float
    ended: float
    analyzed: float
    #: When each eval config's output is stored (>= `ended`); empty for a failed run.
    evals_done: tuple[float, ...]
    failed: bool
    outputs: dict[str, Any]
    turns: int
    duration: int
    overall_score: float
    response_time_ms: int
    latency_ms: int
    cost_cents: int
    ended_reason: str

    @property
    def final(self) -> float:
        """When the run is final: a terminal status and no eval pending."""
        return self.ended if self.failed else max(self.analyzed, *self.evals_done, self.ended)


@attrs.frozen
class CallPlan:
    """One call's whole timeline, in seconds since the execution started."""

    id: str
    index: int
    scenario_id: str
    direction: str
    phone_number: str | None
    session_id: str
    created: float
    queued: float
    runs: tuple[_Run, ...]
    #: When each rerun after the first run begins (a snapshot of the previous run is taken).
    reruns: tuple[float, ...]
    snapshot_ids: tuple[str, ...]
    events: tuple[float, ...]

    def final_intervals(self) -> list[tuple[float, float]]:
        """The spans `[start, end)` during which the call is final (`end` inf for the last)."""
        spans = []
        for i, run in enumerate(self.runs):
            end = self.reruns[i] if i < len(self.reruns) else float("inf")
            spans.append((run.final, end))
        return spans


@attrs.define(eq=False)
class LiveExecution:
    """A running execution: its plans, the clock reading at its start and its base datetime."""

    id: str
    run_test: RunTestRecord
    started: float
    base: datetime
    plans: tuple[CallPlan, ...]
    events: tuple[float, ...]
    #: When every call has ended (the execution leaves `running`) and when it is completed.
    calls_ended: float
    end: float
    _last_index: int = -1
    #: Per call: the number of its events passed when its record was last built, and it.
    _built: dict[str, tuple[int, CallRecord | None]] = attrs.field(factory=dict)

    def changed(self, now: float) -> bool:
        """Whether an event passed since the last `at` (cheap: one bisect)."""
        return bisect.bisect_right(self.events, now - self.started) != self._last_index

    def elapsed(self, now: float) -> float:
        return now - self.started

    def status_at(self, t: float) -> str:
        if not self.plans or t < min(p.queued for p in self.plans):
            return "pending" if t < self.end else "completed"
        if t < self.calls_ended:
            return "running"
        return "evaluating" if t < self.end else "completed"

    def at(self, now: float) -> tuple[ExecutionRecord, list[CallRecord]]:
        """The execution's record and its calls' records at clock reading `now`."""
        t = now - self.started
        self._last_index = bisect.bisect_right(self.events, t)
        status = self.status_at(t)
        record = ExecutionRecord(
            id=self.id,
            run_test_id=self.run_test.id,
            status=status,
            created_at=self.base,
            started_at=self.base,
            completed_at=self._when(self.end) if status == "completed" else None,
            summary_kind=0 if status != "completed" else 1,
        )
        calls = []
        for plan in self.plans:
            passed = bisect.bisect_right(plan.events, t)
            built = self._built.get(plan.id)
            if built is None or built[0] != passed:
                built = (passed, self._call_at(plan, t))
                self._built[plan.id] = built
            if built[1] is not None:
                calls.append(built[1])
        return record, calls

    def _when(self, t: float) -> datetime:
        return self.base + timedelta(seconds=t)

    def _call_at(self, plan: CallPlan, t: float) -> CallRecord | None:
        if t < plan.created:
            return None
        rt = self.run_test
        run_index = bisect.bisect_right(plan.reruns, t)
        run = plan.runs[run_index]
        snapshots = tuple(self._snapshot(plan, i) for i in range(run_index))
        # The first run waits in the queue; a rerun goes straight back on the line.
        if run_index == 0 and t < plan.queued:
            status = "pending"
        elif t < run.started:
            status = "queued"
        elif t < run.ended:
            status = "ongoing"
        elif run.failed:
            status = "failed"
        elif t < run.analyzed:
            status = "analyzing"
        else:
            status = "completed"
        last_event = max((e for e in plan.events if e <= t), default=plan.created)
        voice = rt.kind == "voice"
        scenario = next((s for s in rt.scenarios if s.id == plan.scenario_id), None)
        ended = status in ("failed", "analyzing", "completed")
        on_line = status == "ongoing"
        shown_turns = run.turns if ended else _turns_by(run, t) if on_line else 0
        outputs: dict[str, Any] = {}
        if ended and not run.failed:
            for config, done in zip(rt.eval_configs, run.evals_done, strict=True):
                outputs[config.id] = run.outputs[config.id] if t >= done else {"status": "pending"}
        started_at = self._when(run.started) if status not in ("pending", "queued") else None
        if status == "ongoing":
            # As of the last turn stored: a record changes only at an event.
            duration: int | None = int(last_event - run.started)
        else:
            duration = run.duration if ended else None
        return CallRecord(
            id=plan.id,
            execution_id=self.id,
            run_test_id=rt.id,
            scenario_id=plan.scenario_id,
            kind=rt.kind,
            status=status,
            direction=plan.direction,
            created_at=self._when(plan.created),
            updated_at=self._when(last_event),
            started_at=started_at,
            completed_at=self._when(run.ended if run.failed else run.analyzed)
            if status in ("failed", "completed")
            else None,
            duration_seconds=duration,
            phone_number=plan.phone_number,
            overall_score=run.overall_score if status == "completed" else None,
            response_time_ms=run.response_time_ms if ended else None,
            avg_agent_latency_ms=run.latency_ms if ended else None,
            ended_reason=run.ended_reason if ended else None,
            call_summary=(
                f"Caller asked about {scenario.name.lower()}." if ended and scenario else None
            ),
            cost_cents=run.cost_cents if ended else None,
            provider=rt.agent_definition.provider if rt.agent_definition else None,
            session_id=plan.session_id if started_at else None,
            eval_outputs=outputs,
            turns=tuple(self._turns(plan, run, shown_turns)) if voice or shown_turns else (),
            snapshots=snapshots,
        )

    def _snapshot(self, plan: CallPlan, i: int) -> SnapshotRecord:
        run = plan.runs[i]
        return SnapshotRecord(
            id=plan.snapshot_ids[i],
            call_id=plan.id,
            snapshot_timestamp=self._when(plan.reruns[i]),
            status="failed" if run.failed else "completed",
            duration_seconds=run.duration,
            overall_score=None if run.failed else run.overall_score,
            response_time_ms=run.response_time_ms,
            eval_outputs=dict(run.outputs),
            turns=tuple(self._turns(plan, run, run.turns)),
        )

    def _turns(self, plan: CallPlan, run: _Run, n: int) -> list[TurnRecord]:
        turns, at = [], 0
        times = _turn_times(run)
        for k in range(n):
            length = 1500 + (k * 7919 + plan.index * 104729) % 2500
            role = "assistant" if k % 2 == 0 else "user"
            text = "How can I help you today?" if role == "assistant" else "I have a question."
            turns.append(
                TurnRecord(
                    id=str(uuid.uuid5(uuid.NAMESPACE_OID, f"{plan.id}:{run.started}:{k}")),
                    role=role,
                    content=f"{text} ({k})",
                    start_ms=at,
                    end_ms=at + length,
                    created_at=self._when(times[k]),
                )
            )
            at += length + 300
        return turns


def _turns_by(run: _Run, t: float) -> int:
    """How many turns of the transcript exist `t` seconds in: they grow while on the line."""
    return bisect.bisect_right(_turn_times(run), t)


@attrs.define(eq=False)
class LiveSchedule:
    """`fake-server --live`: start an execution of `run_test_name` every `every` seconds."""

    run_test_name: str
    every: float
    options: dict[str, Any]
    next_start: float


def plan_execution(
    run_test: RunTestRecord,
    *,
    calls: int,
    seconds: float,
    pass_rate: float,
    fail_ratio: float,
    rerun_ratio: float,
    turns: int,
    rng: random.Random,
    started: float,
    base: datetime,
) -> LiveExecution:
    """Draw every call's timeline; the last call is final by `seconds` after the start."""
    plans = []
    for index in range(calls):
        plans.append(_plan_call(rng, run_test, index, pass_rate, fail_ratio, rerun_ratio, turns))
    # Timelines are drawn on a unit scale, then stretched so the last event lands on `seconds`.
    last = max((e for p in plans for e in p.events), default=1.0) or 1.0
    scale = seconds / last
    plans = [_scaled(p, scale) for p in plans]
    events = tuple(sorted({e for p in plans for e in p.events}))
    calls_ended = max((r.ended for p in plans for r in p.runs), default=0.0)
    end = max((p.runs[-1].final for p in plans), default=0.0)
    return LiveExecution(
        id=_uuid(rng),
        run_test=run_test,
        started=started,
        base=base,
        plans=tuple(plans),
        events=events,
        calls_ended=calls_ended,
        end=end,
    )


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _plan_call(
    rng: random.Random,
    rt: RunTestRecord,
    index: int,
    pass_rate: float,
    fail_ratio: float,
    rerun_ratio: float,
    turns: int,
) -> CallPlan:
    created = rng.uniform(0.0, 0.3)
    queued = created + rng.uniform(0.0, 0.05)
    runs: list[_Run] = []
    reruns: list[float] = []
    start = queued + rng.uniform(0.0, 0.1)
    rerun = rt.kind == "voice" and rng.random() < rerun_ratio
    for attempt in range(2 if rerun else 1):
        run = _plan_run(rng, rt, start, pass_rate, fail_ratio, turns)
        runs.append(run)
        if attempt == 0 and rerun:
            rerun_at = run.final + rng.uniform(0.005, 0.1)
            reruns.append(rerun_at)
            start = rerun_at + rng.uniform(0.0, 0.02)
    scenario = rt.scenarios[index % len(rt.scenarios)]
    return CallPlan(
        id=_uuid(rng),
        index=index,
        scenario_id=scenario.id,
        direction="Outbound" if rng.random() < 0.6 else "Inbound",
        phone_number=f"+1415555{rng.randrange(10_000):04d}" if rt.kind == "voice" else None,
        session_id=f"sess_{rng.getrandbits(48):012x}",
        created=created,
        queued=queued,
        runs=tuple(runs),
        reruns=tuple(reruns),
        snapshot_ids=tuple(_uuid(rng) for _ in reruns),
        events=_events(created, queued, runs, reruns),
    )


def _turn_times(run: _Run) -> list[float]:
    """When each turn of the run's transcript is stored: evenly while on the line."""
    span = max(run.ended - run.started, 1e-9)
    return [run.started + span * (k + 1) / (run.turns + 1) for k in range(run.turns)]


def _events(
    created: float, queued: float, runs: Sequence[_Run], reruns: Sequence[float]
) -> tuple[float, ...]:
    """Every moment the call's record changes."""
    events = {created, queued, *reruns}
    for run in runs:
        events |= {run.started, run.ended, run.analyzed, *run.evals_done, *_turn_times(run)}
    return tuple(sorted(events))


def _plan_run(
    rng: random.Random,
    rt: RunTestRecord,
    started: float,
    pass_rate: float,
    fail_ratio: float,
    turns: int,
) -> _Run:
    failed = rng.random() < fail_ratio
    ended = started + rng.uniform(0.05, 0.25) * (0.3 if failed else 1.0)
    analyzed = ended if failed else ended + rng.uniform(0.005, 0.05)
    evals_done: list[float] = []
    outputs: dict[str, Any] = {}
    if not failed:
        for config in rt.eval_configs:
            # Most evals are stored as the analysis ends; some land a little after it.
            lag = rng.uniform(0.0, 0.03) if rng.random() < 0.2 else 0.0
            evals_done.append(analyzed + lag)
            outputs[config.id] = _output(rng, config, pass_rate)
    return _Run(
        started=started,
        ended=ended,
        analyzed=analyzed,
        evals_done=tuple(evals_done),
        failed=failed,
        outputs=outputs,
        turns=max(1, turns // 3) if failed else turns,
        duration=rng.randrange(20, 300),
        overall_score=float(rng.randrange(1, 11)),
        response_time_ms=rng.randrange(300, 3000),
        latency_ms=rng.randrange(400, 2000),
        cost_cents=rng.randrange(5, 60),
        ended_reason=rng.choice(_FAIL_ENDED if failed else _ENDED),
    )


def _scaled(plan: CallPlan, k: float) -> CallPlan:
    runs = tuple(
        attrs.evolve(
            r,
            started=r.started * k,
            ended=r.ended * k,
            analyzed=r.analyzed * k,
            evals_done=tuple(e * k for e in r.evals_done),
        )
        for r in plan.runs
    )
    reruns = tuple(r * k for r in plan.reruns)
    created, queued = plan.created * k, plan.queued * k
    return attrs.evolve(
        plan,
        created=created,
        queued=queued,
        runs=runs,
        reruns=reruns,
        events=_events(created, queued, runs, reruns),
    )


def _output(rng: random.Random, config: EvalConfigRecord, pass_rate: float) -> dict[str, Any]:
    """A stored output: Pass/Fail passes with `pass_rate`, scores are drawn around it."""
    output_type = config.template.output_type
    passed = rng.random() < pass_rate
    output: Any
    if output_type == "Pass/Fail":
        output = "Passed" if passed else "Failed"
    elif output_type == "score":
        output = round(min(1.0, max(0.0, rng.gauss(pass_rate, 0.15))), 2)
    elif output_type == "choices":
        output = "Good" if passed else rng.choice(_CHOICES[1:])
    elif output_type == "numeric":
        output = rng.randrange(10, 400)
    else:
        output = "The agent confirmed the resolution." if passed else "It did not."
    return {
        "output": output,
        "reason": rng.choice(_PASS_REASONS if passed else _FAIL_REASONS),
        "output_type": output_type,
        "name": config.name,
        "status": "Completed",
    }


Clock = Callable[[], float]
