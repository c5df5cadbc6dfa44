"""Test executions: `GET /simulate/test-executions/{id}/`, one execution's grid of calls."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator, Sequence
from typing import Any

from .._convert import structure
from .._errors import FilterNotAppliedError, ServerError
from .._filters import Filter, Filters, as_filters, check_columns, encode_filters
from .._live import DEFAULT_POLL_INTERVAL, TERMINAL_CALL_STATUSES, AnyioTimer, wait, watch
from .._pager import Page, Pager
from ..models import CallExecution, SimulationExecution, TestExecutionPage
from ._base import Resource
from ._shared import (
    DEFAULT_PAGE_SIZE,
    GRID_PAGE_SIZE,
    check_page,
    check_page_size,
    make_page,
    path_id,
)

_FINAL_ONLY = encode_filters([Filter("status", "text", "in", sorted(TERMINAL_CALL_STATUSES))])

__all__ = ["TestExecutions"]

_TEMPLATE = "simulate/test-executions/{test_execution_id}/"


class TestExecutions(Resource):
    """`client.test_executions`."""

    async def get_page(
        self,
        test_execution_id: str,
        *,
        page: int = 1,
        page_size: int | None = None,
        search: str | None = None,
        filters: Filters | None = None,
        row_groups: Sequence[str] | None = None,
        group_keys: Sequence[str] | None = None,
    ) -> TestExecutionPage:
        """One page of the grid with its metadata (`status`, `column_order`, ...); pages
        are of 50 rows unless `page_size` says otherwise.

        A missing execution raises `NotFoundError` (the API itself answers 500).
        Filters are checked as in `calls`; ones the API could not apply are listed in
        `error_messages`, not raised.

        `row_groups` (grouped mode) is broken on the backend: it answers 500 to every
        request with `row_groups`, whatever the columns. That 500 is raised as a
        `ServerError` saying so; page without `row_groups` and group the rows yourself.
        """
        path, params = self._request(test_execution_id, page_size, search, DEFAULT_PAGE_SIZE)
        wanted = as_filters(filters)
        if row_groups:
            params["row_groups"] = _json_list(row_groups, "row_groups")
        if group_keys:
            params["group_keys"] = _json_list(group_keys, "group_keys")
        params["page"] = str(check_page(page))
        if wanted:
            params |= await self._checked_filters(path, wanted)
        try:
            return await self._get(path, params, TestExecutionPage, template=_TEMPLATE)
        except ServerError as exc:
            if row_groups:
                raise _grouped_mode_broken(exc) from exc
            raise

    def calls(
        self,
        test_execution_id: str,
        *,
        search: str | None = None,
        filters: Filters | None = None,
        page_size: int | None = None,
    ) -> Pager[CallExecution]:
        """Every call of one execution, most recently updated first, in pages of 200 unless
        `page_size` says otherwise.

        `filters` are `Filter`s or dicts in the docs' or the backend's form. Before the
        first page, one request (of one row) reads the grid's columns to check them: the
        API silently ignores a filter on a column it does not know, so that raises
        `FilterColumnError` (a `ValueError`) naming the columns it knows. A boolean filter
        on a Pass/Fail eval column is sent as the text filter that works.
        Raises `FilterNotAppliedError` if the API dropped one of `filters` (it answers 200
        and lists why in `error_messages`), rather than yielding unfiltered rows.
        """
        path, params = self._request(test_execution_id, page_size, search, GRID_PAGE_SIZE)
        limit = int(params["limit"])
        wanted = as_filters(filters)

        def read_page(body: Any, page: int) -> Page[CallExecution]:
            grid = structure(body, TestExecutionPage)
            if wanted and grid.error_messages:
                raise FilterNotAppliedError(list(grid.error_messages))
            return _grid_page(grid, page=page, page_size=limit)

        async def checked_filters() -> dict[str, str]:
            return await self._checked_filters(path, wanted)

        return self._list(
            path,
            params,
            CallExecution,
            template=_TEMPLATE,
            key=_id_of,
            read_page=read_page,
            first_params=checked_filters if wanted else None,
        )

    def watch(
        self,
        execution_id: str,
        *,
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        eval_names: str | Sequence[str] | None = None,
        timeout: float | None = None,
        page_size: int = GRID_PAGE_SIZE,
    ) -> AsyncGenerator[CallExecution, None]:
        """Every call of the execution exactly once, as soon as it is final; then stop.

        Final means a terminal status (`completed`, `failed`, `cancelled`) and no eval (of
        `eval_names`, when given; the calls' other evals are left out) still pending. The
        iterator ends when the execution is terminal and every call has been yielded; a call
        still unfinished then is yielded as it is. A call rerun after it was yielded is not
        yielded again (read it with `client.simulation.call`), and calls created after the
        execution ended are never yielded. It relies on a call's `timestamp` moving with
        every change; a change committed more than a second late is caught only by the
        count check at the end.

        Each poll reads only what changed: the grid is ordered by last update, so after a
        first poll that reads every call, a poll reads page 1 of the calls in a terminal
        status (the `status` filter) and goes on only while a page still ends in rows
        updated since the previous poll (less a second, for late commits).
        **Requests per poll: at most `1 + changed // page_size`**, `changed` counting the
        calls that became final or changed while final since a second before the previous
        poll, plus the newest row it saw; a poll that sees that listing shrink (a call
        rerun moves rows up a page) reads it again, at most three times in all; the poll
        that sees the execution end adds one request (one row, for the count) and, only
        if calls are missing, a read of every page. Polls come `poll_interval` seconds
        apart while nothing changes and down to a quarter of that while calls finish, so
        a call is yielded within `poll_interval` (plus the poll's own requests) of
        becoming final.

        Raises `ValueError` for a bad `poll_interval`, `timeout` or id before any request,
        `NotFoundError` at the first poll for an unknown execution, `APITimeoutError` once
        `timeout` seconds (overall; each request keeps the client's `total_timeout`) pass
        before the execution ends. Starts no task: `break` or cancellation leaves nothing
        running; close it with `contextlib.aclosing` to release it at once.
        """
        return watch(
            self,
            execution_id,
            poll_interval=poll_interval,
            eval_names=eval_names,
            timeout=timeout,
            page_size=page_size,
            timer=AnyioTimer(),
        )

    async def wait(
        self,
        execution_id: str,
        *,
        timeout: float | None = None,  # noqa: ASYNC109 -- an overall deadline, the issue's name
        poll_interval: float = DEFAULT_POLL_INTERVAL,
        eval_names: str | Sequence[str] | None = None,
        summary: bool = False,
    ) -> SimulationExecution:
        """Wait until the execution is terminal; its final `/sdk/` record (counts and eval
        results, as `client.simulation.execution` gives it).

        One request of one row per poll, `poll_interval` apart while nothing changes and
        down to a quarter of that while calls finish; then one request for the record.
        Raises as `watch` does (`ValueError`, `NotFoundError`, `APITimeoutError`).
        """
        from .simulation import Simulation

        return await wait(
            self,
            Simulation(self._pipeline),
            execution_id,
            timeout=timeout,
            poll_interval=poll_interval,
            eval_names=eval_names,
            summary=summary,
            timer=AnyioTimer(),
        )

    async def _watch_page(
        self, test_execution_id: str, *, page: int, page_size: int, final_only: bool
    ) -> TestExecutionPage:
        """A page for `watch`: with `final_only`, of the calls in a terminal status only
        (`status` is a built-in column, so the filter needs no check against the grid)."""
        path, params = self._request(test_execution_id, page_size, None, GRID_PAGE_SIZE)
        params["page"] = str(page)
        if final_only:
            params["filters"] = _FINAL_ONLY
        return await self._get(path, params, TestExecutionPage, template=_TEMPLATE)

    def _request(
        self, test_execution_id: str, page_size: int | None, search: str | None, default: int
    ) -> tuple[str, dict[str, str]]:
        path = f"simulate/test-executions/{path_id(test_execution_id, 'test_execution_id')}/"
        params = {"limit": str(check_page_size(page_size, default))}
        if search:
            params["search"] = search
        return path, params

    async def _checked_filters(self, path: str, filters: Sequence[Filter]) -> dict[str, str]:
        """The `filters` parameter, checked against the grid's columns (one row's page)."""
        grid = await self._get(
            path, {"limit": "1", "page": "1"}, TestExecutionPage, template=_TEMPLATE
        )
        return {"filters": encode_filters(check_columns(filters, grid.column_order))}


def _grid_page(grid: TestExecutionPage, *, page: int, page_size: int) -> Page[CallExecution]:
    return make_page(
        grid.results, page=page, page_size=page_size, count=grid.count, total_pages=grid.total_pages
    )


def _grouped_mode_broken(exc: ServerError) -> ServerError:
    return ServerError(
        "grouped mode (row_groups) is broken on the backend: it answers 500 to every "
        "row_groups request. Read the rows without row_groups and group them yourself. "
        f"The backend said: {exc.message}",
        status_code=exc.status_code,
        code=exc.code,
        body=exc.body,
        details=exc.details,
        method=exc.method,
        url=exc.url,
        retries=exc.retries,
        request_id=exc.request_id,
    )


def _json_list(values: Sequence[Any], name: str) -> str:
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{name} must be a list of strings, got {values!r}")
    return json.dumps(list(values), separators=(",", ":"))


def _id_of(item: CallExecution) -> str | None:
    return item.id
