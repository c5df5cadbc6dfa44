"""One walk of a listing against its recorded pages."""

from __future__ import annotations

from typing import Any

from futureagi_async import Pager

from ._compare import assert_rows_match
from ._recordings import ReplayTransport, recorded_rows

__all__ = ["assert_walk"]


async def assert_walk(pager: Pager[Any], pages: list[str], transport: ReplayTransport) -> list[Any]:
    """Walk `pager`: every recorded row once, field by field, and each page asked once.

    Asking exactly the recorded pages also means never asking the one past the end.
    """
    rows = await pager.collect()
    assert_rows_match(rows, recorded_rows(pages))
    assert transport.asked_exactly(pages)
    return rows
