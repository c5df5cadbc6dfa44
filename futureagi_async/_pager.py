"""Page-number pagination with bounded look-ahead, which says when it could not keep up.

The API's `next` links cannot be trusted (http://, relative, a bare `?`, or endless), so a
`Pager` pages by number, from 1 to the `total_pages` that page 1 announced. Totals beyond any
sane size are not believed (`resources._shared.make_page`).

Three parts, each usable alone (`watch()` builds on the first two):

- `fetch_window`: a window of pages fetched concurrently, in its own task group, which closes
  before any page is handed on: the caller's code never runs inside our task group, so
  breaking out of an `async for` or cancelling the caller leaves nothing running.
- `SeenKeys`: which rows were already yielded, remembering only the latest `SEEN_KEYS`.
- `_Walk`: the decisions: which pages to fetch, when a pass over the listing ends, whether
  another pass is needed, and whether the walk is complete.
"""

from __future__ import annotations

import enum
import logging
import warnings
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Hashable, Iterator
from typing import Generic, TypeVar

import anyio
import attrs

from ._errors import APIStatusError, ListingChangedTooFast

__all__ = [
    "DEFAULT_LOOKAHEAD",
    "MAX_PASSES",
    "SEEN_KEYS",
    "Page",
    "Pager",
    "SeenKeys",
    "Window",
    "fetch_window",
]

T = TypeVar("T")

logger = logging.getLogger("futureagi_async")

# 16 pages in flight turn a 100-page listing into ~8 round trips instead of 100.
DEFAULT_LOOKAHEAD = 16

# How many of the latest keys a walk remembers to drop repeats. A row repeats because rows
# ahead of it moved while the listing was paged, so repeats sit close to where they were
# first seen; remembering every key instead would grow memory with the listing (~110 bytes a
# row), which `async for` over a long listing must not.
SEEN_KEYS = 10_000

# Passes over a listing that keeps changing while it is read (see `Pager`).
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


Fetch = Callable[[int], Awaitable[Page[T]]]


class Pager(Generic[T]):
    """An async iterator over every item of a listing, each exactly once, in order.

    `async for item in pager`, `async for page in pager.pages()`, or `await pager.collect()`.
    Each iteration is a new walk from page 1. `key` (usually the item's id) drops an item
    already yielded: lists ordered by `updated_at` shift while an execution runs, and a row
    pushed over a page boundary would otherwise come twice. The latest `SEEN_KEYS` (10,000)
    keys are remembered, so memory stays flat however long the listing.

    A listing that changes while it is read (a later page announces another size than page
    1, repeats a row of another page, or is past the end within the total) is read again from
    page 1, one page at a time, yielding only rows not yet seen, until a pass sees no change:
    at most `MAX_PASSES` (4) passes, and only with a `key`.

    Bound: a walk makes at most `MAX_PASSES * (R + 2)` requests (its budget), where R is
    `2 * T + lookahead` with a key and T without one, T being the `total_pages` of the first
    page 1 it read. Without a total, the first pass reads until the listing says it ended
    (or a page holds only rows already yielded), and the passes after it at most
    `MAX_PASSES * (R + 2)` requests more, T being the pages the first one read. With a key,
    a pass follows a listing that grows while it is read up to twice the total its page 1
    announced, plus `lookahead` pages.

    When the walk ends without a pass that saw no change (the listing kept changing, grew
    past the reach, or a server repeated full pages of rows already yielded), it warns
    `ListingChangedTooFast` and `incomplete` is True: a row may have been missed.
    """

    __slots__ = ("_fetch", "_key", "_latest", "_lookahead")

    def __init__(
        self,
        fetch: Fetch[T],
        *,
        lookahead: int = DEFAULT_LOOKAHEAD,
        key: Callable[[T], Hashable | None] | None = None,
    ):
        if lookahead < 1:
            raise ValueError(f"lookahead must be at least 1, got {lookahead}")
        self._fetch = fetch
        self._lookahead = lookahead
        self._key = key
        self._latest: _Walk[T] | None = None

    @property
    def incomplete(self) -> bool:
        """Whether the latest walk over this pager ended unsure it had read every row."""
        return self._latest is not None and self._latest.incomplete

    def _walk(self) -> _Walk[T]:
        self._latest = _Walk(self._fetch, self._lookahead, self._key)
        return self._latest

    def __aiter__(self) -> AsyncIterator[T]:
        return _Items(self._walk())

    def pages(self) -> AsyncIterator[Page[T]]:
        """Every page in order, with items repeated from earlier pages removed."""
        return _Pages(self._walk())

    async def collect(self) -> list[T]:
        """Every item, in a list. Memory grows with the listing: prefer `async for`."""
        return [item async for item in self]


