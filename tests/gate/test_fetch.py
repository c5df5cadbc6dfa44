"""`fetch_outcomes` and `compare` against the in-process fake: every baseline source."""

from __future__ import annotations

from pathlib import Path

import pytest

from futureagi_async.gate import (
    GateInputError,
    compare,
    fetch_outcomes,
    outcomes_from,
    save_baseline,
)
from futureagi_async.testing import DatasetSpec, FakeAPI

pytestmark = pytest.mark.anyio


@pytest.fixture
def fake() -> FakeAPI:
    return FakeAPI(DatasetSpec(seed=0))


def _ids(fake: FakeAPI, index: int = 0) -> tuple[str, list[str]]:
    run_test = fake.dataset.run_tests[index]
    return run_test.name, [e.id for e in fake.dataset.executions_of(run_test.id)]


async def test_outcomes_match_the_apis_pass_rates(fake: FakeAPI) -> None:
    name, ids = _ids(fake)
    async with fake.client() as client:
        outcomes = await fetch_outcomes(client, ids[-1], run_test_name=name)
        execution = await client.simulation.execution(ids[-1])
        sdk_calls = [c async for c in client.simulation.execution_calls(ids[-1])]
    assert outcomes.evals == {"is_helpful": "pass/fail", "tone_score": "score"}
    assert outcomes.resolve("helpful_or_not") == "is_helpful"
    values = outcomes.values("is_helpful")
    [helpful] = [r for r in execution.eval_results if r.name == "is_helpful"]
    assert round(100 * sum(values) / len(values), 2) == helpful.total_pass_rate
    assert all(call.latency_ms is not None for call in outcomes.calls)
    assert outcomes.failed_call_count() == execution.failed_calls
    # The SDK's call listing gives the same outcomes (without latency).
    from_sdk = outcomes_from(execution, sdk_calls)
    assert {c.call_id: c.evals for c in from_sdk.calls} == {
        c.call_id: c.evals for c in outcomes.calls
    }


async def test_baseline_previous_is_the_last_completed_before(fake: FakeAPI) -> None:
    name, ids = _ids(fake)
    async with fake.client() as client:
        result = await compare(client, baseline="previous", candidate=ids[-1], run_test_name=name)
    assert result.baseline_execution_id == ids[-2]
    assert result.candidate_execution_id == ids[-1]
    assert {e.name for e in result.evals} == {"is_helpful", "tone_score"}


async def test_baseline_by_execution_id_and_by_file(fake: FakeAPI, tmp_path: Path) -> None:
    name, ids = _ids(fake)
    async with fake.client() as client:
        by_id = await compare(client, baseline=ids[0], candidate=ids[-1], run_test_name=name)
        save_baseline(await fetch_outcomes(client, ids[0], run_test_name=name), tmp_path / "b.json")
        by_file = await compare(
            client, baseline=tmp_path / "b.json", candidate=ids[-1], run_test_name=name
        )
    assert by_id.baseline_execution_id == by_file.baseline_execution_id == ids[0]
    assert [e.p_value for e in by_id.evals] == [e.p_value for e in by_file.evals]


async def test_a_baseline_from_another_run_test_is_refused(fake: FakeAPI, tmp_path: Path) -> None:
    name, ids = _ids(fake)
    other_name, other_ids = _ids(fake, 2)
    async with fake.client() as client:
        with pytest.raises(GateInputError, match=f"is not an execution of run test {name!r}"):
            await compare(client, baseline=other_ids[0], candidate=ids[-1], run_test_name=name)
        save_baseline(
            await fetch_outcomes(client, other_ids[0], run_test_name=other_name),
            tmp_path / "other.json",
        )
        with pytest.raises(GateInputError, match=f"is from run test {other_name!r}"):
            await compare(
                client, baseline=tmp_path / "other.json", candidate=ids[-1], run_test_name=name
            )


async def test_previous_needs_an_earlier_completed_execution(fake: FakeAPI) -> None:
    name, ids = _ids(fake)
    async with fake.client() as client:
        with pytest.raises(GateInputError, match="has no completed execution before"):
            await compare(client, baseline="previous", candidate=ids[0], run_test_name=name)
        with pytest.raises(GateInputError, match="needs the run test's name"):
            await compare(client, baseline="previous", candidate=ids[0])


async def test_a_baseline_still_running_is_refused(fake: FakeAPI) -> None:
    name, ids = _ids(fake, 1)  # run test 1's latest execution is still running
    async with fake.client() as client:
        with pytest.raises(GateInputError, match="is running, not completed"):
            await compare(client, baseline=ids[-1], candidate=ids[0], run_test_name=name)
