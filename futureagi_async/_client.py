"""`AsyncClient`: the settings, the connection pool, and the resources that use them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from types import TracebackType
from typing import Any, Literal, Self, overload

import anyio
import attrs
import httpx2

from ._config import (
    ClientConfig,
    TimeoutTypes,
    check_default_headers,
    check_max_retries,
    check_rate_limit,
    check_total_timeout,
    to_timeout,
)
from ._export import ExecutionExport, export
from ._fanout import Outcome, ProgressCallback, Results
from ._http import HttpBackend, VerifyTypes, build_pool, lend
from ._logs import setup_logging
from ._pacing import ClientStats, Pace, RateLimit, Throttle
from ._pipeline import Pipeline, SharedResources
from ._tracing import logical_span
from .resources import RunTests, Simulation, TestExecutions

__all__ = ["AsyncClient"]


class AsyncClient:
    """A client of the Future AGI Simulate API, meant to be shared by a whole application.

    Credentials default to `FI_API_KEY` / `FI_SECRET_KEY`, the base URL to `FI_BASE_URL`,
    else https://api.futureagi.com. `max_concurrency` caps the requests in flight across every
    resource and fan-out of this client, and sizes its connection pool. `timeout` bounds each
    request's connect and reads; `total_timeout` one whole call, every retry and wait included.

    The pool is httpx2's; `http_backend="aiohttp"` (the `aiohttp` extra) runs it on aiohttp
    instead, on asyncio, for the most throughput in bulk reads (trio keeps httpx2's). `verify`
    is as in httpx2: False, a CA bundle's path, or an `ssl.SSLContext`. Pass `http_client` (an
    `httpx2.AsyncClient`) to share a pool of your own; the library never closes a client it
    did not create, and never sends its auth.

    `rate_limit=RateLimit(requests, per_seconds)` paces every request of the client and its
    views to the organisation's limit. With or without it, a 429 pauses the whole client until
    its `Retry-After` has passed; without it, a 429 also lowers the concurrency, and calm raises
    it again up to `max_concurrency`. `stats` counts requests, retries, 429s and time waited.

    Use it as `async with AsyncClient() as client:` or call `await client.aclose()`. A client
    belongs to the event loop of its first request: from another one (a second `anyio.run`)
    it raises `ClientClosedError`, so make one client per run.
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
        total_timeout: float | None = None,
        default_headers: Mapping[str, str] | None = None,
        verify: VerifyTypes = True,
        http_backend: HttpBackend = "httpx2",
        rate_limit: RateLimit | None = None,
    ):
        setup_logging()
        config = ClientConfig.build(
            api_key,
            secret_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_concurrency=max_concurrency,
            workspace_id=workspace_id,
            total_timeout=total_timeout,
            default_headers=default_headers,
            rate_limit=rate_limit,
        )
        if http_client is not None:
            connection = lend(http_client)
        else:
            connection = build_pool(
                max_connections=config.max_concurrency,
                verify=verify,
                timeout=config.timeout,
                backend=http_backend,
            )
        limiter = anyio.CapacityLimiter(config.max_concurrency)
        throttle = Throttle(
            limiter, max_concurrency=config.max_concurrency, adaptive=config.rate_limit is None
        )
        shared = SharedResources(connection, limiter, throttle)
        paces = () if config.rate_limit is None else (Pace(config.rate_limit),)
        self._setup(Pipeline(config, shared, paces), is_view=False)

    def _setup(self, pipeline: Pipeline, *, is_view: bool) -> None:
        self._pipeline = pipeline
        self._is_view = is_view
        self.run_tests = RunTests(pipeline)
        self.test_executions = TestExecutions(pipeline)
        self.simulation = Simulation(pipeline)

    @property
    def config(self) -> ClientConfig:
        return self._pipeline.config

    @property
    def stats(self) -> ClientStats:
        """A snapshot of what this client and its views have done (requests, retries, 429s,
        pauses, seconds waited for the rate limit, the current concurrency bound)."""
        return self._pipeline.shared.throttle.stats()

    def with_options(
        self,
        *,
        timeout: TimeoutTypes | None = None,
        max_retries: int | None = None,
        total_timeout: float | None = None,
        default_headers: Mapping[str, str] | None = None,
        rate_limit: RateLimit | None = None,
    ) -> AsyncClient:
        """A view of this client with other settings, sharing its pool and bound.

        `default_headers` are added to this client's (a tracing header for one job, say).
        `rate_limit` is a budget of the view's own, within the client's: its requests take a
        turn of both, and the client's other requests still share the client's turns.
        Closing the original closes the view's pool too; closing a view does nothing.
        """
        config = self._pipeline.config
        changes: dict[str, Any] = {}
        if timeout is not None:
            changes["timeout"] = to_timeout(timeout)
        if max_retries is not None:
            changes["retry"] = attrs.evolve(
                config.retry, max_retries=check_max_retries(max_retries)
            )
        if total_timeout is not None:
            changes["total_timeout"] = check_total_timeout(total_timeout)
        if default_headers is not None:
            changes["default_headers"] = {
                **config.default_headers,
                **check_default_headers(default_headers),
            }
        paces = self._pipeline.paces
        if rate_limit is not None:
            changes["rate_limit"] = check_rate_limit(rate_limit)
            paces = (*paces, Pace(rate_limit))
        view = object.__new__(AsyncClient)
        pipeline = Pipeline(attrs.evolve(config, **changes), self._pipeline.shared, paces)
        view._setup(pipeline, is_view=True)
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
        return _traced(
            "futureagi.export",
            {"futureagi.run_test_name": run_test_name, "futureagi.concurrency": concurrency},
            export(
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
            ),
        )

    @property
    def is_closed(self) -> bool:
        shared = self._pipeline.shared
        return shared.closed or shared.connection.is_closed

    async def aclose(self) -> None:
        """Close the client; later requests raise ClientClosedError.

        The pool is closed only if this client created it. A view from `with_options` owns
        nothing, so closing it does nothing. Closed from another event loop than the one it
        ran on, the client is only marked closed: that loop's connections cannot be closed
        from this one.
        """
        shared = self._pipeline.shared
        if self._is_view or shared.closed:
            return
        shared.closed = True
        if shared.connection.owned and not shared.loop.on_another_loop():
            await shared.connection.aclose()

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


@asynccontextmanager
async def _traced(
    name: str, attributes: Mapping[str, Any], inner: AbstractAsyncContextManager[Any]
) -> AsyncIterator[Any]:
    """`inner` inside a span (when tracing), current for the work it starts and the body."""
    with logical_span(name, **attributes):
        async with inner as value:
            yield value
