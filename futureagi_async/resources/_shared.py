"""What every resource needs: safe path ids, checked parameters, and pages from bodies."""

from __future__ import annotations

import math
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from types import TracebackType
from typing import Any, TypeVar

from .._convert import structure_list
from .._errors import ResponseDecodeError
from .._fanout import BoundedMap, Progress, Results
from .._json import preview
from .._pager import Page
from .._tracing import logical_span

__all__ = [
    "CALLS_PAGE_SIZE",
    "DEFAULT_PAGE_SIZE",
    "GRID_PAGE_SIZE",
    "RUN_TESTS_PAGE_SIZE",
    "SDK_CALLS_PAGE_SIZE",
    "SDK_RUNS_PAGE_SIZE",
    "check_page",
    "check_page_size",
    "eval_names_param",
    "make_page",
    "many",
    "page_from",
    "path_id",
]

T = TypeVar("T")

# The pagers' page sizes, by listing, chosen by measurement (`benchmarks/page_sizes.py`, the
# table in benchmarks/README.md): the backend caps no `limit`, and under a per-minute rate
# limit every request counts, so a page holds about 0.3-0.6 MB of rows (grid rows ~3 KB,
# call rows with transcripts ~6 KB, run tests ~5 KB, SDK records and calls under 1 KB). Past
# that, fewer requests no longer shorten a read at 50 ms latency, while each page costs the
# server longer, the first row comes later, and the pager holds up to 16 pages in flight.
RUN_TESTS_PAGE_SIZE = 100
CALLS_PAGE_SIZE = 100
GRID_PAGE_SIZE = 200
SDK_RUNS_PAGE_SIZE = 500
SDK_CALLS_PAGE_SIZE = 500
# `test_executions.get_page`'s: its page numbers mean what they meant before.
DEFAULT_PAGE_SIZE = 50


def path_id(value: object, name: str) -> str:
    """`value` as a canonical UUID string, so nothing but an id can reach a URL path."""
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, str):
        try:
            return str(uuid.UUID(value))
        except ValueError:
            pass
    raise ValueError(f"{name} must be a UUID, got {value!r}")


def check_page_size(page_size: int | None, default: int = DEFAULT_PAGE_SIZE) -> int:
    """`page_size`, or the listing's `default` when None; a positive integer."""
    if page_size is None:
        return default
    if isinstance(page_size, bool) or not isinstance(page_size, int) or page_size < 1:
        raise ValueError(f"page_size must be a positive integer, got {page_size!r}")
    return page_size


def check_page(page: int) -> int:
    if isinstance(page, bool) or not isinstance(page, int) or page < 1:
        raise ValueError(f"page must be a positive integer, got {page!r}")
    return page


def eval_names_param(eval_names: str | Sequence[str] | None) -> dict[str, str]:
    """The `eval_name` parameter: the API splits it on commas, so a name may not hold one."""
    if eval_names is None:
        return {}
    names = [eval_names] if isinstance(eval_names, str) else list(eval_names)
    for name in names:
        if not isinstance(name, str) or "," in name or not name.strip():
            raise ValueError(f"eval names must be non-blank strings without commas, got {name!r}")
    return {"eval_name": ",".join(names)} if names else {}


# Beyond these a total is not believed: no listing of this API is that long, and a server
# that says so would have the pager walk it (see `make_page`).
MAX_COUNT = 10**8
MAX_TOTAL_PAGES = 10**7


def _as_int(value: object) -> int | None:
    """A non-negative integer from an int or a string of ASCII digits, else None.

    `str.isdigit` accepts "²" and `int()` a 5,000-digit string; neither is a count.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 0 else None
    if isinstance(value, str):
        text = value.strip()
        if text.isascii() and text.isdigit() and len(text) <= 18:
            return int(text)
    return None


def page_from(
    body: object,
    item_cls: type[T],
    *,
    page: int,
    page_size: int,
    items_keys: tuple[str, ...] = ("results",),
) -> Page[T]:
    """A `Page` from a paginated body; the total comes from `total_pages`, else `count`."""
    if not isinstance(body, Mapping):
        raise ResponseDecodeError(
            f"expected a page object, got {type(body).__name__}: {preview(body)}"
        )
    raw_items: Any = None
    for key in items_keys:
        if key in body:
            raw_items = body[key]
            break
    else:
        raise ResponseDecodeError(
            f"the page has none of {list(items_keys)}; keys: {preview(list(body)[:20])}"
        )
    items = structure_list(raw_items, item_cls)
    return make_page(
        items,
        page=page,
        page_size=page_size,
        count=_as_int(body.get("count")),
        total_pages=_as_int(body.get("total_pages")),
    )


def make_page(
    items: list[T], *, page: int, page_size: int, count: int | None, total_pages: int | None
) -> Page[T]:
    """A `Page` whose total comes from `total_pages`, else from `count`, else is unknown.

    An absurd total (`total_pages: 10**30`, or below zero) is not believed: the listing is
    then paged while pages are full, and ends at the first page that brings no new row.
    """
    # The grid's totals come through the models, where -1e308 is a (negative) int.
    if count is not None and not 0 <= count <= MAX_COUNT:
        count = None
    if total_pages is not None and not 0 <= total_pages <= MAX_TOTAL_PAGES:
        total_pages = None
    if total_pages is None and count is not None:
        total_pages = math.ceil(count / page_size)
    if total_pages is None:
        # Nothing to plan by: another page may follow only if this one was full.
        more = len(items) >= page_size
        return Page(items, page=page, total_pages=page + 1 if more else page, total_known=False)
    return Page(items, page=page, total_pages=total_pages, count=count)


def many(
    fetch: Callable[[str], Awaitable[T]],
    ids: Iterable[str],
    name: str,
    *,
    concurrency: int,
    ordered: bool,
    return_exceptions: bool,
    progress: Callable[[Progress], object] | None,
) -> BoundedMap[Any]:
    """A bounded fan-out of `fetch` over ids, each checked before any request is made."""
    checked = [path_id(value, name) for value in ids]
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        raise ValueError(f"concurrency must be a positive integer, got {concurrency!r}")
    return _TracedMap(
        fetch,
        checked,
        concurrency=concurrency,
        ordered=ordered,
        capture=return_exceptions,
        wrap=return_exceptions,
        on_progress=progress,
        span=f"futureagi.fan_out {name}",
    )


class _TracedMap(BoundedMap[T]):
    """A `bounded_map` inside a span (when tracing), current for every item's requests."""

    __slots__ = ("_span", "_span_name")

    def __init__(self, *args: Any, span: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._span_name = span
        self._span: AbstractContextManager[None] | None = None

    async def __aenter__(self) -> Results[T]:
        span = logical_span(self._span_name, **{"futureagi.items": self._total})
        span.__enter__()
        self._span = span
        try:
            return await super().__aenter__()
        except BaseException as exc:
            self._span = None
            span.__exit__(type(exc), exc, exc.__traceback__)
            raise

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        span, self._span = self._span, None
        try:
            await super().__aexit__(exc_type, exc, tb)
        except BaseException as error:
            if span is not None:
                span.__exit__(type(error), error, error.__traceback__)
            raise
        if span is not None:
            span.__exit__(exc_type, exc, tb)
