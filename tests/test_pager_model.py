"""The pager against a model of a listing that changes between and during page fetches.

A hypothesis `RuleBasedStateMachine` owns everything that happens: the listing (rows newest
first, served truthfully in pages), every change to it (rows added at the top, deleted,
moved to the top, cut by more than a window, or grown faster than the walk reads), and the
order in which the pager's concurrent requests are answered: each request waits until a rule
answers it (from the listing as it is then), fails it with a 500, or lets it be cancelled.
Page numbers past the end fail as the API fails them: a 404 "Invalid page." or a 500.

The walk runs in an event loop of its own (an anyio blocking portal, asyncio or trio); after
each rule the machine waits until every task there is blocked, so nothing runs by chance.

Invariants: the walk ends within its stated request budget; no row comes twice; every row
present for the whole walk comes, or the pager says it could not keep up (`incomplete`,
`ListingChangedTooFast`); only the library's typed errors escape.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import os
from contextlib import AbstractContextManager
from typing import Any

import anyio
import anyio.from_thread
import attrs
import pytest
import sniffio
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from futureagi_async import FutureAGIError, ListingChangedTooFast, NotFoundError, ServerError
from futureagi_async._pager import MAX_PASSES, Page, Pager

# Enough to find the old pager's KeyError (defect 1) on every run, within ~10 s a backend;
# FUTUREAGI_MODEL_EXAMPLES=5000 for a long run.
MAX_EXAMPLES = int(os.environ.get("FUTUREAGI_MODEL_EXAMPLES", "350"))
STEPS = 40


async def settle() -> None:
    """Return once every other task in this loop waits on something (no sleeping)."""
    if sniffio.current_async_library() == "trio":
        import trio.testing

        await trio.testing.wait_all_tasks_blocked()
        return
    this, loop = asyncio.current_task(), asyncio.get_running_loop()
    while True:
        await asyncio.sleep(0)
        # Blocked: each task waits on a future not yet done, and no callback is due to run.
        waiting = (
            getattr(task, "_fut_waiter", None) for task in asyncio.all_tasks() if task is not this
        )
        if all(w is not None and not w.done() for w in waiting) and not loop._ready:  # type: ignore[attr-defined]
            return


@attrs.define(eq=False)
class Request:
    """A page request the machine has not answered yet."""

    page: int
    answered: anyio.Event = attrs.Factory(anyio.Event)
    result: Page[int] | None = None
    error: Exception | None = None


class Listing:
    """Rows newest first, served truthfully; every request waits for the machine."""

    def __init__(self, rows: int, page_size: int, past_the_end: str):
        self.rows = list(range(rows))
        self.next_row = rows
        self.page_size = page_size
        self.past_the_end = past_the_end
        self.pending: list[Request] = []
        self.requests = 0
        self.first_total: int | None = None

    async def fetch(self, page: int) -> Page[int]:
        self.requests += 1
        request = Request(page)
        self.pending.append(request)
        try:
            await request.answered.wait()
        finally:
            if request in self.pending:  # cancelled before its answer
                self.pending.remove(request)
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def answer(self, request: Request) -> None:
        """Answer from the listing as it is now."""
        self.pending.remove(request)
        size, page = self.page_size, request.page
        chunk = self.rows[(page - 1) * size : page * size]
        if not chunk and page > 1:
            if self.past_the_end == "docs-404":
                request.error = NotFoundError("Invalid page.", status_code=404)
            else:
                request.error = ServerError("Unable to fetch simulation runs.", status_code=500)
        else:
            total = math.ceil(len(self.rows) / size)
            if page == 1 and self.first_total is None:
                self.first_total = total
            request.result = Page(chunk, page=page, total_pages=total, count=len(self.rows))
        request.answered.set()

    def fail(self, request: Request) -> None:
        """A real server failure, whatever the page."""
        self.pending.remove(request)
        request.error = ServerError("A server error occurred.", status_code=500)
        request.answered.set()

    def by_page(self) -> list[Request]:
        """The requests waiting, in an order that does not depend on the scheduler's."""
        return sorted(self.pending, key=lambda request: request.page)

    def fresh(self, n: int) -> list[int]:
        rows = list(range(self.next_row, self.next_row + n))
        self.next_row += n
        return rows


