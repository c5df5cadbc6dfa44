"""What every model shares: frozen slotted attrs classes with an `extra` bag for unknown keys.

The API is an open set of keys and values, so every attribute is optional: a missing key reads
as None (or an empty collection), and anything the model does not name lands in `.extra`.
Statuses are typed `str`, never closed enums; the `StrEnum`s here are names for the values
seen so far, to compare against.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from typing import Any, Self

import attrs

__all__ = ["ALIASES", "alias", "extra_field"]

# Field metadata key: other JSON keys that carry the same value (the docs' spellings).
ALIASES = "futureagi_async.aliases"


def alias(*keys: str, default: Any = None, factory: Callable[[], Any] | None = None) -> Any:
    """An attribute also read from `keys` when its own key is missing or null."""
    if factory is not None:
        return attrs.field(factory=factory, metadata={ALIASES: keys})
    return attrs.field(default=default, metadata={ALIASES: keys})


def extra_field() -> Any:
    """The bag of keys the model does not know; `unstructure` merges it back."""
    return attrs.field(factory=dict, repr=False)


class CaseInsensitiveStrEnum(enum.StrEnum):
    """Known values of an open set, matched without regard to case."""

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if isinstance(value, str):
            folded = value.casefold()
            for member in cls:
                if member.value.casefold() == folded:
                    return member
        return None

    @classmethod
    def parse(cls, value: object) -> Self | None:
        """The member for `value` (any case), or None for a value not seen before."""
        if not isinstance(value, str):
            return None
        try:
            return cls(value)
        except ValueError:
            return None
