from __future__ import annotations

import math

import anyio
import anyio.lowlevel
import pytest

from futureagi_async import ListingChangedTooFast, NotFoundError, ServerError
from futureagi_async._pager import Page, Pager, SeenKeys, fetch_window

pytestmark = pytest.mark.anyio


class Listing:
    """A listing of `n` items served in pages, recording what was asked for."""

    def __init__(self, n: int, page_size: int, *, total_known: bool = True) -> None:
        self.items = list(range(n))
        self.page_size = page_size
        self.total_known = total_known
        self.requested: list[int] = []
        self.in_flight = 0
        self.max_in_flight = 0

    async def fetch(self, page: int) -> Page[int]:
        self.requested.append(page)
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await anyio.lowlevel.checkpoint()
            start = (page - 1) * self.page_size
            items = self.items[start : start + self.page_size]
            total = math.ceil(len(self.items) / self.page_size)
            if self.total_known:
                return Page(items, page=page, total_pages=total, count=len(self.items))
            more = len(items) >= self.page_size
            return Page(items, page=page, total_pages=page + 1 if more else page, total_known=False)
        finally:
            self.in_flight -= 1


@pytest.mark.parametrize("page_size", [1, 3, 7, 10])
@pytest.mark.parametrize("total_known", [True, False])
async def test_every_item_once_in_order_never_past_the_end(
    page_size: int, total_known: bool
) -> None:
    listing = Listing(23, page_size, total_known=total_known)
    assert await Pager(listing.fetch, lookahead=4).collect() == listing.items
    last = math.ceil(23 / page_size)
    assert max(listing.requested) <= last + (0 if total_known else 1)
    assert sorted(listing.requested) == sorted(set(listing.requested))


async def test_lookahead_bounds_pages_in_flight() -> None:
    listing = Listing(100, 1)
    await Pager(listing.fetch, lookahead=5).collect()
    assert listing.max_in_flight == 5


async def test_zero_total_pages_is_an_empty_listing() -> None:
    async def fetch(page: int) -> Page[int]:
        return Page([], page=page, total_pages=0, count=0)

    assert await Pager(fetch).collect() == []


async def test_pages_shorter_than_the_limit_do_not_stop_paging() -> None:
    # The call listing counts deleted rows, so a page can be short in the middle of a listing.
    pages = {1: [1, 2], 2: [3], 3: [], 4: [4, 5]}

    async def fetch(page: int) -> Page[int]:
        return Page(pages[page], page=page, total_pages=4)

    assert await Pager(fetch).collect() == [1, 2, 3, 4, 5]


async def test_never_requests_more_than_page_one_announced() -> None:
    requested: list[int] = []

    async def fetch(page: int) -> Page[int]:
        requested.append(page)
        # Later pages claim the listing grew; only page 1's total counts.
        return Page([page], page=page, total_pages=3 if page == 1 else 1000)

    pager = Pager(fetch)
    # Without a key a changed listing cannot be read again to find rows it missed: it says so.
    with pytest.warns(ListingChangedTooFast, match="without a key"):
        assert await pager.collect() == [1, 2, 3]
    assert sorted(requested) == [1, 2, 3]
    assert pager.incomplete


async def test_key_drops_rows_repeated_across_a_page_boundary() -> None:
    pages: dict[int, list[str | None]] = {1: ["a", "b"], 2: ["b", "c"], 3: ["d", None]}

    async def fetch(page: int) -> Page[str | None]:
        return Page(pages[page], page=page, total_pages=3)

    pager = Pager(fetch, key=lambda item: item)
    assert await pager.collect() == ["a", "b", "c", "d", None]


async def test_a_failing_page_raises_its_own_error_and_cancels_the_window() -> None:
    cancelled: list[int] = []
    release = anyio.Event()

    async def fetch(page: int) -> Page[int]:
        if page == 3:
            raise LookupError("page 3 is gone")
        if page > 1:
            try:
                await release.wait()
            except anyio.get_cancelled_exc_class():
                cancelled.append(page)
                raise
        return Page([page], page=page, total_pages=6)

    with pytest.raises(LookupError, match="page 3 is gone"):
        await Pager(fetch, lookahead=5).collect()
    assert sorted(cancelled) == [2, 4, 5, 6]


async def test_breaking_out_leaves_nothing_running_and_the_pager_restarts() -> None:
    listing = Listing(50, 5)
    pager = Pager(listing.fetch, lookahead=3)
    async for item in pager:
        if item == 7:
            break
    assert listing.in_flight == 0
    assert await pager.collect() == listing.items


