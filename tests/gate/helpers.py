"""Outcomes made by hand, so each test states exactly what each side holds."""

from __future__ import annotations

from collections.abc import Sequence

from futureagi_async.gate import PASS_FAIL, SCORE, CallOutcome, EvalKind, ExecutionOutcomes

__all__ = ["outcomes", "passes"]


def passes(rate: float, n: int) -> list[bool]:
    """`n` Pass/Fail outcomes, exactly round(rate * n) of them passing, spread evenly."""
    passed = round(rate * n)
    return [i * passed // n != (i + 1) * passed // n for i in range(n)]


def outcomes(
    execution_id: str = "cand",
    *,
    helpful: Sequence[bool] = (),
    tone: Sequence[float] = (),
    scenarios: int | None = 5,
    run_test_name: str | None = "Nightly",
    status: str = "completed",
    evals: dict[str, EvalKind] | None = None,
    latency: Sequence[float] = (),
    failed_calls: int | None = None,
) -> ExecutionOutcomes:
    """Calls carrying `helpful` (Pass/Fail) and `tone` (score) outcomes, call i in scenario
    i mod `scenarios` (no scenario at all for None)."""
    n = max(len(helpful), len(tone), len(latency))
    calls = []
    for i in range(n):
        values: dict[str, bool | float] = {}
        if i < len(helpful):
            values["is_helpful"] = helpful[i]
        if i < len(tone):
            values["tone_score"] = tone[i]
        calls.append(
            CallOutcome(
                f"{execution_id}-{i:05d}",
                None if scenarios is None else f"scenario-{i % scenarios}",
                "completed",
                60.0 + i,
                latency[i] if i < len(latency) else None,
                values,
            )
        )
    return ExecutionOutcomes(
        execution_id=execution_id,
        run_test_name=run_test_name,
        status=status,
        evals=evals if evals is not None else {"is_helpful": PASS_FAIL, "tone_score": SCORE},
        calls=tuple(calls),
        aliases={"helpful_or_not": "is_helpful", "tone_quality": "tone_score"},
        failed_calls=failed_calls,
    )
