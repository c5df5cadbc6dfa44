"""`watch()` and `wait()`: a running execution's calls as they become final, reading only
what changed.

The execution's grid (`/simulate/test-executions/{id}/`) is ordered by last update, newest
first, filters on `status`, and says the execution's status on every page. The first poll
reads every call. Later polls read the calls in a terminal status (a call that became final
or whose eval ended has just been updated, so it is on top) from page 1 on, only while a page
still ends in rows updated since the previous poll's newest row (the high-water mark, less a
second for late commits); everything further down was read before. Rows that change while a
poll reads move to the top and come at the next poll; while the listing does not shrink, rows
only move down, never past a page already read, so none is skipped; when it shrinks (a rerun
takes a call out of it), the poll reads again. Once the execution is terminal, one row of the
whole grid gives its count, a full read runs only if calls are missing, and what is left is
yielded.

No task is started: each poll's requests run one after another in the caller's task, so
breaking out of the iterator or cancelling it leaves nothing running.
"""

from __future__ import annotations

import functools
import math
from collections.abc import AsyncGenerator, Awaitable, Callable, Sequence
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

import anyio
import attrs

from ._errors import APITimeoutError
from ._tracing import StepSpan
from .models import CallExecution, SimulationExecution, TestExecutionPage
from .resources._shared import check_page_size, eval_names_param, path_id

__all__ = [
    "DEFAULT_POLL_INTERVAL",
    "TERMINAL_CALL_STATUSES",
    "TERMINAL_EXECUTION_STATUSES",
    "AnyioTimer",
    "Grid",
    "Records",
    "Timer",
    "check_poll_interval",
    "is_final",
    "wait",
    "wait_until_terminal",
    "watch",
    "watch_calls",
]

T = TypeVar("T")

DEFAULT_POLL_INTERVAL = 5.0
#: A poll after one that saw changes comes this much sooner (at the fastest).
_SPEEDUP = 4.0
TERMINAL_CALL_STATUSES = frozenset({"completed", "failed", "cancelled"})
TERMINAL_EXECUTION_STATUSES = frozenset({"completed", "failed", "cancelled"})

#: `get_page(page, page_size, final_only)`: one page of the execution's grid, with
#: `final_only` of its calls in a terminal status (the API's `status` filter).
GetPage = Callable[[int, int, bool], Awaitable[TestExecutionPage]]
#: Rows updated this long before the last poll's newest are read again: a row saved just
#: before a poll may become visible only after it (a transaction committing late).
SKEW = timedelta(seconds=1)
#: Reads of one poll when the listing shrinks while it is read (a call rerun leaves the
#: final calls, rows below it move up a page): the poll reads again, at most this often.
_MAX_SCANS = 3


class Timer(Protocol):
    """Where a watcher reads the time and sleeps: anyio's clock, or one a test drives."""

    @property
    def real(self) -> bool:
        """Whether `now` is the event loop's clock, so a deadline can cancel a request."""
        ...

    def now(self) -> float: ...

    async def sleep(self, seconds: float) -> None: ...


@attrs.frozen
class AnyioTimer:
    real: bool = True

    def now(self) -> float:
        return anyio.current_time()

    async def sleep(self, seconds: float) -> None:
        await anyio.sleep(seconds)


def check_poll_interval(poll_interval: object) -> float:
    if (
        isinstance(poll_interval, bool)
        or not isinstance(poll_interval, int | float)
        or not 0 < poll_interval < math.inf
    ):
        raise ValueError(
            f"poll_interval must be a positive number of seconds, got {poll_interval!r}"
        )
    return float(poll_interval)


def check_timeout(timeout: object) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    return float(timeout)


def is_final(call: CallExecution, eval_ids: frozenset[str] | None = None) -> bool:
    """A terminal status and no eval still pending (of `eval_ids`, when given)."""
    if (call.status or "").casefold() not in TERMINAL_CALL_STATUSES:
        return False
    return not any(
        output.is_pending
        for key, output in call.eval_outputs.items()
        if eval_ids is None or key in eval_ids
    )


def _is_terminal(status: str | None) -> bool:
    return (status or "").casefold() in TERMINAL_EXECUTION_STATUSES


@attrs.define
class _Deadline:
    timer: Timer
    at: float | None
    timeout: float | None

    def expired(self) -> APITimeoutError:
        return APITimeoutError(f"the execution did not end within timeout={self.timeout:g}s")

    def remaining(self) -> float | None:
        return None if self.at is None else self.at - self.timer.now()

    async def run(self, request: Callable[[], Awaitable[T]]) -> T:
        """One request, cut off at the deadline (requests keep their own `total_timeout`)."""
        remaining = self.remaining()
        if remaining is None:
            return await request()
        if remaining <= 0:
            raise self.expired()
        if not self.timer.real:
            return await request()
        with anyio.move_on_after(remaining):
            return await request()
        raise self.expired()

    async def sleep(self, seconds: float) -> None:
        remaining = self.remaining()
        if remaining is not None and remaining <= seconds:
            await self.timer.sleep(max(remaining, 0.0))
            raise self.expired()
        await self.timer.sleep(seconds)