# --- the window: concurrent fetching, no decisions -----------------------------------------


@attrs.frozen
class Window(Generic[T]):
    """What a window fetched: every page below its first failure, in order, and that failure.

    `pages` is complete (no gap) up to `failure`'s page; pages above it are dropped.
    """

    pages: list[Page[T]]
    failure: tuple[int, Exception] | None = None


async def fetch_window(
    fetch: Fetch[T], numbers: range, *, fatal: Callable[[Exception], bool]
) -> Window[T]:
    """Fetch pages `numbers` concurrently, in a task group closed before this returns.

    A failing page cancels the fetches of the pages above it (they would come after it
    anyway) and nothing else, so every page below the lowest failure arrives. An error that
    `fatal` says nobody will look past cancels the whole window and is raised, itself rather
    than in a group.
    """
    pages: dict[int, Page[T]] = {}
    failures: dict[int, Exception] = {}
    scopes = {number: anyio.CancelScope() for number in numbers}

    async def fetch_one(number: int) -> None:
        with scopes[number]:
            try:
                pages[number] = await fetch(number)
            except Exception as exc:
                failures[number] = exc
                for other, scope in scopes.items():
                    if other > number or fatal(exc):
                        scope.cancel()

    async with anyio.create_task_group() as tg:
        for number in numbers:
            tg.start_soon(fetch_one, number)
    raised = [number for number in sorted(failures) if fatal(failures[number])]
    if raised:
        raise failures[raised[0]]
    if not failures:
        return Window([pages[number] for number in numbers])
    first = min(failures)
    before = [pages[number] for number in range(numbers.start, first)]
    return Window(before, (first, failures[first]))


# --- the seen keys: dedupe in bounded memory -----------------------------------------------


class SeenKeys:
    """The keys of the rows already yielded: the latest `limit` of them (`SEEN_KEYS`).

    `forgot` turns True once an older key was dropped: from then on a row seen long ago
    may come again, and a walk can no longer read a listing again to find missed rows.
    """

    __slots__ = ("_limit", "_order", "_set", "forgot")

    def __init__(self, limit: int | None = None):
        self._limit = SEEN_KEYS if limit is None else limit
        self._set: set[Hashable] = set()
        self._order: deque[Hashable] = deque()  # oldest first
        self.forgot = False

    def add(self, key: Hashable) -> bool:
        """Remember `key`; whether it is new (not among the remembered keys)."""
        if key in self._set:
            return False
        self._set.add(key)
        self._order.append(key)
        while len(self._order) > self._limit:
            self._set.discard(self._order.popleft())
            self.forgot = True
        return True

    def __contains__(self, key: Hashable) -> bool:
        return key in self._set

    def __len__(self) -> int:
        return len(self._set)


# --- the walk: passes and ends -------------------------------------------------------------


class PassEnd(enum.Enum):
    """How a pass over the listing ended."""

    LAST_PAGE = "its last page"
    PAST_THE_END = "a page past the end of the listing"
    REPEATING = "a window of pages holding only rows already yielded"
    OUTRUN = "its reach or the walk's budget, with the listing announcing more pages"


@attrs.define
class _Pass:
    """One read of the listing from page 1."""

    number: int
    next: int = 1  # the next page to fetch
    last: int | None = None  # the last page to fetch; None: while pages say another follows
    reach: int | None = None  # the furthest page this pass may follow a growing listing to
    more: bool = True  # the latest page said another follows (or announced more pages)
    size: tuple[int | None, int] | None = None  # page 1's (count, total_pages), when known
    resized: bool = False  # a page announced another size than page 1
    changed: str | None = None  # why the listing is known to have changed during this pass
    first_keys: list[Hashable | None] = attrs.Factory(list)
    # The latest page's count, total_pages and keys.
    previous: tuple[int | None, int | None, list[Hashable | None]] | None = None
    page_of: dict[Hashable, int] = attrs.Factory(dict)  # key -> the page it was on
    repeats: set[tuple[Hashable, int, int]] = attrs.Factory(set)  # (key, page, later page)
    end: PassEnd | None = None


# Rows a pass may find on two pages before they count as a change whatever the last pass saw.
_MAX_REPEATS = 1_000


