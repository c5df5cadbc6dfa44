"""What every model shares: frozen slotted attrs classes with an `extra` bag for unknown keys.

The API is an open set of keys and values, so every attribute is optional: a missing key reads
as None (or an empty collection), and anything the model does not name lands in `.extra`.
Statuses are typed `str`, never closed enums; the `StrEnum`s here are names for the values
seen so far, to compare against.

Field declarations the converter reads (explicitly, from the field's metadata):

- `alias("output")`: the attribute is also read from another key (the docs' spelling).
- `required()`: an id the API always sends, typed `str`. A body without it (or with a
  non-string) is a `ResponseDecodeError` naming the row, since a row without its id cannot
  be told apart from the others; every other attribute stays tolerant.
- `lazy(factory=list)`: a large nested part (a transcript, an eval map) kept as parsed JSON
  and built into models the first time it is read. Its shape is checked when the model is
  built, so a bad item still fails there; reading it later cannot fail. Classes with lazy
  fields are decorated with `@with_lazy_fields`, which puts a descriptor in front of those
  slots.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from typing import Any, Self, TypeVar, cast

import attrs

__all__ = [
    "ALIASES",
    "LAZY",
    "REQUIRED",
    "Deferred",
    "Model",
    "alias",
    "extra_field",
    "lazy",
    "required",
    "with_lazy_fields",
]

# Field metadata key: other JSON keys that carry the same value (the docs' spellings).
ALIASES = "futureagi_async.aliases"
# Field metadata key: the attribute is built from its JSON the first time it is read.
LAZY = "futureagi_async.lazy"
# Field metadata key: the body must carry this key as a string (an id).
REQUIRED = "futureagi_async.required"

C = TypeVar("C", bound=type)


def alias(*keys: str, default: Any = None, factory: Callable[[], Any] | None = None) -> Any:
    """An attribute also read from `keys` when its own key is missing or null."""
    if factory is not None:
        return attrs.field(factory=factory, metadata={ALIASES: keys})
    return attrs.field(default=default, metadata={ALIASES: keys})


def required() -> Any:
    """An id the API always sends: typed `str`, and checked when the model is read."""
    return attrs.field(metadata={REQUIRED: True})


def lazy(*, factory: Callable[[], Any]) -> Any:
    """A nested part built on first read (see the module docstring)."""
    return attrs.field(factory=factory, metadata={LAZY: True})


def extra_field() -> Any:
    """The bag of keys the model does not know; `to_dict` merges it back."""
    return attrs.field(factory=dict, repr=False)


class Deferred(tuple[Any, Callable[[Any], Any]]):
    """`(raw, build)`: a lazy field's parsed JSON and the function that builds its value.

    A tuple, because making one is then a single C call (this runs per row)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"<deferred {type(self[0]).__name__} of {len(self[0])}>"


class _LazySlot:
    """Reads through a slot, building a `Deferred` value once and storing the result.

    Two threads reading at once both build equal values; the last one is kept.
    """

    __slots__ = ("slot",)

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        if obj is None:
            return self
        value = self.slot.__get__(obj, owner)
        if value.__class__ is Deferred:
            raw, build = value
            value = build(raw)
            self.slot.__set__(obj, value)
        return value

    def __set__(self, obj: object, value: Any) -> None:
        self.slot.__set__(obj, value)

    def __delete__(self, obj: object) -> None:
        self.slot.__delete__(obj)


def with_lazy_fields(cls: C) -> C:
    """Put a `_LazySlot` in front of each `lazy()` field's slot. Apply above `attrs.frozen`."""
    for field in attrs.fields(cls):
        if field.metadata.get(LAZY):
            slot = cls.__dict__.get(field.name)
            if slot is None or not hasattr(slot, "__set__"):
                raise TypeError(f"{cls.__name__}.{field.name}: lazy fields need a slotted class")
            setattr(cls, field.name, _LazySlot(slot))
    return cls


class Model:
    """The base of every model: writing it back out as the API's JSON.

    It holds the weak-reference slot, so that the models themselves add only their fields
    (which lets the converter build an instance as a twin class and then switch its class).
    """

    __slots__ = ("__weakref__",)

    def __repr__(self) -> str:
        """attrs' repr, except that a value too deeply nested for `repr` (free-form JSON a
        thousand levels deep) shows as a bounded preview instead of raising RecursionError.
        Models are declared `repr=False` so that this one is used."""
        from .._json import preview

        parts = []
        cls = cast("type[attrs.AttrsInstance]", type(self))  # every subclass is an attrs class
        for field in attrs.fields(cls):
            if not field.repr:
                continue
            value = getattr(self, field.name)
            try:
                text = repr(value)
            except RecursionError:
                text = preview(value)
            parts.append(f"{field.name}={text}")
        return f"{type(self).__qualname__}({', '.join(parts)})"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """The model from its JSON data, as the client reads a response (the converter's
        `structure`, with the same tolerance): `Model.from_dict(m.to_dict()) == m`, so an
        export written with `to_dict()` or `to_json()` loads back. Raises
        `ResponseDecodeError` where a response would (a row without its id, say)."""
        from .._convert import structure  # the converter imports the models

        return structure(data, cls)

    def to_dict(self) -> dict[str, Any]:
        """The API's JSON shape as plain data: the same keys, `.extra` merged back,
        datetimes as ISO 8601 strings (`Z` for UTC). A key the body lacked comes back
        as null (or an empty collection); an alias comes back under the attribute's name."""
        from .._convert import unstructure  # the converter imports the models

        data: dict[str, Any] = unstructure(self)
        return data

    def to_json(self) -> str:
        """`to_dict()` as compact UTF-8 JSON. It always succeeds: a lone surrogate in a text
        field (`"\\ud83d"`, a message cut mid-emoji) is written escaped, as the API sent
        it, never replaced, so `json.loads(m.to_json()) == m.to_dict()`."""
        from .._json import dumps

        return dumps(self.to_dict()).decode()


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
