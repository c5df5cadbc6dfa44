"""The one cattrs converter: JSON data to the typed models and back.

Every model is an attrs class; its structure hook is generated once per class (straight-line
code, no per-field dispatch, no exceptions on the happy path), because the default cattrs
hooks cost about twice the JSON parse itself on a call row (see benchmarks/decode.py).

Tolerance policy, the same for every model and every field:

- A missing key, or null, reads as None, or as an empty list/dict for collection attributes.
- A key the model does not name is kept in `.extra` under its own key.
- A value of the wrong type is coerced only when no information is lost: a numeric string
  to a number (`"88"` -> 88), an integral float to an int, `"true"`/`"false"` (any case) and
  0/1 to a bool, an ISO 8601 string to a datetime. Otherwise the attribute is None (or
  empty) and the raw value is kept in `.extra` under the attribute's key. Nothing is lost
  silently, and one odd field never costs a whole page.
- Datetimes are timezone-aware: ISO 8601 with or without a fraction, with `Z` or an offset;
  a naive value or a bare date (`2026-03-05`) is taken as UTC, which is what the backend
  stores.
- Statuses and other enumerations are plain strings: unknown values stay as they are.
- The one thing that cannot be tolerated is an item that should be an object and is not:
  the body itself, an element of a list of models or a value of a dict of models. Skipping
  it would drop data and keeping it would break the type, so `ResponseDecodeError` names the
  model and the path (`CallExecutionPage.results[3]: expected a JSON object, got str`).

`unstructure` turns a model back into JSON-able data: attribute keys first, then `.extra`
merged over them (so a value kept raw in `.extra` wins over its None attribute), datetimes as
ISO strings with `Z` for UTC. `structure(unstructure(m), type(m)) == m`. Keys read from an
alias (the docs' `output` for `value`) are written under the attribute's own name.
"""

from __future__ import annotations

import math
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeGuard, TypeVar

import attrs
import cattrs

from ._errors import ResponseDecodeError, snippet
from .models._base import ALIASES

__all__ = ["converter", "structure", "structure_list", "unstructure"]

T = TypeVar("T")

_Reader = Callable[[Any], Any]


class _Mismatch(Exception):
    """A value does not fit its attribute's type; the attribute keeps it in `.extra`."""


class _NotAnObject(Exception):
    """An item that must be a JSON object is not one. Carries the path, built inside out."""

    def __init__(self, cls: type, value: object) -> None:
        super().__init__(cls.__name__)
        self.cls = cls
        self.value = value
        self.path: list[str] = []


# --- scalar coercions: each returns the coerced value or raises _Mismatch -------------------


def _to_int(value: object) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return _int_from_text(value)
    raise _Mismatch


