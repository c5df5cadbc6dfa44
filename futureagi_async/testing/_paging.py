"""Page arithmetic and the three ways the backend builds `next`/`previous` links."""

from __future__ import annotations

import math
from collections.abc import Sequence
from urllib.parse import urlencode

__all__ = ["drf_link", "hand_link", "total_pages"]


def total_pages(count: int, size: int, *, empty: int) -> int:
    """`ceil(count/size)`; the empty answer is 1 for Django's paginator, 0 for hand-built."""
    return math.ceil(count / size) if count else empty


def drf_link(base: str, query: Sequence[tuple[str, str]], page: int) -> str:
    """DRF's replace/remove_query_param: every param kept, sorted, page 1 drops `page`."""
    grouped: dict[str, list[str]] = {}
    for key, value in query:
        grouped.setdefault(key, []).append(value)
    grouped.pop("page", None)
    if page != 1:
        grouped["page"] = [str(page)]
    encoded = urlencode(sorted(grouped.items()), doseq=True)
    return f"{base}?{encoded}" if encoded else base


def hand_link(base: str, query: Sequence[tuple[str, str]], page: int) -> str:
    """`/simulate/run-tests/{id}/call-executions/` links: last value wins, `page` kept in
    place, always a `?`."""
    params: dict[str, str] = {}
    for key, value in query:
        params[key] = value
    if page == 1:
        params.pop("page", None)
    else:
        params["page"] = str(page)
    return f"{base}?{urlencode(params)}"
