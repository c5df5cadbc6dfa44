"""The comparison for pipelines that gate in Python: fetch both sides, then compare.

async with futureagi_async.AsyncClient() as client:
    result = await futureagi_async.gate.compare(
        client, baseline="previous", candidate=execution_id, run_test_name="Nightly"
    )
if result.verdict == "regression": ...
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import attrs

from ._baseline import load_baseline
from ._compare import Comparison, compare_outcomes
from ._errors import GateInputError
from ._outcomes import ExecutionOutcomes, fetch_outcomes
from ._stats import Correction

if TYPE_CHECKING:
    from .._client import AsyncClient

__all__ = [
    "PREVIOUS",
    "Baseline",
    "check_run_test",
    "compare",
    "previous_execution_id",
    "resolve_baseline",
]

#: `baseline=PREVIOUS`: the run test's latest completed execution before the candidate.
PREVIOUS = "previous"

Baseline = str | os.PathLike[str] | ExecutionOutcomes


async def previous_execution_id(client: AsyncClient, run_test_name: str, candidate_id: str) -> str:
    """The run test's newest completed execution older than the candidate."""
    seen_candidate = False
    async for execution in client.simulation.runs(run_test_name):
        if execution.execution_id == candidate_id:
            seen_candidate = True
        elif seen_candidate and (execution.status or "").casefold() == "completed":
            assert execution.execution_id is not None
            return execution.execution_id
    if not seen_candidate:
        raise GateInputError(
            f"execution {candidate_id} is not an execution of run test {run_test_name!r}"
        )
    raise GateInputError(
        f"run test {run_test_name!r} has no completed execution before {candidate_id}"
    )


async def check_run_test(client: AsyncClient, run_test_name: str, ids: set[str]) -> None:
    """Refuse an execution id that is not one of the run test's: no answer about an
    execution names its run test, so this reads the run test's listing (newest first)."""
    missing = set(ids)
    async for execution in client.simulation.runs(run_test_name):
        missing.discard(execution.execution_id or "")
        if not missing:
            return
    raise GateInputError(
        f"execution {sorted(missing)[0]} is not an execution of run test {run_test_name!r}"
    )


async def resolve_baseline(
    client: AsyncClient,
    baseline: Baseline,
    candidate: ExecutionOutcomes,
    *,
    run_test_name: str | None = None,
) -> ExecutionOutcomes:
    """Outcomes of `baseline`: `"previous"` (needs `run_test_name`), an execution id (a
    str; checked to be the run test's when `run_test_name` is given), a baseline file (a
    path-like), or outcomes already in hand."""
    if isinstance(baseline, ExecutionOutcomes):
        return baseline
    if isinstance(baseline, os.PathLike):
        return load_baseline(baseline)
    if baseline == PREVIOUS:
        if run_test_name is None:
            raise GateInputError("baseline 'previous' needs the run test's name")
        baseline = await previous_execution_id(client, run_test_name, candidate.execution_id)
    elif run_test_name is not None:
        await check_run_test(client, run_test_name, {baseline})
    return await fetch_outcomes(client, baseline, run_test_name=run_test_name)


async def compare(
    client: AsyncClient,
    *,
    baseline: Baseline,
    candidate: str | ExecutionOutcomes,
    run_test_name: str | None = None,
    alpha: float = 0.05,
    tolerance: float = 10.0,
    correction: Correction = "bh",
) -> Comparison:
    """Compare the candidate execution (an id, or outcomes) against `baseline` (see
    `resolve_baseline`); see `compare_outcomes` for the tests and the verdicts.

    With `run_test_name`, execution ids given here are checked to be that run test's and a
    baseline file saved from another run test is refused.
    """
    if not isinstance(candidate, ExecutionOutcomes):
        if run_test_name is not None:
            await check_run_test(client, run_test_name, {candidate})
        candidate = await fetch_outcomes(client, candidate, run_test_name=run_test_name)
    elif run_test_name is not None and candidate.run_test_name is None:
        candidate = attrs.evolve(candidate, run_test_name=run_test_name)
    base = await resolve_baseline(client, baseline, candidate, run_test_name=run_test_name)
    return compare_outcomes(
        base, candidate, alpha=alpha, tolerance=tolerance, correction=correction
    )
