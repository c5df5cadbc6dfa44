"""A listing that grows faster than the walk reads: the walk ends within its budget and says so.

No pager can outrun a listing that gains a page (or nearly) for every page it reads; it must
stop within the request bound its docstring states, and tell the caller (defect 2 of issue
18: it used to end "normally" after 1,700-3,000 requests, 195 of 200 rows never yielded).
"""

from __future__ import annotations

import math

import pytest

import futureagi_async as fa
from futureagi_async._pager import DEFAULT_LOOKAHEAD, MAX_PASSES

from .test_changing_data import fresh_ids
from .test_hostile import LiveListing, mock_client, paged_rows

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("per_request", [3, 5, 10])
async def test_a_listing_growing_faster_than_the_walk_ends_within_its_budget_and_says_so(
    per_request: int,
) -> None:
    original = paged_rows(200)
    new_id = fresh_ids("22222222")

    def insert(listing: LiveListing) -> None:
        listing.rows[:0] = [new_id() for _ in range(per_request)]

    listing = LiveListing("run_tests", original.copy(), 5, change=insert, limit=100_000)
    async with mock_client(listing) as client:
        pager = client.run_tests.list(page_size=5)
        with pytest.warns(fa.ListingChangedTooFast, match="rows may be missing"):
            rows = await pager.collect()
    assert pager.incomplete
    ids = [row.id for row in rows]
    assert len(ids) == len(set(ids))
    first_total = math.ceil((200 + per_request) / 5)  # page 1 was read after one insert
    assert listing.requests <= MAX_PASSES * (2 * first_total + DEFAULT_LOOKAHEAD + 2)


async def test_a_listing_growing_slower_than_the_walk_is_read_whole_without_a_warning() -> None:
    original = paged_rows(200)
    new_id = fresh_ids("33333333")

    def insert(listing: LiveListing) -> None:
        listing.rows[:0] = [new_id()]

    listing = LiveListing("run_tests", original.copy(), 10, change=insert)
    async with mock_client(listing) as client:
        pager = client.run_tests.list(page_size=10)
        ids = [row.id for row in await pager.collect()]
    assert not pager.incomplete
    assert set(original) <= set(ids)
    assert len(ids) == len(set(ids))
