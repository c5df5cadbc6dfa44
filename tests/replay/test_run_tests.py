"""`client.run_tests` against the real backend's recorded answers."""

from __future__ import annotations

import pytest

from ._compare import assert_matches
from ._recordings import ReplayTransport, recorded_rows, recording
from .conftest import Connect

pytestmark = pytest.mark.anyio

RUN_TEST = "4f418cd0-f63a-416d-8089-a9342c1f830e"
# page size -> the recordings of its walk, page 1 first, and its (unasked) past-the-end page
LIST_WALKS = {
    2: (["e1_list_limit2", "e1_list_limit2_page2"], "e1_list_limit2_page3_past_end"),
    1000: (["x_e1_limit_1000"], None),
}
CALL_WALKS = {
    1: ([f"e3_limit1_p{n}" for n in range(1, 52)], "e3_limit1_p52_past_end"),
    3: ([f"e3_limit3_p{n}" for n in range(1, 18)], "e3_limit3_p18_past_end"),
    10: ([f"e3_limit10_p{n}" for n in range(1, 7)], "e3_limit10_p7_past_end"),
    1000: (["x_e3_limit_1000"], None),
}


@pytest.mark.parametrize("page_size", sorted(LIST_WALKS))
async def test_list_yields_every_run_test_once(
    connect: Connect, strict: ReplayTransport, page_size: int
) -> None:
    pages, _past_end = LIST_WALKS[page_size]
    async with connect() as client:
        rows = await client.run_tests.list(page_size=page_size).collect()
    expected = recorded_rows(pages)
    assert [r.id for r in rows] == [raw["id"] for raw in expected]
    for row, raw in zip(rows, expected, strict=True):
        assert_matches(row, raw)
    assert strict.asked_exactly(pages)  # each page once, nothing past the end


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
    pages, _past_end = CALL_WALKS[page_size]
    async with connect() as client:
        rows = await client.run_tests.call_executions(RUN_TEST, page_size=page_size).collect()
    expected = recorded_rows(pages)
    assert len(rows) == 50  # 51 counted, one page empty: a soft-deleted call
    assert [r.id for r in rows] == [raw["id"] for raw in expected]
    for row, raw in zip(rows, expected, strict=True):
        assert_matches(row, raw)
    assert strict.asked_exactly(pages)


@pytest.mark.parametrize(
    ("search", "page_size", "name"),
    [("Refund", 5, "e3_search_refund"), ("%", 2, "e3_search_percent")],
)
async def test_call_executions_search_first_page(
    connect: Connect, search: str, page_size: int, name: str
) -> None:
    async with connect() as client:
        pages = client.run_tests.call_executions(RUN_TEST, search=search, page_size=page_size)
        first = await pages.pages().__anext__()  # only page 1 of a search was recorded
    raw_rows = recording(name).payload["results"]
    assert [r.id for r in first.items] == [raw["id"] for raw in raw_rows]
    for row, raw in zip(first.items, raw_rows, strict=True):
        assert_matches(row, raw)
