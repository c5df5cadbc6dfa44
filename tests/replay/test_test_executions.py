"""`client.test_executions` against the real backend's recorded answers."""

from __future__ import annotations

import pytest

from ._compare import assert_matches, assert_rows_match
from ._recordings import ReplayTransport, recording
from ._walk import assert_walk
from .conftest import Connect

pytestmark = pytest.mark.anyio

EXECUTION = "13dd3f1d-92b2-475d-9f8d-f543f75ce5a5"  # 25 calls, one soft-deleted
WALKS = {
    1: [f"e4_exec2_limit1_p{n}" for n in range(1, 25)],
    3: [f"e4_exec2_limit3_p{n}" for n in range(1, 9)],
    50: ["s_e4_exec2_limit50_realistic_snapshot_transcripts"],
    1000: ["x_e4_limit_1000"],
}


@pytest.mark.parametrize("page_size", sorted(WALKS))
async def test_calls_yield_every_row_once(
    connect: Connect, strict: ReplayTransport, page_size: int
) -> None:
    async with connect() as client:
        pager = client.test_executions.calls(EXECUTION, page_size=page_size)
        rows = await assert_walk(pager, WALKS[page_size], strict)
    assert len(rows) == 24


@pytest.mark.parametrize("page", range(1, 10))
async def test_get_page_reads_grid_and_metadata(connect: Connect, page: int) -> None:
    name = f"e4_exec2_limit3_p{page}" + ("_past_end" if page == 9 else "")
    async with connect() as client:
        grid = await client.test_executions.get_page(EXECUTION, page=page, page_size=3)
    assert_matches(grid, recording(name).payload)
    assert [c.id for c in grid.column_order if c.type == "evaluation"] == [
        "00ddc139-c7db-4418-9f90-f32af2ab827f",
        "b390b4c5-93e6-4ba5-ba95-9e6d2719f320",
        "7a8c85c0-fae7-4503-83e9-269fd9282b70",
    ]


@pytest.mark.parametrize(
    ("search", "name"),
    [
        ("Refund", "e4_search_refund"),
        ("charged twice", "e4_search_transcript_text"),
        ("failed", "x_e4_search_status_word"),
    ],
)
async def test_calls_search(connect: Connect, search: str, name: str) -> None:
    async with connect() as client:
        # Recorded with the pager's page size of the time, 50.
        rows = await client.test_executions.calls(EXECUTION, search=search, page_size=50).collect()
    expected = recording(name).payload["results"]
    assert_rows_match(rows, expected)
