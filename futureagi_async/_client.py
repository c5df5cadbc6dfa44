"""`AsyncClient`: the settings, the connection pool, and the resources that use them."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from types import TracebackType
from typing import Any, Literal, Self, overload

import anyio
import attrs
import httpx2

from ._config import ClientConfig, TimeoutTypes, to_timeout
from ._export import ExecutionExport, export
from ._fanout import Outcome, ProgressCallback, Results
from ._pipeline import Pipeline, SharedResources
from .resources import RunTests, Simulation, TestExecutions

__all__ = ["AsyncClient"]


def _default_http_client(
    config: ClientConfig,
) -> tuple[httpx2.AsyncClient, httpx2.AsyncBaseTransport | None]:
    limits = httpx2.Limits(
        max_connections=config.max_concurrency,
        max_keepalive_connections=config.max_concurrency,
    )
    return httpx2.AsyncClient(limits=limits, timeout=config.timeout), None


class AsyncClient:
    """A client of the Future AGI Simulate API, meant to be shared by a whole application.

    Credentials default to `FI_API_KEY` / `FI_SECRET_KEY`, the base URL to `FI_BASE_URL`,
    else https://api.futureagi.com. `max_concurrency` caps the requests in flight across every
    resource and fan-out of this client. Pass `http_client` to share an existing pool; the
    library never closes a pool it did not create.

    Use it as `async with AsyncClient() as client:` or call `await client.aclose()`.
    """

    run_tests: RunTests
    test_executions: TestExecutions
    simulation: Simulation

    def __init__(
        self,
        api_key: str | None = None,
        secret_key: str | None = None,
        *,
        base_url: str | None = None,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        max_concurrency: int | None = None,
        http_client: httpx2.AsyncClient | None = None,
        workspace_id: str | None = None,
    ):
        config = ClientConfig.build(
            api_key,
            secret_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_concurrency=max_concurrency,
            workspace_id=workspace_id,
        )
        http, direct = (http_client, None) if http_client else _default_http_client(config)
        shared = SharedResources(
            http=http, limiter=anyio.CapacityLimiter(config.max_concurrency), direct=direct
        )
        self._setup(Pipeline(config, shared), owns_http=http_client is None, is_view=False)

    def _setup(self, pipeline: Pipeline, *, owns_http: bool, is_view: bool) -> None:
        self._pipeline = pipeline
        self._owns_http = owns_http
        self._is_view = is_view
        self.run_tests = RunTests(pipeline)
        self.test_executions = TestExecutions(pipeline)
        self.simulation = Simulation(pipeline)

    @property
    def config(self) -> ClientConfig:
        return self._pipeline.config

    def with_options(
        self, *, timeout: TimeoutTypes | None = None, max_retries: int | None = None
    ) -> AsyncClient:
        """A view of this client with other timeouts or retries, sharing its pool and bound.

        Closing the original closes the view's pool too; closing a view does nothing.
        """
        config = self._pipeline.config
        if timeout is not None:
            config = attrs.evolve(config, timeout=to_timeout(timeout))
        if max_retries is not None:
            config = attrs.evolve(config, retry=attrs.evolve(config.retry, max_retries=max_retries))
        view = object.__new__(AsyncClient)
        view._setup(Pipeline(config, self._pipeline.shared), owns_http=False, is_view=True)
        return view

    @overload
    def export(
        self,
        run_test_name: str | None = ...,
        *,
        execution_ids: Sequence[str] | None = ...,
        transcripts: bool = ...,
        eval_names: str | Sequence[str] | None = ...,
        concurrency: int = ...,
        ordered: bool = ...,
        return_exceptions: Literal[False] = ...,
        progress: ProgressCallback | None = ...,
    ) -> AbstractAsyncContextManager[Results[ExecutionExport]]: ...

    @overload
    def export(
        self,
        run_test_name: str | None = ...,
        *,
        execution_ids: Sequence[str] | None = ...,
        transcripts: bool = ...,
        eval_names: str | Sequence[str] | None = ...,
        concurrency: int = ...,
        ordered: bool = ...,
        return_exceptions: Literal[True],
        progress: ProgressCallback | None = ...,
    ) -> AbstractAsyncContextManager[Results[Outcome[str, ExecutionExport]]]: ...

    def export(
        self,
        run_test_name: str | None = None,
        *,
        execution_ids: Sequence[str] | None = None,
        transcripts: bool = False,
        eval_names: str | Sequence[str] | None = None,
        concurrency: int = 8,
        ordered: bool = False,
        return_exceptions: bool = False,
        progress: ProgressCallback | None = None,
    ) -> AbstractAsyncContextManager[Results[Any]]:
        """Stream every execution of a run test (or the given ids) with all its call rows.

            async with client.export("Billing bot nightly") as records:
                async for record in records:     # ExecutionExport(execution, calls)
                    ...

        `concurrency` executions at a time; `transcripts=True` also reads the run test's
        call listing (all of it, first) to fill each call's transcript. Errors behave as in
        `bounded_map`: the first one cancels the rest and is raised, unless
        `return_exceptions=True` yields an `Outcome` (keyed by execution id) per execution.
        """
        return export(
            self.run_tests,
            self.test_executions,
            self.simulation,
            run_test_name,
            execution_ids=execution_ids,
            transcripts=transcripts,
            eval_names=eval_names,
            concurrency=concurrency,
            ordered=ordered,
            return_exceptions=return_exceptions,
            progress=progress,
        )

    @property
    def is_closed(self) -> bool:
        return self._pipeline.shared.closed or self._pipeline.shared.http.is_closed

    async def aclose(self) -> None:
        """Close the client; later requests raise ClientClosedError.

        The pool is closed only if this client created it. A view from `with_options` owns
        nothing, so closing it does nothing.
        """
        shared = self._pipeline.shared
        if self._is_view or shared.closed:
            return
        shared.closed = True
        if self._owns_http:
            await shared.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        config = self._pipeline.config
        state = "closed" if self.is_closed else "open"
        return (
            f"<AsyncClient {state} base_url={str(config.base_url)!r} "
            f"max_concurrency={config.max_concurrency}>"
        )
