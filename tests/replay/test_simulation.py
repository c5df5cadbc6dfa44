"""`client.simulation` against the real backend's recorded answers."""

from __future__ import annotations

import pytest

from futureagi_async import SimulationCall
from futureagi_async._convert import structure

from ._compare import assert_matches, assert_rows_match
from ._recordings import ReplayTransport, recorded_rows, recording
from ._walk import assert_walk
from .conftest import Connect

pytestmark = pytest.mark.anyio

NAME = "Billing bot nightly"
EXECUTION = "13dd3f1d-92b2-475d-9f8d-f543f75ce5a5"
CALL_WALKS = {
    1: [f"e5_exec2_limit1_p{n}" for n in range(1, 25)],
    3: [f"e5_exec2_limit3_p{n}" for n in range(1, 9)],
}


async def test_runs_yield_every_execution_once(connect: Connect, strict: ReplayTransport) -> None:
    # Page 3 answers 500 on this endpoint (recorded): the pager must stop at total_pages.
    async with connect() as client:
        pager = client.simulation.runs(NAME, page_size=1)
        await assert_walk(pager, ["e5_name_limit1_p1", "e5_name_limit1_p2"], strict)


@pytest.mark.parametrize("page_size", sorted(CALL_WALKS))
async def test_execution_calls_yield_every_call_once(
    connect: Connect, strict: ReplayTransport, page_size: int
) -> None:
    pages = CALL_WALKS[page_size]
    async with connect() as client:
        calls = await client.simulation.execution_calls(EXECUTION, page_size=page_size).collect()
    expected = recorded_rows(pages, inside="call_results")
    assert len(calls) == 24
    # The library fills in the execution id the rows do not repeat; the rest is as sent.
    assert not any("execution_id" in raw for raw in expected)
    assert_rows_match(calls, [{**raw, "execution_id": EXECUTION} for raw in expected])
    assert strict.asked_exactly(pages)  # past the end answers 500 here: never asked


@pytest.mark.parametrize(
    ("name", "eval_names"),
    [("e5_call", None), ("e5_call_failed_pending_eval", None), ("e5_call_eval_name", "tone")],
)
async def test_call_reads_one_call(connect: Connect, name: str, eval_names: str | None) -> None:
    rec = recording(name)
    async with connect() as client:
        call = await client.simulation.call(
            dict(rec.query)["call_execution_id"], eval_names=eval_names
        )
    assert_matches(call, rec.payload)


async def test_call_many(connect: Connect) -> None:
    ids = [
        dict(recording(n).query)["call_execution_id"]
        for n in ("e5_call", "e5_call_failed_pending_eval")
    ]
    async with connect() as client, client.simulation.call_many(ids, ordered=True) as results:
        calls = [call async for call in results]
    assert [c.call_execution_id for c in calls] == ids


@pytest.mark.parametrize(
    ("name", "summary"), [("e5_exec2_default", False), ("e5_exec1_summary_true", True)]
)
async def test_execution_reads_the_record(connect: Connect, name: str, summary: bool) -> None:
    rec = recording(name)
    async with connect() as client:
        execution = await client.simulation.execution(
            dict(rec.query)["execution_id"], summary=summary
        )
    assert_matches(execution, rec.payload)


async def test_execution_many_reads_every_record(connect: Connect) -> None:
    names = ["e5_exec2_summary_true", "e5_exec1_summary_true"]
    ids = [dict(recording(n).query)["execution_id"] for n in names]
    async with (
        connect() as client,
        client.simulation.execution_many(ids, summary=True, ordered=True) as results,
    ):
        got = [execution async for execution in results]
    assert [e.execution_id for e in got] == ids


async def test_execution_calls_round_trip_but_for_the_filled_execution_id(
    connect: Connect,
) -> None:
    # SimulationCall's docstring: `execution_id` is filled in, every other key as sent.
    async with connect() as client:
        calls = await client.simulation.execution_calls(EXECUTION, page_size=3).collect()
    expected = recorded_rows(CALL_WALKS[3], inside="call_results")
    for call, raw in zip(calls, expected, strict=True):
        data = call.to_dict()
        assert data["execution_id"] == EXECUTION
        assert {k for k, v in data.items() if k not in raw and v is not None} == {"execution_id"}
        assert {k: data[k] for k in raw if k != "eval_outputs"} == {
            k: v for k, v in raw.items() if k != "eval_outputs"
        }
        # Eval outputs come back under the attributes' names (`value` for `output`).
        assert_matches(structure(data, SimulationCall), {**raw, "execution_id": EXECUTION})
