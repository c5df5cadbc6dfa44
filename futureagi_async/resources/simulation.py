"""Simulation runs: `GET /sdk/api/v1/simulation/runs/`, the SDK's run records with eval results.

One endpoint, three modes picked by which id is given; its bodies come wrapped in
`{"status": true, "result": ...}`, which the pipeline unwraps.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, overload

import attrs

from .._errors import ResponseDecodeError
from .._fanout import BoundedMap, Outcome, ProgressCallback
from .._json import preview
from .._pager import Page, Pager
from ..models import SimulationCall, SimulationExecution
from ._base import Resource
from ._shared import (
    SDK_CALLS_PAGE_SIZE,
    SDK_RUNS_PAGE_SIZE,
    check_page_size,
    eval_names_param,
    many,
    page_from,
    path_id,
)

__all__ = ["Simulation"]

_PATH = "sdk/api/v1/simulation/runs/"

EvalNames = str | Sequence[str] | None


class Simulation(Resource):
    """`client.simulation`. `eval_names` keeps only those evals (names, case-insensitive on
    outputs but exact on `eval_results`, as the API does)."""

    def runs(
        self, run_test_name: str, *, eval_names: EvalNames = None, page_size: int | None = None
    ) -> Pager[SimulationExecution]:
        """Every execution of the run test(s) with this exact name, newest first. Pages of
        500 unless `page_size` says otherwise."""
        if not isinstance(run_test_name, str) or not run_test_name.strip():
            raise ValueError(f"run_test_name must be a non-blank string, got {run_test_name!r}")
        limit = check_page_size(page_size, SDK_RUNS_PAGE_SIZE)
        params = {"run_test_name": run_test_name, "limit": str(limit)}
        params |= eval_names_param(eval_names)
        return self._list(
            _PATH, params, SimulationExecution, template=_PATH, key=_execution_key, wrapped=True
        )

    async def execution(
        self, execution_id: str, *, eval_names: EvalNames = None, summary: bool = False
    ) -> SimulationExecution:
        """One execution: counts, eval results, the first page of its calls, and with
        `summary=True` the clustered failure explanations."""
        # No `limit`: the record's first page of calls is the backend's default (10);
        # `execution_calls` reads all of them.
        params = {"execution_id": path_id(execution_id, "execution_id")}
        params |= eval_names_param(eval_names)
        if summary:
            params["summary"] = "true"
        return await self._get(_PATH, params, SimulationExecution, template=_PATH, wrapped=True)

    @overload
    def execution_many(
        self,
        execution_ids: Iterable[str],
        *,
        eval_names: EvalNames = ...,
        summary: bool = ...,
        concurrency: int = ...,
        ordered: bool = ...,
        return_exceptions: Literal[False] = ...,
        progress: ProgressCallback | None = ...,
    ) -> BoundedMap[SimulationExecution]: ...

    @overload
    def execution_many(
        self,
        execution_ids: Iterable[str],
        *,
        eval_names: EvalNames = ...,
        summary: bool = ...,
        concurrency: int = ...,
        ordered: bool = ...,
        return_exceptions: Literal[True],
        progress: ProgressCallback | None = ...,
    ) -> BoundedMap[Outcome[str, SimulationExecution]]: ...

    def execution_many(
        self,
        execution_ids: Iterable[str],
        *,
        eval_names: EvalNames = None,
        summary: bool = False,
        concurrency: int = 16,
        ordered: bool = False,
        return_exceptions: bool = False,
        progress: ProgressCallback | None = None,
    ) -> BoundedMap[Any]:
        """`execution` for many ids, `concurrency` at a time; see `RunTests.get_many`."""

        async def fetch(one: str) -> SimulationExecution:
            return await self.execution(one, eval_names=eval_names, summary=summary)

        return many(
            fetch,
            execution_ids,
            "execution_id",
            concurrency=concurrency,
            ordered=ordered,
            return_exceptions=return_exceptions,
            progress=progress,
        )

    def execution_calls(
        self, execution_id: str, *, eval_names: EvalNames = None, page_size: int | None = None
    ) -> Pager[SimulationCall]:
        """Every call of one execution with its raw eval outputs. Pages of 500 unless
        `page_size` says otherwise."""
        execution_id = path_id(execution_id, "execution_id")
        limit = check_page_size(page_size, SDK_CALLS_PAGE_SIZE)
        params = {"execution_id": execution_id, "limit": str(limit)}
        params |= eval_names_param(eval_names)

        def read_page(body: Any, page: int) -> Page[SimulationCall]:
            if not isinstance(body, Mapping) or not isinstance(body.get("call_results"), Mapping):
                raise ResponseDecodeError(
                    "an execution record without a call_results object", body=preview(body)
                )
            calls = page_from(body["call_results"], SimulationCall, page=page, page_size=limit)
            # The rows don't repeat their execution's id; fill it so each row stands alone.
            items = [
                c if c.execution_id else attrs.evolve(c, execution_id=execution_id)
                for c in calls.items
            ]
            return attrs.evolve(calls, items=items)

        return self._list(
            _PATH,
            params,
            SimulationCall,
            template=_PATH,
            key=_call_key,
            wrapped=True,
            read_page=read_page,
        )

    async def call(self, call_execution_id: str, *, eval_names: EvalNames = None) -> SimulationCall:
        """One call with its eval outputs, latency and cost."""
        params = {"call_execution_id": path_id(call_execution_id, "call_execution_id")}
        params |= eval_names_param(eval_names)
        return await self._get(_PATH, params, SimulationCall, template=_PATH, wrapped=True)

    @overload
    def call_many(
        self,
        call_execution_ids: Iterable[str],
        *,
        eval_names: EvalNames = ...,
        concurrency: int = ...,
        ordered: bool = ...,
        return_exceptions: Literal[False] = ...,
        progress: ProgressCallback | None = ...,
    ) -> BoundedMap[SimulationCall]: ...

    @overload
    def call_many(
        self,
        call_execution_ids: Iterable[str],
        *,
        eval_names: EvalNames = ...,
        concurrency: int = ...,
        ordered: bool = ...,
        return_exceptions: Literal[True],
        progress: ProgressCallback | None = ...,
    ) -> BoundedMap[Outcome[str, SimulationCall]]: ...

    def call_many(
        self,
        call_execution_ids: Iterable[str],
        *,
        eval_names: EvalNames = None,
        concurrency: int = 16,
        ordered: bool = False,
        return_exceptions: bool = False,
        progress: ProgressCallback | None = None,
    ) -> BoundedMap[Any]:
        """`call` for many ids, `concurrency` at a time; see `RunTests.get_many`."""

        async def fetch(one: str) -> SimulationCall:
            return await self.call(one, eval_names=eval_names)

        return many(
            fetch,
            call_execution_ids,
            "call_execution_id",
            concurrency=concurrency,
            ordered=ordered,
            return_exceptions=return_exceptions,
            progress=progress,
        )


def _execution_key(item: SimulationExecution) -> str | None:
    return item.execution_id


def _call_key(item: SimulationCall) -> str | None:
    return item.call_execution_id
