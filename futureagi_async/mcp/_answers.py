"""What the tools answer: typed shapes sized for a model's context.

Each shape is a TypedDict, so the MCP SDK publishes it as the tool's output schema. Every
list is bounded and says how many were left out; transcripts are excerpts, never whole.
"""

from __future__ import annotations

from typing_extensions import TypedDict

__all__ = [
    "CallVerdict",
    "EvalDrop",
    "EvalSummary",
    "ExecutionComparison",
    "ExecutionSummary",
    "FailedCall",
    "FailedCalls",
    "FailingEval",
    "RunTestList",
    "RunTestSummary",
    "Turn",
    "WaitResult",
]


class RunTestSummary(TypedDict):
    id: str | None
    name: str | None
    agent: str | None
    simulation_type: str | None
    last_run_at: str | None


class RunTestList(TypedDict):
    run_tests: list[RunTestSummary]
    #: How many the API has for this search (None when it did not say).
    total: int | None
    #: How many matched but are not shown (raise `limit`, or narrow `search`).
    more: int


class EvalSummary(TypedDict):
    name: str | None
    #: "Pass/Fail", "score", "choices", ... as the API names the eval's output.
    output_type: str | None
    #: Percent of completed calls that passed (Pass/Fail evals only).
    pass_rate: float | None
    #: Mean score in percent (score evals only).
    avg_score: float | None
    #: Score percentiles in percent, e.g. {"p50": 71.0, "p90": 88.0} (score evals only).
    percentiles: dict[str, float]


class ExecutionSummary(TypedDict):
    #: None where the tool was given only the execution's id (no endpoint names its run test).
    run_test_name: str | None
    execution_id: str | None
    status: str | None
    started_at: str | None
    completed_at: str | None
    total_calls: int | None
    completed_calls: int | None
    failed_calls: int | None
    evals: list[EvalSummary]


class FailingEval(TypedDict):
    name: str | None
    reason: str | None


class Turn(TypedDict):
    role: str | None
    text: str


class FailedCall(TypedDict):
    call_id: str | None
    scenario: str | None
    status: str | None
    ended_reason: str | None
    call_summary: str | None
    failing_evals: list[FailingEval]
    #: At most a few turns, each cut short; `turns_total` says how long the call was.
    transcript_excerpt: list[Turn]
    turns_total: int


class FailedCalls(TypedDict):
    execution_id: str
    eval_name: str | None
    calls: list[FailedCall]
    #: Failed calls in the execution (for `eval_name` when given).
    total_failed: int
    more: int


class EvalDrop(TypedDict):
    eval_name: str
    #: "pass rate" (percent) for a Pass/Fail eval, "mean score" for a score eval.
    statistic: str
    #: The test that gave `p_value`, e.g. "McNemar exact (paired)".
    test: str
    baseline: float | None
    baseline_interval: list[float] | None
    candidate: float | None
    candidate_interval: list[float] | None
    #: Candidate minus baseline.
    difference: float | None
    #: After correction for testing several evals at once.
    p_value: float
    #: "no regression", "regression" or "inconclusive".
    verdict: str
    #: The smallest drop this sample could have detected, and the calls per execution that
    #: would detect the tolerated one (inconclusive evals).
    min_detectable_drop: float | None
    calls_needed: int | None


class ExecutionComparison(TypedDict):
    baseline_execution_id: str
    execution_id: str
    #: "no regression", "regression" or "inconclusive": the worst of the evals'.
    verdict: str
    alpha: float
    tolerance: float
    evals: list[EvalDrop]


class CallVerdict(TypedDict):
    call_id: str | None
    status: str | None
    failed_evals: list[str]


class WaitResult(TypedDict):
    execution: ExecutionSummary
    calls_seen: int
    #: The last few calls that failed while waiting (bounded).
    recent_failures: list[CallVerdict]