class PagerModel(RuleBasedStateMachine):
    backend = "asyncio"

    def __init__(self) -> None:
        super().__init__()
        self._portal_cm: AbstractContextManager[anyio.from_thread.BlockingPortal] = (
            anyio.from_thread.start_blocking_portal(self.backend)
        )
        self.portal = self._portal_cm.__enter__()
        self.listing = Listing(0, 1, "docs-404")
        self.lookahead = 1
        self.pager: Pager[int] = Pager(self.listing.fetch)
        self.walk: concurrent.futures.Future[None] | None = None
        self.yielded: list[int] = []
        self.present: set[int] = set()
        self.error: BaseException | None = None
        self.done = False
        self.faulted = False

    # -- the walk, in the portal's loop

    async def _consume(self) -> None:
        try:
            async for page in self.pager.pages():
                self.yielded.extend(page.items)
        except Exception as exc:  # checked by the invariants: typed errors only
            self.error = exc
        finally:
            self.done = True

    def _step(self, action: Any = None, *args: Any) -> None:
        async def run() -> None:
            if action is not None:
                action(*args)
            await settle()

        self.portal.call(run)

    @initialize(
        rows=st.integers(0, 40),
        page_size=st.integers(1, 4),
        lookahead=st.integers(1, 4),
        past_the_end=st.sampled_from(["docs-404", "backend-500"]),
    )
    def start(self, rows: int, page_size: int, lookahead: int, past_the_end: str) -> None:
        self.listing = Listing(rows, page_size, past_the_end)
        self.present = set(self.listing.rows)
        self.lookahead = lookahead
        self.pager = Pager(self.listing.fetch, lookahead=lookahead, key=lambda row: row)
        self.walk = self.portal.start_task_soon(self._consume)
        self._step()

    # -- the server answers, in any order

    @precondition(lambda self: bool(self.listing.pending))
    @rule(which=st.integers(0, 15))
    def answer(self, which: int) -> None:
        pending = self.listing.by_page()
        self._step(self.listing.answer, pending[which % len(pending)])

    @precondition(lambda self: bool(self.listing.pending))
    @rule()
    def answer_the_furthest(self) -> None:
        self._step(self.listing.answer, self.listing.by_page()[-1])

    @precondition(lambda self: bool(self.listing.pending))
    @rule(backwards=st.booleans())
    def answer_every_one(self, backwards: bool) -> None:
        """The whole window answered at once, from the same listing, in either order."""
        for request in sorted(self.listing.by_page(), key=lambda r: r.page, reverse=backwards):
            if request in self.listing.pending:
                self._step(self.listing.answer, request)

    @precondition(lambda self: bool(self.listing.pending))
    @rule(which=st.integers(0, 15), fault=st.integers(0, 3))
    def fail(self, which: int, fault: int) -> None:
        """A real 500 now and then (one time in four), else an answer."""
        request = self.listing.by_page()[which % len(self.listing.pending)]
        if fault:
            return self._step(self.listing.answer, request)
        self.faulted = True
        self._step(self.listing.fail, request)

    # -- the listing changes

    @rule(n=st.integers(1, 3))
    def insert_at_the_top(self, n: int) -> None:
        self.listing.rows[:0] = self.listing.fresh(n)

    @precondition(lambda self: bool(self.listing.rows))
    @rule(where=st.integers(0, 100))
    def delete(self, where: int) -> None:
        row = self.listing.rows.pop(where % len(self.listing.rows))
        self.present.discard(row)

    @precondition(lambda self: bool(self.listing.rows))
    @rule(where=st.integers(0, 100))
    def move_to_the_top(self, where: int) -> None:
        rows = self.listing.rows
        rows.insert(0, rows.pop(where % len(rows)))

    @precondition(lambda self: len(self.listing.rows) > self.listing.page_size)
    @rule(keep=st.integers(0, 4))
    def shrink_past_the_window(self, keep: int) -> None:
        """Delete the newest rows, down to `keep`: pages in flight fall past the end."""
        rows = self.listing.rows
        gone = rows[: max(0, len(rows) - keep)]
        del rows[: len(gone)]
        self.present.difference_update(gone)

    @rule()
    def grow_faster_than_the_walk(self) -> None:
        """More than a page of new rows: every page read pushes the end further away."""
        self.listing.rows[:0] = self.listing.fresh(self.listing.page_size * 2)

    # -- what must always hold

    @invariant()
    def within_the_budget(self) -> None:
        total = self.listing.first_total
        if total is None:
            assert self.listing.requests <= 1
            return
        budget = MAX_PASSES * (2 * total + self.lookahead + 2)
        assert self.listing.requests <= budget, (self.listing.requests, budget)

    @invariant()
    def no_row_twice(self) -> None:
        assert len(self.yielded) == len(set(self.yielded))

    @invariant()
    def only_typed_errors(self) -> None:
        assert self.error is None or isinstance(self.error, FutureAGIError), repr(self.error)

    def teardown(self) -> None:
        try:
            if self.walk is not None:
                self._finish_the_walk()
        finally:
            self._portal_cm.__exit__(None, None, None)

    def _finish_the_walk(self) -> None:
        """The listing holds still; the server answers in order until the walk ends."""
        for _ in range(10_000):
            if self.done or not self.listing.pending:
                break
            self._step(self.listing.answer, self.listing.by_page()[0])
        assert self.done, "the walk waits for nothing and does not end"
        self.within_the_budget()
        self.no_row_twice()
        self.only_typed_errors()
        if self.error is not None:
            # Told, not silent. A 500 past the end looks like a real one once the listing has
            # grown back over that page by the time page 1 is read again to tell them apart.
            ambiguous = self.listing.past_the_end == "backend-500"
            told = self.faulted or (ambiguous and isinstance(self.error, ServerError))
            assert told or isinstance(self.error, ListingChangedTooFast)
            return
        missing = self.present - set(self.yielded)
        told = getattr(self.pager, "incomplete", False)
        assert not missing or told, f"rows {sorted(missing)} never came, and nobody was told"


@pytest.mark.parametrize("backend", ["asyncio", "trio"])
def test_the_pager_against_a_changing_listing(backend: str) -> None:
    machine = type(f"PagerModel_{backend}", (PagerModel,), {"backend": backend})
    run_state_machine_as_test(
        machine,
        settings=settings(
            max_examples=MAX_EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
