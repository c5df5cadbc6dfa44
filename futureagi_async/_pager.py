"""Page-number pagination with bounded look-ahead.

The API's `next` links cannot be trusted (http://, relative, a bare `?`, or endless), so a
`Pager` pages by number, from 1 to the `total_pages` that page 1 announced, and never past it.
The following pages are fetched concurrently in windows of `lookahead` pages. Each window runs
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
    the listing's size changed while it was read (a later page announced another `count` or
    `total_pages` than page 1), the walk reads it again from page 1, yielding only rows not
    yet seen, until a pass brings nothing new (at most `MAX_PASSES` passes).
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
        self._start_pass()

    def _start_pass(self) -> None:
        self._pass += 1
        self._next = 1
        # Known total: the last page to fetch. Unknown: None, paging while pages say "more".
        self._last: int | None = None
        self._more = True
        self._size: tuple[int | None, int] | None = None  # page 1's (count, total_pages)
        self._changed = False
        self._new_in_pass = 0

    async def next_page(self) -> Page[T] | None:
        while not self._ready:
            if not await self._fetch_more() and not self._another_pass():
                return None
        return self._ready.popleft()

    def _another_pass(self) -> bool:
        # Without keys a second pass could not tell old rows from new ones.
        if not self._changed or self._key is None or self._pass >= MAX_PASSES:
            return False
        if self._pass > 1 and not self._new_in_pass:
            return False
        logger.debug("the listing changed while it was read: reading it again from page 1")
        self._start_pass()
        return True

    async def _fetch_more(self) -> bool:
        """Fetch the next page(s) of this pass; False when the pass is over."""
        if self._next == 1:
            first = await self._fetch(1)
            pages = [first]
            if first.total_known:
                self._last = first.total_pages
                self._size = (first.count, first.total_pages)
        elif self._last is not None:
            if self._next > self._last:
                return False
            window = range(self._next, min(self._last, self._next + self._lookahead - 1) + 1)
            pages = await self._fetch_window(window)
        elif self._more:
            pages = await self._fetch_window(range(self._next, self._next + 1))
        else:
            return False
        if not pages:  # the listing ended before the window: it shrank while it was read
            self._more, self._last = False, self._next - 1
            return False
        for page in pages[1:] if self._next == 1 else pages:
            if self._size is not None and page.total_known:
                self._changed |= (page.count, page.total_pages) != self._size
        last = pages[-1]
        self._more = bool(last.items) and last.total_pages > last.page
        self._next += len(pages)
        fresh = [self._dedupe(p) for p in pages]
        self._ready.extend(fresh)
        new = sum(len(p.items) for p in fresh)
        self._new_in_pass += new
        if not new and any(p.items for p in pages) and (self._last is None or self._pass == 1):
            # Full pages of rows already seen: a server repeating itself. Nothing further
            # would be new, so the listing ends here rather than paging on forever.
            logger.warning(
                "pages %d-%d repeat rows already yielded; ending the listing there",
                pages[0].page,
                last.page,
            )
            self._more, self._last = False, last.page
        return True

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
            return True
        first = await self._fetch(1)
        return first.total_known and first.total_pages < number

    def _dedupe(self, page: Page[T]) -> Page[T]:
        if self._key is None:
            return page
        kept: list[T] = []
        for item in page.items:
            key = self._key(item)
            if key is None:
                kept.append(item)
            elif key in self._seen:
                logger.debug("page %d repeats item %r from an earlier page", page.page, key)
            else:
                self._seen.add(key)
                self._seen_order.append(key)
                kept.append(item)
        while len(self._seen_order) > SEEN_KEYS:
            self._seen.discard(self._seen_order.popleft())
        if len(kept) == len(page.items):
            return page
        return attrs.evolve(page, items=kept)


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