def _grew_at_top(before: list[Hashable | None], after: list[Hashable | None]) -> bool:
    """Whether page 1 `after` is page 1 `before` pushed down by rows new to it."""
    for grown in range(len(after) + 1):
        if any(key in before for key in after[:grown]):
            return False
        if after[grown:] == before[: len(after) - grown]:
            return True
    return False


def _cannot_be_past_the_end(error: Exception) -> bool:
    """A page past the end is a 404 or a 500 on this API: anything else is raised at once."""
    return not (
        isinstance(error, APIStatusError) and (error.status_code == 404 or error.status_code >= 500)
    )


class _Walk(Generic[T]):
    """One walk over a listing. The rules, each stated once:

    1. A pass fetches page 1 alone, then pages 2.. up to its last page: in windows of
       `lookahead` pages on the first pass when the total is known, one page at a time
       otherwise (pages served out of order while rows move would leave gaps again).
    2. The last page is page 1's total. With a key, a pass follows a listing that later
       pages say has grown, up to its reach: twice page 1's total, plus `lookahead`.
       Without a total, a pass reads while each page says another follows.
    3. The walk's requests never exceed its budget (see `Pager`), fixed by the first page 1
       (without a total: by the pages the first pass read).
    4. The listing changed during a pass when a page announced another size than page 1,
       repeated a row of another page (unless the last pass found the very same repeats:
       a listing that overlaps itself), was past the end within the total while page 1
       changed, or held no new row (rule 6); without a total, when page 1 read again at the
       end is not the page 1 the pass began with, pushed down by new rows. Pages read one at
       a time are held to a finer rule: a page that starts with exactly the rows the listing
       grew by since the page before (by `count`; without one, the longest such overlap)
       is no change, since rows added at the top never push a row past the pages read.
    5. A failed page is past the end when it says "Invalid page.", or page 1, read again,
       announces fewer pages; the pass ends before it. Any other failure is raised.
    6. On the first pass, a window of pages holding only rows already yielded ends the
       pass, changed: rows pushed down by a growing listing, or a server repeating itself
       (same size as page 1), which no further pass would read differently.
    7. A pass that saw no change ends the walk, complete. A changed one starts another pass,
       if there is a key, no key was forgotten and fewer than MAX_PASSES were made. A pass
       that ran out of reach or budget, or met a server repeating itself, ends the walk.
       A walk that ends any other way than complete is `incomplete`, and warns.

    Plain objects rather than async generators, so an abandoned iteration holds no frame
    that would need finalising.
    """

    def __init__(
        self,
        fetch: Fetch[T],
        lookahead: int,
        key: Callable[[T], Hashable | None] | None,
    ):
        self._fetch_page = fetch
        self._lookahead = lookahead
        self._key = key
        self.seen = SeenKeys()
        self.incomplete = False
        self.requests = 0
        self.budget: int | None = None  # rule 3; None until the first pass fixes it
        self._pass = _Pass(1)
        self._last_repeats: set[tuple[Hashable, int, int]] = set()
        self._reread: Page[T] | None = None  # page 1, read again to end the previous pass
        self._ready: deque[Page[T]] = deque()
        self._done = False

    async def next_page(self) -> Page[T] | None:
        while not self._ready:
            if self._done:
                return None
            if self._pass.end is None:
                await self._read_more()
            else:
                await self._end_pass()
        return self._ready.popleft()

    async def _fetch(self, number: int) -> Page[T]:
        self.requests += 1
        return await self._fetch_page(number)

    def _pass_budget(self, pages: int) -> int:
        """What a walk may spend: MAX_PASSES passes of `pages` pages, each plus 2 re-reads."""
        reach = 2 * pages + self._lookahead if self._key is not None else pages
        return MAX_PASSES * (reach + 2)

    # -- reading a pass (rules 1, 2, 3, 5, 6)

    async def _read_more(self) -> None:
        current = self._pass
        if current.next == 1:
            first = self._reread or await self._fetch(1)
            self._reread = None
            self._begin(first)
            self._take([first])
            return
        window = self._window()
        if window is None:
            beyond = current.more and current.next > (current.last or 0)
            current.end = PassEnd.OUTRUN if beyond and self._key is not None else PassEnd.LAST_PAGE
            return
        got = await fetch_window(self._fetch, window, fatal=_cannot_be_past_the_end)
        new = self._take(got.pages)
        if got.failure is not None:
            number, error = got.failure
            if not await self._is_past_the_end(number, error):
                raise error
            logger.debug("page %d is past the end of the listing now: it ended there", number)
            current.end = PassEnd.PAST_THE_END
        elif current.number == 1 and not new and any(page.items for page in got.pages):
            current.end = PassEnd.REPEATING  # the pass stops short of its last page:
            self._changed(f"pages {window.start}-{got.pages[-1].page} held no new row")

    def _begin(self, first: Page[T]) -> None:
        current = self._pass
        current.first_keys = self._keys_of(first)
        if first.total_known:
            current.size = (first.count, first.total_pages)
            grows = self._key is not None
            current.reach = 2 * first.total_pages + self._lookahead if grows else first.total_pages
            current.last = first.total_pages
            current.more = first.total_pages > current.reach
            if self.budget is None:
                self.budget = self._pass_budget(first.total_pages)

    def _window(self) -> range | None:
        """The next pages to fetch in this pass, or None when it is over."""
        current = self._pass
        if current.last is not None:
            end, width = current.last, (self._lookahead if current.number == 1 else 1)
        else:
            end, width = (current.next if current.more else current.next - 1), 1
        if self.budget is not None:  # two requests kept for page 1 read again
            width = min(width, self.budget - self.requests - 2)
            if width < 1 and current.next <= end:
                current.last, current.more = current.next - 1, True
                return None
        if current.next > end:
            return None
        return range(current.next, min(end, current.next + width - 1) + 1)

    def _take(self, pages: list[Page[T]]) -> int:
        """Hand `pages` on, without rows already yielded; how many new keys they brought."""
        current = self._pass
        new = 0
        for page in pages:
            expected = self._check(page) if page.page > 1 else ()
            fresh, brought = self._dedupe(page, expected)
            self._ready.append(fresh)
            new += brought
            total = page.total_pages if page.total_known else None
            current.previous = (page.count, total, self._keys_of(page))
        if pages:
            current.next = pages[-1].page + 1
            if current.last is None:
                last = pages[-1]
                current.more = bool(last.items) and last.total_pages > last.page
        return new

    def _check(self, page: Page[T]) -> Collection[Hashable | None]:
        """Rule 4 for `page`, read after the page before it; the rows it may repeat from that.

        Read one after the other (later passes, or no total), two pages of a listing that
        only grew at the top overlap: the page after starts with the last rows of the page
        before, as many as the listing grew by. No row can go missing that way: no change.
        """
        current = self._pass
        count, total, keys = current.previous or (None, None, [])
        if current.size is not None and page.total_known:
            resized = (page.count, page.total_pages) != current.size
            current.resized |= resized
            if current.last is not None and current.reach is not None:
                current.more = page.total_pages > current.reach
                if self._key is not None:
                    current.last = max(current.last, min(page.total_pages, current.reach))
        else:
            resized = False
        sequential = current.number > 1 or current.last is None or self._lookahead == 1
        if not sequential:
            if resized:
                self._changed(f"page {page.page} announced another size than page 1")
            return ()
        after = self._keys_of(page)
        if count is not None and page.count is not None:
            grown = page.count - count
            if not 0 <= grown <= len(keys) or after[:grown] != keys[len(keys) - grown :]:
                self._changed(f"page {page.page} was not the page before it pushed down")
                return ()
        elif total is not None and page.total_known and page.total_pages < total:
            self._changed(f"page {page.page} announced fewer pages than the page before it")
            return ()
        else:
            overlaps = range(min(len(keys), len(after)), -1, -1)
            grown = next(j for j in overlaps if after[:j] == keys[len(keys) - j :])
        return keys[len(keys) - grown :] if grown else ()

    async def _is_past_the_end(self, number: int, error: Exception) -> bool:
        """Whether page `number` failed because the listing shrank below it (rule 5).

        A page past the end is a 500 or 404 on this API, and so is a real crash: page 1,
        read again, tells them apart by its total now. Its "Invalid page." message says it
        outright where the total is not announced (or overstates the rows).
        """
        if number == 1 or not isinstance(error, APIStatusError):
            return False
        current = self._pass
        first = None if "Invalid page." in error.message else await self._fetch(1)
        if first is not None and not (first.total_known and first.total_pages < number):
            return False  # a page the listing still covers: a real failure
        if current.last is not None and number <= current.last:
            # Within the total page 1 announced: the listing shrank, or the total overstates
            # it (the call listings count deleted rows). Page 1 as it was says which.
            first = first or await self._fetch(1)
            if (first.count, first.total_pages) != current.size or (
                self._keys_of(first) != current.first_keys
            ):
                self._changed(f"page {number} was past the end within the total")
                self._reread = first
        return True

    def _dedupe(
        self, page: Page[T], expected: Collection[Hashable | None] = ()
    ) -> tuple[Page[T], int]:
        """The page without rows already yielded, and how many new keys it brought.

        A row also on another page of this pass is a change (rule 4), unless `expected`.
        """
        if self._key is None:
            return page, len(page.items)
        current = self._pass
        kept: list[T] = []
        new = 0
        for item in page.items:
            key = self._key(item)
            if key is None:
                if current.number == 1:  # later passes cannot tell them from yielded ones
                    kept.append(item)
                continue
            if not self.seen.forgot:
                earlier = current.page_of.setdefault(key, page.page)
                repeat = earlier != page.page and key not in expected
                if repeat and len(current.repeats) <= _MAX_REPEATS:
                    pair = sorted((earlier, page.page))
                    current.repeats.add((key, pair[0], pair[1]))
            if self.seen.add(key):
                kept.append(item)
                new += 1
            elif self.seen.forgot and current.number == 1:  # no page to compare: a repeat
                self._changed(f"page {page.page} repeated a row already yielded")
        if self.seen.forgot:
            current.page_of.clear()  # no further pass is possible: stop tracking
        if len(kept) == len(page.items):
            return page, new
        return attrs.evolve(page, items=kept), new

    def _changed(self, why: str) -> None:
        if self._pass.changed is None:
            logger.debug("the listing changed while it was read: %s", why)
            self._pass.changed = why

    def _keys_of(self, page: Page[T]) -> list[Hashable | None]:
        return [self._key(item) for item in page.items] if self._key is not None else []

    # -- between passes (rules 4 and 7)

    async def _end_pass(self) -> None:
        current = self._pass
        if self.budget is None:  # no total: the first pass fixes the budget of the others
            self.budget = self.requests + self._pass_budget(current.next - 1)
        if current.repeats and (
            current.repeats != self._last_repeats or len(current.repeats) > _MAX_REPEATS
        ):
            _, earlier, later = min(current.repeats, key=lambda repeat: repeat[1:])
            self._changed(f"page {later} repeated a row of page {earlier}")
        self._last_repeats = current.repeats
        if current.end is PassEnd.OUTRUN:
            return self._finish(
                f"it grew past page {current.next - 1}, as far as the walk reads "
                f"({self.requests} requests of {self.budget})"
            )
        if current.end is PassEnd.REPEATING and not current.resized:
            return self._finish(f"pages up to {current.next - 1} repeated rows already yielded")
        if (
            current.changed is None
            and current.size is None
            and current.next > 2
            and self._key is not None
            and not self.seen.forgot
        ):
            # Without a total to compare, page 1 read again says whether rows moved (rule 4).
            first = await self._fetch(1)
            if not _grew_at_top(current.first_keys, self._keys_of(first)):
                self._changed("page 1 holds other rows than when the pass began")
                self._reread = first
        if current.changed is None:
            return self._finish(None)
        if self._key is None:
            return self._finish(f"{current.changed}, and without a key it cannot be read again")
        if self.seen.forgot:
            return self._finish(f"{current.changed}, after more than {SEEN_KEYS} rows")
        if current.number >= MAX_PASSES:
            return self._finish(f"{current.changed}, on each of {MAX_PASSES} passes")
        if self.requests + 3 > self.budget and self._reread is None:
            return self._finish(f"{current.changed}, with no requests left for another pass")
        logger.debug("reading the listing again from page 1")
        self._pass = _Pass(current.number + 1)

    def _finish(self, incomplete: str | None) -> None:
        self._done = True
        if incomplete is not None:
            self.incomplete = True
            warnings.warn(
                ListingChangedTooFast(
                    f"the listing changed faster than it could be read ({incomplete}): "
                    "rows may be missing (pager.incomplete is True)"
                ),
                stacklevel=4,
            )


class _Pages(AsyncIterator[Page[T]]):
    def __init__(self, walk: _Walk[T]):
        self._walk = walk

    @property
    def incomplete(self) -> bool:
        return self._walk.incomplete

    async def __anext__(self) -> Page[T]:
        page = await self._walk.next_page()
        if page is None:
            raise StopAsyncIteration
        return page


class _Items(AsyncIterator[T]):
    def __init__(self, walk: _Walk[T]):
        self._walk = walk
        self._items: Iterator[T] = iter(())

    @property
    def incomplete(self) -> bool:
        return self._walk.incomplete

    async def __anext__(self) -> T:
        while True:
            for item in self._items:
                return item
            page = await self._walk.next_page()
            if page is None:
                raise StopAsyncIteration
            self._items = iter(page.items)