@attrs.define
class _Scan:
    """What one read of the listing saw: the freshest copy of each row, the grid's metadata,
    the newest row on page 1 (the next mark) and whether the listing shrank meanwhile."""

    rows: dict[str, CallExecution]
    first: TestExecutionPage
    newest: datetime | None
    shrank: bool


async def _scan(
    get_page: GetPage,
    page_size: int,
    since: datetime | None,
    deadline: _Deadline,
    *,
    final_only: bool,
) -> _Scan:
    """Page 1, then on while the page just read ends in rows at or after `since` (all pages
    when `since` is None). A row read twice (it moved down a page) keeps its later copy.

    Rows only move down while the listing does not shrink (a newer row goes on top), so
    none can slip past the pages read; when a page's count is below the one before, a row
    may have moved up past them, and `shrank` says so.
    """
    rows: dict[str, CallExecution] = {}
    page = 1
    grid = await deadline.run(functools.partial(get_page, 1, page_size, final_only))
    first, count, shrank = grid, grid.count or 0, False
    # Only page 1's newest is a safe mark: rows updated during the read may sit on page 2+.
    stamps = [r.timestamp for r in grid.results if r.timestamp is not None]
    newest = max(stamps) if len(stamps) == len(grid.results) and stamps else None
    while True:
        for row in grid.results:
            if row.id is not None:
                rows.pop(row.id, None)
                rows[row.id] = row
        total = grid.total_pages or 0
        if page >= total or not grid.results:
            break
        last = grid.results[-1].timestamp
        # A row without a timestamp (the docs' shape) could be anything: read on.
        if since is not None and last is not None and last < since:
            break
        page += 1
        grid = await deadline.run(functools.partial(get_page, page, page_size, final_only))
        shrank = shrank or (grid.count or 0) < count
        count = grid.count or 0
    return _Scan(rows, first, newest, shrank)


def _eval_ids(first: TestExecutionPage, eval_names: Sequence[str] | None) -> frozenset[str] | None:
    """The grid's eval columns (config ids) named in `eval_names`, case-insensitively."""
    if eval_names is None:
        return None
    columns = {
        c.id: c.column_name or "" for c in first.column_order if c.type == "evaluation" and c.id
    }
    wanted = {n.casefold() for n in eval_names}
    ids = frozenset(i for i, name in columns.items() if name.casefold() in wanted)
    missing = wanted - {columns[i].casefold() for i in ids}
    if missing:
        known = ", ".join(sorted(repr(n) for n in columns.values())) or "none"
        raise ValueError(
            f"no eval named {', '.join(sorted(missing))} in this execution; its evals: {known}"
        )
    return ids


def _only(call: CallExecution, eval_ids: frozenset[str] | None) -> CallExecution:
    if eval_ids is None:
        return call
    return attrs.evolve(
        call,
        eval_outputs={k: v for k, v in call.eval_outputs.items() if k in eval_ids},
        eval_metrics={k: v for k, v in call.eval_metrics.items() if k in eval_ids},
    )


async def watch_calls(
    get_page: GetPage,
    *,
    poll_interval: float,
    eval_names: Sequence[str] | None,
    seconds: float | None,
    page_size: int,
    timer: Timer,
    execution_id: str | None = None,
) -> AsyncGenerator[CallExecution, None]:
    """The engine of `TestExecutions.watch` (arguments already checked).

    The first poll reads every call; later polls read the calls in a terminal status
    updated since (a `SKEW` before) the newest the previous poll saw, which is where a call
    that became final, or whose eval ended, has moved to.
    """
    # One span for the whole watch (when tracing), the parent of every poll's requests.
    trace = StepSpan("futureagi.watch", **{"futureagi.execution_id": execution_id})
    try:
        deadline = _Deadline(timer, None if seconds is None else timer.now() + seconds, seconds)
        yielded: set[str] = set()
        mark: datetime | None = None
        interval = poll_interval
        eval_ids: frozenset[str] | None = None
        full = True
        while True:
            started = timer.now()
            since = None if full or mark is None else mark - SKEW
            for _ in range(_MAX_SCANS):
                with trace.step():
                    scan = await _scan(get_page, page_size, since, deadline, final_only=not full)
                if not scan.shrank:
                    break
            if full and eval_names is not None and eval_ids is None:
                eval_ids = _eval_ids(scan.first, eval_names)
            terminal = _is_terminal(scan.first.status)
            changed = scan.newest is not None and (mark is None or scan.newest > mark)
            if changed and not scan.shrank:
                mark = scan.newest
            ready = [
                row
                for call_id, row in scan.rows.items()
                if call_id not in yielded and (terminal or is_final(row, eval_ids))
            ]
            for row in ready:
                assert row.id is not None
                yielded.add(row.id)
                yield _only(row, eval_ids)
            if terminal:
                if full:
                    return
                # Every call is final now; one row of the whole listing says if all were seen.
                with trace.step():
                    whole = await deadline.run(functools.partial(get_page, 1, 1, False))
                if len(yielded) >= (whole.count or 0):
                    return
                full = True  # a last full read, at once, for calls that never looked final
                continue
            full = False
            interval = _next_interval(
                interval, poll_interval, finishing=bool(ready), idle=not changed
            )
            await deadline.sleep(max(0.0, started + interval - timer.now()))
    except BaseException as exc:
        trace.end(exc)
        raise
    finally:
        trace.end()  # a return (ending once: after a failure this does nothing)


