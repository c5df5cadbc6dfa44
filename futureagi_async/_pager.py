"""Page-number pagination with bounded look-ahead.

The API's `next` links cannot be trusted (http://, relative, a bare `?`, or endless), so a
`Pager` pages by number, from 1 to the `total_pages` that page 1 announced (past it only to
follow a listing that later pages say has grown, see `_Walk`). Totals beyond any sane size are
not believed (`resources._shared.make_page`), and a listing that changes while it is read is
read again from page 1. The following pages are fetched concurrently in windows of
`lookahead` pages. Each window runs
in its own task group, which closes before any of its items is yielded: the caller's code
never runs inside our task group, so breaking out of an `async for` or cancelling the caller
leaves nothing running, on asyncio and trio alike.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Iterator
from typing import Generic, TypeVar

import anyio
import attrs

from ._errors import APIStatusError

__all__ = ["DEFAULT_LOOKAHEAD", "MAX_PASSES", "Page", "Pager"]

T = TypeVar("T")

logger = logging.getLogger("futureagi_async")

# 16 pages in flight turn a 100-page listing into ~8 round trips instead of 100.
DEFAULT_LOOKAHEAD = 16

# How many of the latest keys a walk remembers to drop repeats. A row repeats because rows
# ahead of it moved while the listing was paged, so repeats sit close to where they were
# first seen; remembering every key instead would grow memory with the listing (~110 bytes a
# row), which `async for` over a long listing must not.
SEEN_KEYS = 10_000

# Passes over a listing that keeps changing while it is read (see `_Walk`).
MAX_PASSES = 4


@attrs.frozen
class Page(Generic[T]):
    """One page of a listing.

    `total_pages` is what the API said, or derived from `count`. When neither was in the body,
    `total_known` is False and `total_pages` only says whether another page may follow.
    """

    items: list[T]
    page: int
    total_pages: int
    count: int | None = None
    total_known: bool = True


class Pager(Generic[T]):
    """An async iterator over every item of a listing, each exactly once, in order.

    `async for item in pager`, `async for page in pager.pages()`, or `await pager.collect()`.
    Each iteration starts again from page 1. `key` (usually the item's id) drops an item seen
    on an earlier page: lists ordered by `updated_at` shift while an execution runs, and a row
    pushed over a page boundary would otherwise come twice. The latest `SEEN_KEYS` (10,000)
    keys are remembered, so memory stays flat however long the listing.
    """

    __slots__ = ("_fetch", "_key", "_lookahead")

    def __init__(
        self,
        fetch: Callable[[int], Awaitable[Page[T]]],
        *,
        lookahead: int = DEFAULT_LOOKAHEAD,
        key: Callable[[T], Hashable | None] | None = None,
    ):
        if lookahead < 1:
            raise ValueError(f"lookahead must be at least 1, got {lookahead}")
        self._fetch = fetch
        self._lookahead = lookahead
        self._key = key

    def __aiter__(self) -> AsyncIterator[T]:
        return _Items(_Walk(self._fetch, self._lookahead, self._key))

    def pages(self) -> AsyncIterator[Page[T]]:
        """Every page in order, with items repeated from earlier pages removed."""
        return _Pages(_Walk(self._fetch, self._lookahead, self._key))

    async def collect(self) -> list[T]:
        """Every item, in a list. Memory grows with the listing: prefer `async for`."""
        return [item async for item in self]


class _Walk(Generic[T]):
    """One walk over a listing: which pages come next, and which keys were seen.

    Plain objects rather than async generators, so an abandoned iteration holds no frame
    that would need finalising.

    A walk may take more than one pass. Rows ordered by `updated_at` move while an execution
    runs: a row can jump from a page not yet read to one already read, and be missed. When
    the listing changed while it was read, the walk reads it again from page 1, yielding
    only rows not yet seen, until a pass brings nothing new (at most `MAX_PASSES` passes).
    It changed when a later page announced another `count` or `total_pages` than page 1, a
    page within the announced total was past the end, or a page repeated a row of an
    earlier page: a row that moved up past the pages read pushes the rows between down by
    one, so the last row read comes again on the next page.

    Passes after the first drop rows without a key (they were yielded by the first, and
    cannot be told apart), and there is no further pass once the walk has forgotten a key
    (beyond `SEEN_KEYS`): it could not tell the rows it already yielded.

    With a key, a listing that grows while it is read is followed past page 1's total (up
    to twice it), so rows pushed down by new ones are still reached in the same pass.
    Without one, page 1's total is the end: the rows pushed down would come twice.
    """

    def __init__(
        self,
        fetch: Callable[[int], Awaitable[Page[T]]],
        lookahead: int,
        key: Callable[[T], Hashable | None] | None,
    ):
        self._fetch = fetch
        self._lookahead = lookahead
        self._key = key
        self._seen: set[Hashable] = set()
        self._seen_order: deque[Hashable] = deque()  # oldest first, to forget beyond SEEN_KEYS
        self._ready: deque[Page[T]] = deque()
        self._pass = 0
        self._repeating = False  # the server answered full pages of rows already yielded
        self._reread: Page[T] | None = None  # page 1, read again to end the previous pass
        self._first_keys: list[Hashable | None] = []  # the keys of this pass's page 1
        self._forgot = False  # a key was dropped from memory (see SEEN_KEYS)
        self._extent = 0  # the last page the first pass read
        self._start_pass()

    def _start_pass(self) -> None:
        self._pass += 1
        self._next = 1
        # Known total: the last page to fetch. Unknown: None, paging while pages say "more".
        self._last: int | None = None
        self._more = True
        self._size: tuple[int | None, int] | None = None  # page 1's (count, total_pages)
        self._furthest = 0  # how far a growing listing is followed in this pass
        self._resized = False  # a page of this pass announced another size than page 1
        self._pass_pages: dict[Hashable, int] = {}  # key -> the page of this pass it was on
        self._changed = False
        self._new_in_pass = 0

    async def next_page(self) -> Page[T] | None:
        while not self._ready:
            if not await self._fetch_more() and not self._another_pass():
                return None
        return self._ready.popleft()

    def _another_pass(self) -> bool:
        # Without keys a second pass could not tell old rows from new ones.
        if not self._changed or self._key is None or self._repeating or self._forgot:
            return False
        if self._pass >= MAX_PASSES:
            return False
        if self._pass > 1 and not self._new_in_pass:
            return False
        logger.debug("the listing changed while it was read: reading it again from page 1")
        self._start_pass()
        return True

    async def _fetch_more(self) -> bool:
        """Fetch the next page(s) of this pass; False when the pass is over."""
        if self._next == 1:
            first = self._reread or await self._fetch(1)
            self._reread = None
            self._first_keys = self._keys_of(first)
            pages = [first]
            if first.total_known:
                self._last = first.total_pages
                self._size = (first.count, first.total_pages)
                grows = self._key is not None
                self._furthest = 2 * first.total_pages + self._lookahead if grows else 0
        elif self._last is not None:
            if self._next > self._last:
                return False
            # Later passes read one page at a time: pages served out of order while rows
            # are inserted would leave gaps between them again.
            lookahead = self._lookahead if self._pass == 1 else 1
            window = range(self._next, min(self._last, self._next + lookahead - 1) + 1)
            pages = await self._fetch_window(window)
        elif self._more:
            pages = await self._fetch_window(range(self._next, self._next + 1))
        else:
            return await self._end_without_total()
        if not pages:  # the listing ended before the window
            self._more, self._last = False, self._next - 1
            return await self._end_without_total()
        for page in pages[1:] if self._next == 1 else pages:
            if self._size is not None and page.total_known:
                self._resized |= (page.count, page.total_pages) != self._size
                self._changed |= self._resized
                if self._last is not None:  # a listing that grew: follow it, within reason
                    self._last = max(self._last, min(page.total_pages, self._furthest))
        last = pages[-1]
        self._more = bool(last.items) and last.total_pages > last.page
        self._next += len(pages)
        new = 0
        for page in pages:
            fresh, new_keys = self._dedupe(page)
            self._ready.append(fresh)
            new += new_keys
        self._new_in_pass += new
        if self._pass == 1:
            self._extent = self._next - 1
        repeats = not new and any(p.items for p in pages) and pages[0].page > 1
        if repeats and (self._last is None or self._pass == 1):
            # Full pages of rows already seen (or of rows without a key, which cannot be
            # told apart). In a listing that grows, rows pushed down by new ones: the pass
            # ends and the next reads it again. Otherwise a server repeating itself: nothing
            # further would be new, so the listing ends here rather than paging on forever.
            self._more, self._last = False, last.page
            if not self._resized:
                logger.warning(
                    "pages %d-%d repeat rows already yielded; ending the listing there",
                    pages[0].page,
                    last.page,
                )
                self._repeating = True
        elif not self._new_in_pass and self._next > self._extent + self._lookahead:
            # A later pass that found nothing new well past where the first one ended.
            self._more, self._last = False, last.page
        return True

    async def _end_without_total(self) -> bool:
        """End a pass over a listing that announces no total; always False.

        Without a count to compare, rows removed ahead of the pages read move up unseen:
        page 1 read again says whether the listing changed, and starts the next pass if so.
        """
        if (
            self._size is None
            and self._next > 2
            and self._key is not None
            and not (self._changed or self._repeating or self._forgot)
            and self._pass < MAX_PASSES
        ):
            first = await self._fetch(1)
            if self._keys_of(first) != self._first_keys:
                self._changed, self._reread = True, first
        return False

    def _keys_of(self, page: Page[T]) -> list[Hashable | None]:
        return [self._key(item) for item in page.items] if self._key is not None else []

    async def _fetch_window(self, window: range) -> list[Page[T]]:
        """The window's pages in order, cut before the first page past the listing's end."""
        pages: dict[int, Page[T]] = {}
        errors: dict[int, Exception] = {}

        async def fetch_one(number: int) -> None:
            try:
                pages[number] = await self._fetch(number)
            except Exception as exc:
                # Stop the window's other fetches and raise this error itself, not a group.
                errors[number] = exc
                tg.cancel_scope.cancel()

        async with anyio.create_task_group() as tg:
            for number in window:
                tg.start_soon(fetch_one, number)
        if errors:
            failed = min(errors)
            if not await self._is_past_the_end(failed, errors[failed]):
                raise errors[failed]
            logger.debug("page %d is past the end of the listing now: it ended there", failed)
            window = range(window.start, failed)
        return [pages[number] for number in window]

    async def _is_past_the_end(self, number: int, error: Exception) -> bool:
        """Whether page `number` failed because the listing shrank below it.

        A page past the end is a 500 or 404 on this API, and so is a real crash: page 1,
        read again, tells them apart by its total now. Its "Invalid page." message says it
        outright where the total is not announced (or overstates the rows).
        """
        if number == 1 or not isinstance(error, APIStatusError):
            return False
        if error.status_code != 404 and error.status_code < 500:
            return False
        if "Invalid page." in error.message:
            # Past a total that page 1 announced, the listing shrank (or overstated it).
            self._changed |= self._last is not None and number <= self._last
            return True
        first = await self._fetch(1)
        shrunk = first.total_known and first.total_pages < number
        self._changed |= shrunk
        return shrunk

    def _dedupe(self, page: Page[T]) -> tuple[Page[T], int]:
        """The page without rows already yielded, and how many keys it brought first."""
        if self._key is None:
            return page, len(page.items)
        kept: list[T] = []
        new = 0
        for item in page.items:
            key = self._key(item)
            if key is None:
                if self._pass == 1:
                    kept.append(item)
                continue
            if not self._forgot and self._pass_pages.setdefault(key, page.page) != page.page:
                logger.debug("page %d repeats item %r from an earlier page", page.page, key)
                self._changed = True
            if key not in self._seen:
                self._seen.add(key)
                self._seen_order.append(key)
                kept.append(item)
                new += 1
        while len(self._seen_order) > SEEN_KEYS:
            self._seen.discard(self._seen_order.popleft())
            self._forgot = True
            self._pass_pages.clear()  # no further pass is possible: stop tracking
        if len(kept) == len(page.items):
            return page, new
        return attrs.evolve(page, items=kept), new


class _Pages(AsyncIterator[Page[T]]):
    def __init__(self, walk: _Walk[T]):
        self._walk = walk

    async def __anext__(self) -> Page[T]:
        page = await self._walk.next_page()
        if page is None:
            raise StopAsyncIteration
        return page


class _Items(AsyncIterator[T]):
    def __init__(self, walk: _Walk[T]):
        self._walk = walk
        self._items: Iterator[T] = iter(())

    async def __anext__(self) -> T:
        while True:
            for item in self._items:
                return item
            page = await self._walk.next_page()
            if page is None:
                raise StopAsyncIteration
            self._items = iter(page.items)