def _int_from_text(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        raise _Mismatch from None
    if number.is_integer():
        return int(number)
    raise _Mismatch


def _to_float(value: object) -> float | int:
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
        try:
            number = float(value)
        except ValueError:
            raise _Mismatch from None
        if math.isfinite(number):
            return number
    raise _Mismatch


_BOOL_WORDS = {"true": True, "false": False}


def _to_bool(value: object) -> bool:
    if isinstance(value, str):
        word = _BOOL_WORDS.get(value.strip().lower())
        if word is not None:
            return word
    elif value.__class__ is int and value in (0, 1):
        return value == 1
    raise _Mismatch


def _to_datetime(value: object) -> datetime:
    if not isinstance(value, str):
        raise _Mismatch
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Mismatch from None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed


def _to_date(value: object) -> date:
    if not isinstance(value, str):
        raise _Mismatch
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Mismatch from None


# How each scalar type is checked: the classes accepted as they are, and the coercion.
_SCALARS: dict[object, tuple[tuple[type, ...], Callable[[object], Any]]] = {
    str: ((str,), lambda value: _raise_mismatch()),
    int: ((int,), _to_int),
    float: ((float, int), _to_float),
    bool: ((bool,), _to_bool),
}


def _raise_mismatch() -> Any:
    raise _Mismatch


# --- readers for non-scalar types: value -> structured value, or _Mismatch / _NotAnObject ---


def _is_model(tp: object) -> TypeGuard[type]:
    return isinstance(tp, type) and attrs.has(tp)


def _locate(items: Iterable[tuple[str, Any]], read: _Reader) -> None:
    """Re-read item by item to find which one failed, and prefix its place to the path."""
    for place, item in items:
        try:
            read(item)
        except _NotAnObject as exc:
            exc.path.append(place)
            raise


def _model_field(cls: type) -> _Reader:
    """Read a single nested object; anything else is a mismatch kept in `.extra`."""
    structure_model = _structure_fn(cls)

    def read(value: Any) -> Any:
        if value.__class__ is not dict:
            raise _Mismatch
        return structure_model(value)

    return read


def _list_reader(item_type: object) -> _Reader:
    if item_type is Any:

        def read_any(value: Any) -> Any:
            if value.__class__ is not list:
                raise _Mismatch
            return value

        return read_any

    if item_type in _SCALARS:
        accepted = _SCALARS[item_type][0]

        def read_scalars(value: Any) -> Any:
            if value.__class__ is not list:
                raise _Mismatch
            for item in value:
                if item.__class__ not in accepted:
                    raise _Mismatch
            return value

        return read_scalars

    read_item = _structure_fn(item_type) if _is_model(item_type) else _reader(item_type)

    def read_items(value: Any) -> Any:
        if value.__class__ is not list:
            raise _Mismatch
        try:
            return [read_item(item) for item in value]
        except _NotAnObject:
            _locate(((f"[{index}]", item) for index, item in enumerate(value)), read_item)
            raise

    return read_items


def _dict_reader(value_type: object) -> _Reader:
    if value_type is Any:

        def read_any(value: Any) -> Any:
            if value.__class__ is not dict:
                raise _Mismatch
            return value

        return read_any

    read_item = _structure_fn(value_type) if _is_model(value_type) else _reader(value_type)

    def read_items(value: Any) -> Any:
        if value.__class__ is not dict:
            raise _Mismatch
        try:
            return {key: read_item(item) for key, item in value.items()}
        except _NotAnObject:
            _locate(((f"[{key!r}]", item) for key, item in value.items()), read_item)
            raise

    return read_items


def _union_reader(members: tuple[object, ...]) -> _Reader:
    """`AgentVersion | str`, `bool | str`: an object goes to the model, a scalar stays."""
    models = [member for member in members if isinstance(member, type) and attrs.has(member)]
    if len(models) > 1:
        raise TypeError(f"cannot tell apart the models of {members!r}")
    structure_model = _structure_fn(models[0]) if models else None
    accepted: set[type] = set()
    for member in members:
        if member in _SCALARS:
            accepted.update(_SCALARS[member][0])

    def read(value: Any) -> Any:
        if value.__class__ in accepted:
            return value
        if structure_model is not None and value.__class__ is dict:
            return structure_model(value)
        raise _Mismatch

    return read


def _reader(tp: object) -> _Reader:
    """A reader for any supported non-None type."""
    if tp is Any:
        return lambda value: value
    if tp in _SCALARS:
        accepted, coerce = _SCALARS[tp]
        return lambda value: value if value.__class__ in accepted else coerce(value)
    if tp is datetime:
        return _to_datetime
    if tp is date:
        return _to_date
    if isinstance(tp, type) and attrs.has(tp):
        return _model_field(tp)
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin is list:
        return _list_reader(args[0] if args else Any)
    if origin is dict:
        return _dict_reader(args[1] if args else Any)
    members = tuple(arg for arg in args if arg is not type(None))
    if members and origin in (typing.Union, _UnionType):
        return _union_reader(members) if len(members) > 1 else _reader(members[0])
    raise TypeError(f"no reader for {tp!r}")


_UnionType = type(int | None)


# --- per-class code generation --------------------------------------------------------------


def _empty_literal(field: attrs.Attribute[Any]) -> str:
    """What a missing or mistyped value becomes: None, or a fresh empty collection."""
    default: Any = field.default
    factory = getattr(default, "factory", None)
    if callable(factory):
        made = factory()
        if made == [] or made == {}:
            return repr(made)
        raise TypeError(f"{field.name}: only empty collections as factories")
    if default is not None:
        raise TypeError(f"{field.name}: defaults other than None are not supported")
    return "None"


def _strip_none(tp: object) -> object:
    args = typing.get_args(tp)
    if typing.get_origin(tp) in (typing.Union, _UnionType) and type(None) in args:
        members = tuple(arg for arg in args if arg is not type(None))
        return members[0] if len(members) == 1 else typing.Union[members]  # noqa: UP007
    return tp


_STRUCTURE_FNS: dict[type, _Reader] = {}
_UNSTRUCTURE_FNS: dict[type, Callable[[Any], dict[str, Any]]] = {}


def _structure_fn(cls: type) -> _Reader:
    fn = _STRUCTURE_FNS.get(cls)
    if fn is None:
        fn = _STRUCTURE_FNS[cls] = _generate_structure(cls)
    return fn


def _as_dict(value: object, cls: type) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return dict(value)
    raise _NotAnObject(cls, value)


def _slot_setter(cls: type, name: str) -> Callable[[object, object], None]:
    """The slot's own setter: building a 70-field frozen instance through it skips the
    keyword-argument call and the frozen `__setattr__` indirection, about half the cost of
    `cls(**fields)`. Safe because the models have no validators, converters or post-init.
    """
    slot = getattr(cls, name)
    if not isinstance(slot, types.MemberDescriptorType):
        raise TypeError(f"{cls.__name__}.{name} is not a slot; models must be slotted")
    return slot.__set__


def _generate_structure(cls: type) -> _Reader:
    if attrs.has(cls) and getattr(cls, "__attrs_post_init__", None) is not None:
        raise TypeError(f"{cls.__name__}: post-init hooks are not supported")
    hints = typing.get_type_hints(cls)
    fields = [field for field in attrs.fields(cls) if field.name != "extra"]
    namespace: dict[str, Any] = {
        "cls": cls,
        "new": object.__new__,
        "set_extra": _slot_setter(cls, "extra"),
        "_Mismatch": _Mismatch,
        "_NotAnObject": _NotAnObject,
        "_as_dict": _as_dict,
        "normalize": getattr(cls, "_normalize_raw", None),
    }
    known: set[str] = set()
    lines = [
        "def structure(o, _cls=None):",
        "    if o.__class__ is not dict:",
        "        o = _as_dict(o, cls)",
    ]
    if namespace["normalize"] is not None:
        lines += ["    o, seed = normalize(o)", "    extra = dict(seed)"]
    else:
        lines.append("    extra = {}")
    lines += ["    g = o.get", "    obj = new(cls)"]
    for index, field in enumerate(fields):
        key = field.name
        known.add(key)
        empty = _empty_literal(field)
        tp = _strip_none(hints[key])
        lines.append(f"    v = g({key!r})")
        for alias in field.metadata.get(ALIASES, ()):
            known.add(alias)
            lines += [
                "    if v is None:",
                f"        v = g({alias!r})",
                f"    elif g({alias!r}) is not None:",
                f"        extra[{alias!r}] = o[{alias!r}]",
            ]
        if tp is Any:
            pass
        elif tp in _SCALARS:
            accepted, _ = _SCALARS[tp]
            namespace[f"coerce{index}"] = _SCALARS[tp][1]
            test = " and ".join(f"v.__class__ is not {t.__name__}" for t in accepted)
            lines += [
                f"    if v is not None and {test}:",
                "        try:",
                f"            v = coerce{index}(v)",
                "        except _Mismatch:",
                f"            extra[{key!r}] = v",
                "            v = None",
            ]
        else:
            namespace[f"read{index}"] = _reader(tp)
            lines += [
                "    if v is not None:",
                "        try:",
                f"            v = read{index}(v)",
                "        except _Mismatch:",
                f"            extra[{key!r}] = v",
                f"            v = {empty}",
                "        except _NotAnObject as exc:",
                f"            exc.path.append({'.' + key!r})",
                "            raise",
            ]
            if empty != "None":
                lines += ["    else:", f"        v = {empty}"]
        namespace[f"set{index}"] = _slot_setter(cls, key)
        lines.append(f"    set{index}(obj, v)")
    namespace["known"] = frozenset(known)
    lines += [
        "    if not o.keys() <= known:",
        "        for k in o:",
        "            if k not in known:",
        "                extra[k] = o[k]",
        "    set_extra(obj, extra)",
        "    return obj",
    ]
    source = "\n".join(lines)
    code = compile(source, f"<structure {cls.__qualname__}>", "exec")
    exec(code, namespace)
    return namespace["structure"]  # type: ignore[no-any-return]


# --- unstructuring --------------------------------------------------------------------------


def _iso(value: datetime | date) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _unstructure_any(value: Any) -> Any:
    cls = value.__class__
    if cls in (str, int, float, bool) or value is None:
        return value
    if cls is dict:
        return {key: _unstructure_any(item) for key, item in value.items()}
    if cls is list or cls is tuple:
        return [_unstructure_any(item) for item in value]
    if isinstance(value, datetime | date):
        return _iso(value)
    if attrs.has(cls):
        return _unstructure_fn(cls)(value)
    return value


def _unstructure_fn(cls: type) -> Callable[[Any], dict[str, Any]]:
    fn = _UNSTRUCTURE_FNS.get(cls)
    if fn is None:
        fn = _UNSTRUCTURE_FNS[cls] = _generate_unstructure(cls)
    return fn


def _generate_unstructure(cls: type) -> Callable[[Any], dict[str, Any]]:
    hints = typing.get_type_hints(cls)
    fields = [field for field in attrs.fields(cls) if field.name != "extra"]
    lines = ["def unstructure(obj):", "    d = {"]
    for field in fields:
        tp = _strip_none(hints[field.name])
        if tp in _SCALARS:
            lines.append(f"        {field.name!r}: obj.{field.name},")
        else:
            lines.append(f"        {field.name!r}: u(obj.{field.name}),")
    lines += [
        "    }",
        "    if obj.extra:",
        "        d.update(u(obj.extra))",
        "    return d",
    ]
    namespace: dict[str, Any] = {"u": _unstructure_any}
    exec(compile("\n".join(lines), f"<unstructure {cls.__qualname__}>", "exec"), namespace)
    return namespace["unstructure"]  # type: ignore[no-any-return]


# --- the converter and the public functions -------------------------------------------------

converter = cattrs.Converter()
converter.register_structure_hook_factory(attrs.has, lambda cls: _with_type_arg(_structure_fn(cls)))
converter.register_unstructure_hook_factory(attrs.has, _unstructure_fn)
converter.register_structure_hook(datetime, lambda value, _: _to_datetime(value))
converter.register_unstructure_hook(datetime, _iso)
converter.register_unstructure_hook(date, _iso)


def _with_type_arg(fn: _Reader) -> Callable[[Any, Any], Any]:
    return lambda value, _cls: fn(value)


def _describe(value: object) -> str:
    kind = "null" if value is None else type(value).__name__
    return f"{kind} {snippet(repr(value), 60)}"


def _decode_error(name: str, exc: _NotAnObject) -> ResponseDecodeError:
    where = "".join(reversed(exc.path))
    return ResponseDecodeError(
        f"cannot read {name}{where}: expected a JSON object ({exc.cls.__name__}), "
        f"got {_describe(exc.value)}"
    )


def structure(data: object, cls: type[T]) -> T:
    """`data` (parsed JSON) as a `cls`, by the tolerance policy above.

    Raises `ResponseDecodeError` naming the model and the path when an object is missing
    where one must be.
    """
    try:
        if attrs.has(cls):
            return _structure_fn(cls)(data)  # type: ignore[no-any-return]
        return _reader(cls)(data)  # type: ignore[no-any-return]
    except _NotAnObject as exc:
        raise _decode_error(getattr(cls, "__name__", str(cls)), exc) from None
    except _Mismatch:
        raise ResponseDecodeError(
            f"cannot read {getattr(cls, '__name__', cls)!s}: got {_describe(data)}"
        ) from None


def structure_list(data: object, cls: type[T]) -> list[T]:
    """A JSON array of `cls` objects, every item kept; `ResponseDecodeError` otherwise."""
    if not isinstance(data, list):
        raise ResponseDecodeError(
            f"cannot read a list of {cls.__name__}: expected a JSON array, got {_describe(data)}"
        )
    read = _structure_fn(cls)
    try:
        return [read(item) for item in data]
    except _NotAnObject:
        try:
            _locate(((f"[{index}]", item) for index, item in enumerate(data)), read)
        except _NotAnObject as exc:
            raise _decode_error(f"list[{cls.__name__}]", exc) from None
        raise  # pragma: no cover - _locate re-raises the same failure


def unstructure(obj: object) -> Any:
    """`obj` as JSON-able data: `.extra` merged back, datetimes as ISO 8601 strings."""
    return _unstructure_any(obj)