async def test_cancelling_the_consumer_cancels_in_flight_fetches() -> None:
    started = anyio.Event()
    cancelled: list[int] = []

    async def fetch(page: int) -> Page[int]:
        if page == 1:
            return Page([1], page=1, total_pages=4)
        started.set()
        try:
            await anyio.sleep_forever()
        except anyio.get_cancelled_exc_class():
            cancelled.append(page)
            raise
        raise AssertionError("unreachable")

    async with anyio.create_task_group() as tg:
        tg.start_soon(Pager(fetch).collect)
        await started.wait()
        tg.cancel_scope.cancel()
    assert sorted(cancelled) == [2, 3, 4]


def test_lookahead_must_be_positive() -> None:
    async def fetch(page: int) -> Page[int]:
        raise AssertionError

    with pytest.raises(ValueError, match="lookahead"):
        Pager(fetch, lookahead=0)


async def test_key_memory_is_bounded_and_recent_repeats_still_drop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import futureagi_async._pager as pager_module

    monkeypatch.setattr(pager_module, "SEEN_KEYS", 5)
    # Page 3 repeats the last row of page 2 (recent: dropped); page 4 repeats row 0, which is
    # older than the 5 remembered keys, so it comes again.
    pages = {1: [0, 1, 2], 2: [3, 4, 5], 3: [5, 6, 7], 4: [0, 8]}

    async def fetch(page: int) -> Page[int]:
        return Page(pages[page], page=page, total_pages=4)

    walk = pager_module._Walk(fetch, 16, lambda item: item)
    seen: list[int] = []
    # Page 3 repeats a row, so the listing changed; having forgotten keys, the walk cannot
    # read it again to find what it missed, and says so.

    async def read() -> None:
        while (page := await walk.next_page()) is not None:
            seen.extend(page.items)
            assert len(walk.seen) <= 5

    with pytest.warns(ListingChangedTooFast, match="after more than 5 rows"):
        await read()
    assert seen == [0, 1, 2, 3, 4, 5, 6, 7, 0, 8]
    assert walk.seen.forgot
    assert walk.incomplete


@pytest.mark.parametrize("past_the_end", ["docs-404", "backend-500"])
async def test_a_window_cut_short_by_the_end_keeps_the_pages_before_it(past_the_end: str) -> None:
    # Defect 1: page 5 is past the end of a listing that shrank after page 1 was read, and
    # fails while pages 2-4 are in flight. They were cancelled, then looked up: KeyError.
    rows = list(range(12))
    failed = anyio.Event()

    async def fetch(page: int) -> Page[int]:
        start = (page - 1) * 2
        if page == 1:
            served = Page(rows[:2], page=1, total_pages=math.ceil(len(rows) / 2), count=len(rows))
            del rows[8:]
            return served
        if start >= len(rows):
            failed.set()
            if past_the_end == "docs-404":
                raise NotFoundError("Invalid page.", status_code=404)
            raise ServerError("Unable to fetch simulation runs.", status_code=500)
        await failed.wait()
        await anyio.lowlevel.checkpoint()  # a cancellation sent at the failure lands here
        return Page(rows[start : start + 2], page=page, total_pages=4, count=len(rows))

    pager = Pager(fetch, lookahead=5, key=lambda item: item)
    assert await pager.collect() == list(range(8))
    assert not pager.incomplete


async def test_fetch_window_hands_on_every_page_below_the_first_failure() -> None:
    gates = {number: anyio.Event() for number in range(1, 7)}

    async def fetch(page: int) -> Page[int]:
        if page == 4:
            gates[4].set()
            raise NotFoundError("Invalid page.", status_code=404)
        await gates[4].wait()
        await anyio.lowlevel.checkpoint()
        return Page([page], page=page, total_pages=6)

    window = await fetch_window(fetch, range(1, 7), fatal=lambda exc: False)
    assert [page.page for page in window.pages] == [1, 2, 3]
    assert window.failure is not None
    assert window.failure[0] == 4
    assert isinstance(window.failure[1], NotFoundError)


def test_seen_keys_remember_the_latest_only() -> None:
    seen = SeenKeys(limit=3)
    assert [seen.add(key) for key in (1, 2, 1, 3, 4)] == [True, True, False, True, True]
    assert len(seen) == 3
    assert 1 not in seen
    assert seen.forgot
    assert seen.add(1)
