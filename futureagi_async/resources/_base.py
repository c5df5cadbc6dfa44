"""`Resource`: what every resource is, a pipeline and the two ways it reads.

A resource method is then a path, its parameters and a model: `_get` reads one object,
`_list` a paginated listing, and neither knows how pages are fetched or bodies decoded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Hashable, Mapping
from typing import Any, TypeVar

from .._convert import structure
from .._pager import DEFAULT_LOOKAHEAD, Page, Pager
from .._pipeline import Pipeline
from .._tracing import Telemetry, current
from ._shared import page_from

__all__ = ["Resource"]

T = TypeVar("T")


class Resource:
    def __init__(self, pipeline: Pipeline):
        self._pipeline = pipeline

    async def _get(
        self,
        path: str,
        params: Mapping[str, str],
        model: type[T],
        *,
        template: str,
        wrapped: bool = False,
    ) -> T:
        """One object of type `model` from `path`, whose pattern is `template`."""

        def decode(body: Any) -> T:
            return structure(body, model)

        return await self._pipeline.get(path, params, decode, wrapped=wrapped, template=template)

    def _list(
        self,
        path: str,
        params: Mapping[str, str],
        model: type[T],
        *,
        template: str,
        key: Callable[[T], Hashable | None],
        wrapped: bool = False,
        read_page: Callable[[Any, int], Page[T]] | None = None,
        first_params: Callable[[], Awaitable[Mapping[str, str]]] | None = None,
    ) -> Pager[T]:
        """Every `model` of a listing; `params["limit"]` is its page size; `template` the
        pattern of `path` (`simulate/run-tests/{run_test_id}/call-executions/`), for tracing.

        `read_page(body, page)` replaces the usual reading of a page (a `results` list with
        `count` / `total_pages` beside it) for a listing shaped otherwise. `first_params()`
        is awaited once, before the first request for page 1 (which a walk fetches alone,
        before any other page); the parameters it gives join every page's, including the
        page-1 reads a walk makes again.
        """
        page_size = int(params["limit"])

        def read_results(body: Any, page: int) -> Page[T]:
            return page_from(body, model, page=page, page_size=page_size)

        read = read_page or read_results

        extra: dict[str, str] = {}
        pending = [first_params] if first_params is not None else []

        async def fetch(page: int) -> Page[T]:
            def decode(body: Any) -> Page[T]:
                return read(body, page)

            if page == 1 and pending:
                extra.update(await pending[0]())
                pending.clear()
            telemetry = current()
            if telemetry is None:
                return await self._pipeline.get(
                    path,
                    {**params, **extra, "page": str(page)},
                    decode,
                    wrapped=wrapped,
                    template=template,
                )
            attributes = {"url.template": "/" + template, "futureagi.page": page}
            with telemetry.span("futureagi.page", attributes):
                result = await self._pipeline.get(
                    path,
                    {**params, **extra, "page": str(page)},
                    decode,
                    wrapped=wrapped,
                    template=template,
                )
            telemetry.count_page()
            return result

        return _TracedPager(fetch, lookahead=DEFAULT_LOOKAHEAD, key=key, template="/" + template)


class _TracedPager(Pager[T]):
    """A `Pager` whose every walk is a span (when tracing), parent of its pages' spans."""

    __slots__ = ("_template",)

    def __init__(
        self,
        fetch: Callable[[int], Awaitable[Page[T]]],
        *,
        lookahead: int,
        key: Callable[[T], Hashable | None] | None,
        template: str,
    ):
        super().__init__(fetch, lookahead=lookahead, key=key)
        self._template = template

    def __aiter__(self) -> AsyncIterator[T]:
        return _TracedWalk(super().__aiter__(), self._template)

    def pages(self) -> AsyncIterator[Page[T]]:
        return _TracedWalk(super().pages(), self._template)


class _TracedWalk(AsyncIterator[T]):
    """The walk's span starts at its first step and ends with it (the end, or an error).

    It is current only inside each step, never in the caller's loop body between steps; the
    pages a step fetches, in its own task or its look-ahead's, start under it. A walk left
    midway leaves its span unended (and so unexported).
    """

    def __init__(self, inner: AsyncIterator[T], template: str):
        self._inner = inner
        self._template = template
        self._telemetry: Telemetry | None = None
        self._span: Any = None
        self._started = False

    async def __anext__(self) -> T:
        if not self._started:
            self._started = True
            self._telemetry = current()
            if self._telemetry is not None:
                self._span = self._telemetry.start_span(
                    "futureagi.list", {"url.template": self._template}
                )
        telemetry, span = self._telemetry, self._span
        if telemetry is None or span is None:
            return await self._inner.__anext__()
        token = telemetry.enter(span)
        try:
            return await self._inner.__anext__()
        except StopAsyncIteration:
            telemetry.finish(span, None)
            self._span = None
            raise
        except Exception as exc:
            telemetry.finish(span, exc)
            self._span = None
            raise
        except BaseException:  # cancelled: the walk ends, but nothing failed
            telemetry.finish(span, None)
            self._span = None
            raise
        finally:
            telemetry.leave(token)
