"""Test executions: `GET /simulate/test-executions/{id}/`, one execution's grid of calls."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .._convert import structure
from .._errors import FilterNotAppliedError
from .._filters import Filter, encode_filters
from .._pager import Page, Pager
from ..models import CallExecution, TestExecutionPage
from ._base import Resource
from ._shared import check_page, check_page_size, make_page, path_id

__all__ = ["TestExecutions"]


class TestExecutions(Resource):
    """`client.test_executions`."""

    async def get_page(
        self,
        test_execution_id: str,
        *,
        page: int = 1,
        page_size: int | None = None,
        search: str | None = None,
        filters: Sequence[Filter] | None = None,
        row_groups: Sequence[str] | None = None,
        group_keys: Sequence[str] | None = None,
    ) -> TestExecutionPage:
        """One page of the grid with its metadata (`status`, `column_order`, ...).

        A missing execution raises `NotFoundError` (the API itself answers 500).
        Filters the API could not apply are listed in `error_messages`, not raised.
        """
        path, params = self._request(test_execution_id, page_size, search, filters)
        if row_groups:
            params["row_groups"] = _json_list(row_groups, "row_groups")
        if group_keys:
            params["group_keys"] = _json_list(group_keys, "group_keys")
        params["page"] = str(check_page(page))
        return await self._get(path, params, TestExecutionPage)

    def calls(
        self,
        test_execution_id: str,
        *,
        search: str | None = None,
        filters: Sequence[Filter] | None = None,
        page_size: int | None = None,
    ) -> Pager[CallExecution]:
        """Every call of one execution, most recently updated first.

        Raises `FilterNotAppliedError` if the API dropped one of `filters` (it answers 200
        and lists why in `error_messages`), rather than yielding unfiltered rows.
        """
        path, params = self._request(test_execution_id, page_size, search, filters)
        limit = int(params["limit"])

        def read_page(body: Any, page: int) -> Page[CallExecution]:
            grid = structure(body, TestExecutionPage)
            if filters and grid.error_messages:
                raise FilterNotAppliedError(list(grid.error_messages))
            return _grid_page(grid, page=page, page_size=limit)

        return self._list(path, params, CallExecution, key=_id_of, read_page=read_page)

    def _request(
        self,
        test_execution_id: str,
        page_size: int | None,
        search: str | None,
        filters: Sequence[Filter] | None,
    ) -> tuple[str, dict[str, str]]:
        path = f"simulate/test-executions/{path_id(test_execution_id, 'test_execution_id')}/"
        params = {"limit": str(check_page_size(page_size))}
        if search:
            params["search"] = search
        if filters:
            params["filters"] = encode_filters(filters)
        return path, params


def _grid_page(grid: TestExecutionPage, *, page: int, page_size: int) -> Page[CallExecution]:
    return make_page(
        grid.results, page=page, page_size=page_size, count=grid.count, total_pages=grid.total_pages
    )


def _json_list(values: Sequence[Any], name: str) -> str:
    if isinstance(values, str) or not all(isinstance(v, str) for v in values):
        raise ValueError(f"{name} must be a list of strings, got {values!r}")
    return json.dumps(list(values), separators=(",", ":"))


def _id_of(item: CallExecution) -> str | None:
    return item.id
