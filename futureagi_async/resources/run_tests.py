"""Run tests: `GET /simulate/run-tests/`, its detail, and the calls across all its runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal, overload

from .._fanout import BoundedMap, Outcome, ProgressCallback
from .._pager import Pager
from ..models import CallExecution, RunTest
from ._base import Resource
from ._shared import CALLS_PAGE_SIZE, RUN_TESTS_PAGE_SIZE, check_page_size, many, path_id

__all__ = ["RunTests"]

SimulationType = Literal["agent_definition", "prompt"]
_SIMULATION_TYPES = ("agent_definition", "prompt")


class RunTests(Resource):
    """`client.run_tests`."""

    def list(
        self,
        *,
        search: str | None = None,
        simulation_type: SimulationType | None = None,
        prompt_template_id: str | None = None,
        page_size: int | None = None,
    ) -> Pager[RunTest]:
        """Every run test, newest first. `search` matches the name or the agent's name.
        Pages of 100 unless `page_size` says otherwise."""
        params = {"limit": str(check_page_size(page_size, RUN_TESTS_PAGE_SIZE))}
        if search:
            params["search"] = search
        if simulation_type is not None:
            if simulation_type not in _SIMULATION_TYPES:
                raise ValueError(
                    f"simulation_type must be one of {_SIMULATION_TYPES}, got {simulation_type!r}"
                )
            params["simulation_type"] = simulation_type
        if prompt_template_id is not None:
            # The API ignores this filter unless simulation_type is "prompt"; say so instead.
            if simulation_type != "prompt":
                raise ValueError(
                    "prompt_template_id filters prompt runs only: also pass "
                    "simulation_type='prompt'"
                )
            params["prompt_template_id"] = path_id(prompt_template_id, "prompt_template_id")
        return self._list(
            "simulate/run-tests/", params, RunTest, template="simulate/run-tests/", key=_id_of
        )

    async def get(self, run_test_id: str) -> RunTest:
        """One run test. Its `last_run_at` is always None here: only the listing computes it."""
        path = f"simulate/run-tests/{path_id(run_test_id, 'run_test_id')}/"
        return await self._get(path, {}, RunTest, template="simulate/run-tests/{run_test_id}/")

    @overload
    def get_many(
        self,
        run_test_ids: Iterable[str],
        *,
        concurrency: int = ...,
        ordered: bool = ...,
        return_exceptions: Literal[False] = ...,
        progress: ProgressCallback | None = ...,
    ) -> BoundedMap[RunTest]: ...

    @overload
    def get_many(
        self,
        run_test_ids: Iterable[str],
        *,
        concurrency: int = ...,
        ordered: bool = ...,
        return_exceptions: Literal[True],
        progress: ProgressCallback | None = ...,
    ) -> BoundedMap[Outcome[str, RunTest]]: ...

    def get_many(
        self,
        run_test_ids: Iterable[str],
        *,
        concurrency: int = 16,
        ordered: bool = False,
        return_exceptions: bool = False,
        progress: ProgressCallback | None = None,
    ) -> BoundedMap[Any]:
        """`get` for many ids, `concurrency` at a time, as they complete (or in order).

        `async with client.run_tests.get_many(ids) as results: async for run_test in results`.
        The first error cancels the rest and is raised, unless `return_exceptions=True`
        makes every item an `Outcome` with its value or its error.
        """
        return many(
            self.get,
            run_test_ids,
            "run_test_id",
            concurrency=concurrency,
            ordered=ordered,
            return_exceptions=return_exceptions,
            progress=progress,
        )

    def call_executions(
        self,
        run_test_id: str,
        *,
        search: str | None = None,
        status: str | None = None,
        page_size: int | None = None,
    ) -> Pager[CallExecution]:
        """Every call of every execution of a run test, rerun snapshots included.

        Newest activity first. `status` is an exact, case-sensitive match (`"completed"`).
        Pages of 100 unless `page_size` says otherwise.
        """
        path = f"simulate/run-tests/{path_id(run_test_id, 'run_test_id')}/call-executions/"
        params = {"limit": str(check_page_size(page_size, CALLS_PAGE_SIZE))}
        if search:
            params["search"] = search
        if status:
            params["status"] = status
        return self._list(
            path,
            params,
            CallExecution,
            template="simulate/run-tests/{run_test_id}/call-executions/",
            key=_id_of,
        )


def _id_of(item: RunTest | CallExecution) -> str | None:
    return item.id