def _next_interval(interval: float, ceiling: float, *, finishing: bool, idle: bool) -> float:
    """Halve while calls finish (down to a quarter of `ceiling`), double back up to
    `ceiling` while nothing changes, keep the pace otherwise."""
    if finishing:
        return max(ceiling / _SPEEDUP, interval / 2)
    if idle:
        return min(ceiling, interval * 2)
    return interval


class Grid(Protocol):
    """What watching needs of `client.test_executions`: a page of the grid, all calls or
    only those in a terminal status."""

    async def _watch_page(
        self, test_execution_id: str, *, page: int, page_size: int, final_only: bool
    ) -> TestExecutionPage: ...


class Records(Protocol):
    """What waiting needs of `client.simulation`: its `execution`."""

    async def execution(
        self,
        execution_id: str,
        *,
        eval_names: str | Sequence[str] | None = ...,
        summary: bool = ...,
    ) -> SimulationExecution: ...


def _reader(grid: Grid, execution_id: str) -> GetPage:
    async def get_page(page: int, limit: int, final_only: bool) -> TestExecutionPage:
        return await grid._watch_page(
            execution_id, page=page, page_size=limit, final_only=final_only
        )

    return get_page


def watch(
    grid: Grid,
    execution_id: str,
    *,
    poll_interval: float,
    eval_names: str | Sequence[str] | None,
    timeout: float | None,
    page_size: int,
    timer: Timer,
) -> AsyncGenerator[CallExecution, None]:
    """`TestExecutions.watch`: arguments checked now, before any request."""
    path_id(execution_id, "execution_id")
    interval = check_poll_interval(poll_interval)
    seconds = check_timeout(timeout)
    size = check_page_size(page_size)
    names = eval_names_param(eval_names).get("eval_name")
    return watch_calls(
        _reader(grid, execution_id),
        poll_interval=interval,
        eval_names=names.split(",") if names is not None else None,
        seconds=seconds,
        page_size=size,
        timer=timer,
        execution_id=execution_id,
    )


async def wait(
    grid: Grid,
    records: Records,
    execution_id: str,
    *,
    timeout: float | None,  # noqa: ASYNC109 -- the issue's name; a deadline, not a scope
    poll_interval: float,
    eval_names: str | Sequence[str] | None,
    summary: bool,
    timer: Timer,
) -> SimulationExecution:
    """`TestExecutions.wait`: until the execution is terminal, then its `/sdk/` record."""
    path_id(execution_id, "execution_id")
    interval = check_poll_interval(poll_interval)
    seconds = check_timeout(timeout)
    eval_names_param(eval_names)
    started = timer.now()
    await wait_until_terminal(
        _reader(grid, execution_id), poll_interval=interval, seconds=seconds, timer=timer
    )
    deadline = _Deadline(timer, None if seconds is None else started + seconds, seconds)
    return await deadline.run(
        functools.partial(records.execution, execution_id, eval_names=eval_names, summary=summary)
    )


async def wait_until_terminal(
    get_page: GetPage, *, poll_interval: float, seconds: float | None, timer: Timer
) -> TestExecutionPage:
    """Poll one row of the grid until the execution is terminal; that last page."""
    deadline = _Deadline(timer, None if seconds is None else timer.now() + seconds, seconds)
    mark: datetime | None = None
    interval = poll_interval
    while True:
        started = timer.now()
        grid = await deadline.run(functools.partial(get_page, 1, 1, False))
        if _is_terminal(grid.status):
            return grid
        row = grid.results[0] if grid.results else None
        newest = row.timestamp if row is not None else None
        changed = newest is not None and (mark is None or newest > mark)
        mark = newest if changed else mark
        # The newest row just became final: calls are finishing, the end may be near.
        finishing = changed and row is not None and is_final(row)
        interval = _next_interval(interval, poll_interval, finishing=finishing, idle=not changed)
        await deadline.sleep(max(0.0, started + interval - timer.now()))
