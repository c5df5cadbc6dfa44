"""`client.run_tests` against the real backend's recorded answers."""

from __future__ import annotations

import pytest

from ._compare import assert_matches, assert_rows_match
from ._recordings import ReplayTransport, recording
from ._walk import assert_walk
from .conftest import Connect

pytestmark = pytest.mark.anyio

RUN_TEST = "4f418cd0-f63a-416d-8089-a9342c1f830e"
# page size -> the recordings of its walk. The pages past the end were recorded too (a 500
# on the run-test listing, an empty 200 on the calls); a walk must not ask them.
LIST_WALKS = {
    2: ["e1_list_limit2", "e1_list_limit2_page2"],
    1000: ["x_e1_limit_1000"],
}
CALL_WALKS = {
    1: [f"e3_limit1_p{n}" for n in range(1, 52)],
    3: [f"e3_limit3_p{n}" for n in range(1, 18)],
    10: [f"e3_limit10_p{n}" for n in range(1, 7)],
    1000: ["x_e3_limit_1000"],
}


@pytest.mark.parametrize("page_size", sorted(LIST_WALKS))
async def test_list_yields_every_run_test_once(
    connect: Connect, strict: ReplayTransport, page_size: int
) -> None:
    async with connect() as client:
        pager = client.run_tests.list(page_size=page_size)
        await assert_walk(pager, LIST_WALKS[page_size], strict)


async def test_get_reads_the_detail_field_by_field(connect: Connect) -> None:
    async with connect() as client:
        for name in ("e2_get", "e2_get_rt2_no_executions", "e2_get_rt3"):
            rec = recording(name)
            run_test = await client.run_tests.get(rec.path.split("/")[3])
            assert_matches(run_test, rec.payload)


async def test_get_many_reads_every_detail(connect: Connect) -> None:
    names = ["e2_get", "e2_get_rt2_no_executions", "e2_get_rt3"]
    ids = [recording(n).path.split("/")[3] for n in names]
    async with connect() as client, client.run_tests.get_many(ids, ordered=True) as results:
        got = [run_test async for run_test in results]
    assert [r.id for r in got] == ids


@pytest.mark.parametrize("page_size", sorted(CALL_WALKS))
async def test_call_executions_yield_every_row_once(
    connect: Connect, strict: ReplayTransport, page_size: int
) -> None:
    async with connect() as client:
        pager = client.run_tests.call_executions(RUN_TEST, page_size=page_size)
        rows = await assert_walk(pager, CALL_WALKS[page_size], strict)
    assert len(rows) == 50  # 51 counted, one page empty: a soft-deleted call


@pytest.mark.parametrize(
    ("search", "page_size", "name"),
    [
        ("Refund", 5, "e3_search_refund"),
        ("%", 2, "e3_search_percent"),
        (None, 2, "s_e3_page1_limit2_with_realistic_snapshot_transcript"),
    ],
)
async def test_call_executions_first_page(
    connect: Connect, strict: ReplayTransport, search: str | None, page_size: int, name: str
) -> None:
    """Only page 1 of these listings was recorded: the pager asks it alone, first."""
    async with connect() as client:
        pages = client.run_tests.call_executions(RUN_TEST, search=search, page_size=page_size)
        first = await anext(pages.pages())
    assert_rows_match(first.items, recording(name).payload["results"])
    assert strict.asked_exactly([name])
