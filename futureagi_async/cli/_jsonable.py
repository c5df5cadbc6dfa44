"""Models to JSON-ready data: the one place the CLI does it.

Everything the CLI prints as JSON or writes to a file passes through `jsonable`, so that
when models grow their own `to_dict()` the switch is made here and nowhere else.
"""

from __future__ import annotations

from typing import Any

from .._convert import unstructure

__all__ = ["jsonable"]


def jsonable(value: object) -> Any:
    """Dicts, lists, strings, numbers, bools and None, with datetimes as ISO strings."""
    return unstructure(value)
