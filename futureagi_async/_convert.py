"""The one cattrs converter: JSON data to the typed models and back.

Everything goes through `converter`: the tolerance policy below is a set of hooks and hook
factories registered on it, so a new model needs no converter code. A model's structure hook
reads it with per-field hooks, wrapped to collect unknown keys and to recover from values that
do not fit. The instance is made by cattrs' own generated function
(`cattrs.gen.make_dict_structure_fn`), or, for the classes `_build.buildable` accepts (no
validators, converters, `on_setattr` or init hooks: all of ours), by `_build`'s slot builder,
registered as a second hook factory: it structures a call row 2.4 times as fast (see
benchmarks/README.md). `make_converter(slot_builder=False)` gives the first alone.

For those classes the hook itself is `_build.make_fast_structure`'s generated code: the
common case (every value fits, or its field's hook coerces it) in one function, the items of
a list or dict in a loop with code per shape of item; anything else goes to the general hook
above, which reads that object again from the start, so the policy below holds either way.

Tolerance policy, the same for every model and every field:

- A missing key, or null, reads as None, or as an empty list/dict for collection attributes.
- A key the model does not name is kept in `.extra` under its own key.
- A value of the wrong type is coerced only when no information is lost: a numeric string
  to a number (`"88"` -> 88), an integral float to an int, `"true"`/`"false"` (any case) and
  0/1 to a bool, an ISO 8601 string to a datetime. Otherwise the attribute is None (or
  empty) and the raw value is kept in `.extra` under the attribute's key. Nothing is lost
  silently, and one odd field never costs a whole page. Infinities and NaN are not numbers
  here; numeric strings longer than 100 characters are not read at all.
- Datetimes are timezone-aware: ISO 8601 with or without a fraction, with `Z` or an offset;
  a naive value or a bare date (`2026-03-05`) is taken as UTC, which is what the backend
  stores.
- Statuses and other enumerations are plain strings: unknown values stay as they are.
- A field declared `alias("other")` is also read from the other key (the docs' spelling);
  when both keys carry a value, the other one is kept in `.extra`.
- The docs' shapes of a call row and of a grouped grid page are read into the backend's by
  the functions registered in `_READERS` (explicitly, below).
- A field declared `lazy()` (transcripts, eval maps) is checked now and built on first read.
- The one thing that cannot be tolerated is an item that should be an object and is not:
  the body itself, an element of a list of models or a value of a dict of models. Skipping
  it would drop data and keeping it would break the type, so `ResponseDecodeError` names the
  model and the path (`CallExecutionPage.results[3]: expected a JSON object, got str`).
  The same goes for a row without an id declared `required()` (or with a non-string one).

`unstructure` (a model's `to_dict()`) turns a model back into JSON data: attribute keys
first, then `.extra` merged over them (so a value kept raw in `.extra` wins over its None
attribute), datetimes as ISO strings with `Z` for UTC. `structure(unstructure(m), type(m))
== m`. Keys read from an alias are written under the attribute's own name.

Nothing here recurses on the data itself: nesting comes only from the models' own types, and
JSON kept as it is (`Any` fields, `.extra`) is copied and previewed iteratively.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

from ._build import FastStructure, buildable, make_fast_structure, make_slot_builder
from ._errors import ResponseDecodeError
from ._json import preview
from .models._base import ALIASES, LAZY, REQUIRED, Deferred
from .models.calls import CallExecution, call_row_in_backend_shape
from .models.test_executions import TestExecutionPage, group_rows_apart

__all__ = ["converter", "structure", "structure_list", "unstructure"]

T = TypeVar("T")

_Hook = Callable[[Any, Any], Any]
_NoneType = type(None)
_UnionType = type(int | None)

# The longest numeric string read as a number; longer ones are kept raw (and cost no time).
_MAX_NUMBER_TEXT = 100
# Floats whose integral value is exact (2**53): beyond it, "1e300" is not the integer it names.
_EXACT_FLOAT_INT = 2**53


class _Mismatch(Exception):
    """A value does not fit its attribute's type; the attribute keeps it in `.extra`."""


class _NotAnObject(Exception):
    """An item that must be a JSON object is not one. Carries the path, built inside out."""

    def __init__(self, cls: type, value: object, missing: str | None = None) -> None:
        super().__init__(cls.__name__)
        self.cls = cls
        self.value = value
        self.missing = missing  # the required key the object lacks, if that is the fault
        self.path: list[str] = []


# --- scalars: hooks take (value, type), accept None, and raise _Mismatch --------------------


def _number_from_text(text: str) -> int | float:
    if len(text) > _MAX_NUMBER_TEXT:
        raise _Mismatch
    try:
        return int(text)
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        raise _Mismatch from None
    if number - number != 0.0:  # inf or nan
        raise _Mismatch
    return number


def _structure_str(value: Any, _: Any) -> Any:
    if value is None or value.__class__ is str:
        return value
    raise _Mismatch


def _structure_int(value: Any, _: Any) -> Any:
    if value is None or value.__class__ is int:
        return value
    if value.__class__ is str:
        value = _number_from_text(value)
        if value.__class__ is int:
            return value
    if value.__class__ is float and value.is_integer() and abs(value) <= _EXACT_FLOAT_INT:
        return int(value)
    raise _Mismatch


def _structure_float(value: Any, _: Any) -> Any:
    cls = value.__class__
    if cls is float:
        if value - value == 0.0:
            return value
        raise _Mismatch
    if value is None or cls is int:
        return value
    if cls is str:
        return _number_from_text(value)
    raise _Mismatch


_BOOL_WORDS = {"true": True, "false": False}


def _structure_bool(value: Any, _: Any) -> Any:
    if value is None or value.__class__ is bool:
        return value
    if value.__class__ is str:
        word = _BOOL_WORDS.get(value.strip().lower())
        if word is not None:
            return word
    elif value.__class__ is int and value in (0, 1):
        return value == 1
    raise _Mismatch


def _structure_datetime(value: Any, _: Any) -> Any:
    if value is None:
        return None
    if value.__class__ is not str:
        raise _Mismatch
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise _Mismatch from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _structure_date(value: Any, _: Any) -> Any:
    if value is None:
        return None
    if value.__class__ is not str:
        raise _Mismatch
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _Mismatch from None


def _to_datetime(value: object) -> datetime:
    """An ISO 8601 string as an aware datetime (naive ones are UTC); else _Mismatch."""
    if value is None:
        raise _Mismatch
    return _structure_datetime(value, datetime)  # type: ignore[no-any-return]


def _to_date(value: object) -> date:
    """An ISO 8601 date string as a date; else _Mismatch."""
    if value is None:
        raise _Mismatch
    return _structure_date(value, date)  # type: ignore[no-any-return]


def _structure_any(value: Any, _: Any) -> Any:
    return value


# The classes a scalar type accepts as they are (for checking the items of a list quickly).
_ACCEPTED: dict[object, frozenset[type]] = {
    str: frozenset({str}),
    int: frozenset({int}),
    float: frozenset({float, int}),
    bool: frozenset({bool}),
}

_SCALAR_HOOKS: dict[object, _Hook] = {
    str: _structure_str,
    int: _structure_int,
    float: _structure_float,
    bool: _structure_bool,
    datetime: _structure_datetime,
    date: _structure_date,
}


# --- unions ---------------------------------------------------------------------------------


def _union_members(tp: object) -> tuple[object, ...] | None:
    if typing.get_origin(tp) in (typing.Union, _UnionType):
        return tuple(arg for arg in typing.get_args(tp) if arg is not _NoneType)
    return None


def _is_optional(tp: object) -> bool:
    members = _union_members(tp)
    return members is not None and len(members) == 1 and _NoneType in typing.get_args(tp)


def _is_model(tp: object) -> bool:
    return isinstance(tp, type) and attrs.has(tp)


def _optional_structure_hook(tp: Any, conv: cattrs.Converter) -> _Hook:
    """`X | None`: scalar hooks already read null as None; collections would read it as
    empty, so null stays None in front of them (`None` and `{}` can mean different things)."""
    (inner,) = _union_members(tp) or ()
    if isinstance(inner, type) and attrs.has(inner):
        return _field_model_hook(inner, conv)
    inner_hook = conv.get_structure_hook(inner)
    if not (_is_list(inner) or _is_dict(inner)):
        return inner_hook

    def structure_optional(value: Any, _: Any) -> Any:
        return None if value is None else inner_hook(value, inner)

    return structure_optional


def _union_structure_hook(tp: Any, conv: cattrs.Converter) -> _Hook:
    """`AgentVersion | str`, `bool | str`: an object goes to the model, a scalar stays."""
    members = _union_members(tp) or ()
    models = [member for member in members if _is_model(member)]
    if len(models) > 1:
        raise TypeError(f"cannot tell apart the models of {tp!r}")
    model_hook = conv.get_structure_hook(models[0]) if models else None
    accepted: set[type] = set()
    for member in members:
        accepted |= _ACCEPTED.get(member, frozenset())

    def structure_union(value: Any, _: Any) -> Any:
        if value is None or value.__class__ in accepted:
            return value
        if model_hook is not None and value.__class__ is dict:
            return model_hook(value, None)
        raise _Mismatch

    return structure_union


# --- lists and dicts ------------------------------------------------------------------------


def _item_type(tp: Any) -> Any:
    args = typing.get_args(tp)
    if typing.get_origin(tp) is dict:
        return args[1] if args else Any
    return args[0] if args else Any


def _is_list(tp: object) -> bool:
    return tp is list or typing.get_origin(tp) is list


def _is_dict(tp: object) -> bool:
    return tp is dict or typing.get_origin(tp) is dict


def _locate(items: Any, read: _Hook, item_type: Any) -> None:
    """Re-read item by item to find which one is not an object, and prefix its place."""
    for place, item in items:
        try:
            read(item, item_type)
        except _NotAnObject as exc:
            exc.path.append(place)
            raise


def _list_structure_hook(tp: Any, conv: cattrs.Converter) -> _Hook:
    item_type = _item_type(tp)
    if item_type is Any:

        def structure_json_list(value: Any, _: Any) -> Any:
            if value is None:
                return []
            if value.__class__ is not list:
                raise _Mismatch
            return value

        return structure_json_list

    if item_type in _ACCEPTED:
        only_accepted = _ACCEPTED[item_type].issuperset

        def structure_scalars(value: Any, _: Any) -> Any:
            if value is None:
                return []
            if value.__class__ is not list or not only_accepted(map(type, value)):
                raise _Mismatch
            return value

        return structure_scalars

    read = conv.get_structure_hook(item_type)
    fast = _MANY.get(read)

    def structure_items(value: Any, _: Any) -> Any:
        if value is None:
            return []
        if value.__class__ is not list:
            raise _Mismatch
        if not value:
            return []
        try:
            if fast is not None:
                return fast.many(value)  # compiled on first use, then kept
            return [read(item, item_type) for item in value]
        except _NotAnObject:
            _locate(((f"[{index}]", item) for index, item in enumerate(value)), read, item_type)
            raise

    return structure_items


def _dict_structure_hook(tp: Any, conv: cattrs.Converter) -> _Hook:
    item_type = _item_type(tp)
    if item_type is Any:

        def structure_json_dict(value: Any, _: Any) -> Any:
            if value is None:
                return {}
            if value.__class__ is not dict:
                raise _Mismatch
            return value

        return structure_json_dict

    read = conv.get_structure_hook(item_type)

    def structure_items(value: Any, _: Any) -> Any:
        if value is None:
            return {}
        if value.__class__ is not dict:
            raise _Mismatch
        if not value:
            return {}
        try:
            return {key: read(item, item_type) for key, item in value.items()}
        except _NotAnObject:
            _locate(((f"[{key!r}]", item) for key, item in value.items()), read, item_type)
            raise

    return structure_items


# --- fields ---------------------------------------------------------------------------------

_only_dicts = frozenset({dict}).issuperset


def _field_model_hook(cls: type, conv: cattrs.Converter) -> _Hook:
    """A single nested object: anything else is a mismatch kept in `.extra`, not an error."""
    structure_model = conv.get_structure_hook(cls)

    def structure_nested(value: Any, _: Any) -> Any:
        if value is None:
            return None
        if value.__class__ is not dict:
            raise _Mismatch
        return structure_model(value, cls)

    return structure_nested


def _contains_model(tp: Any) -> bool:
    return _is_model(tp) or any(_contains_model(arg) for arg in typing.get_args(tp))


def _lazy_hook(tp: Any, conv: cattrs.Converter) -> _Hook:
    """A list or dict of models, checked to be objects now and built on first read.

    The check is complete only when the items hold no models of their own (then building
    cannot fail later, on a read); other lazy fields are refused."""
    build_hook = conv.get_structure_hook(tp)
    item_type = _item_type(tp)
    if not _is_model(item_type) or not (_is_list(tp) or _is_dict(tp)):
        raise TypeError(f"lazy fields must be lists or dicts of models, not {tp!r}")
    hints = typing.get_type_hints(item_type)
    if any(_contains_model(hints[field.name]) for field in attrs.fields(item_type)):
        raise TypeError(f"lazy fields' models must hold no models: {item_type.__name__}")
    container = list if _is_list(tp) else dict
    read = conv.get_structure_hook(item_type)
    fast = _MANY.get(read)
    if fast is not None:
        variant = "many" if container is list else "many_values"
        built: list[Callable[[Any], Any]] = []

        def build(raw: Any) -> Any:
            if not built:  # compiled on the first read of such a field
                built.append(getattr(fast, variant))
            return built[0](raw)

    else:

        def build(raw: Any) -> Any:
            return build_hook(raw, tp)

    def structure_lazily(value: Any, _: Any) -> Any:
        if value is None or not value:
            if value is None or value.__class__ is container:
                return container()
            raise _Mismatch
        if value.__class__ is not container:
            raise _Mismatch
        items = value.values() if value.__class__ is dict else value
        if not _only_dicts(map(type, items)):
            build_hook(value, tp)  # raises _NotAnObject with the item's place
        return Deferred((value, build))

    structure_lazily.container = container  # type: ignore[attr-defined]
    structure_lazily.build = build  # type: ignore[attr-defined]
    return structure_lazily


def _field_hook(field: attrs.Attribute[Any], tp: Any, conv: cattrs.Converter) -> _Hook:
    if field.metadata.get(LAZY):
        return _lazy_hook(tp, conv)
    if _is_model(tp):
        return _field_model_hook(tp, conv)
    return conv.get_structure_hook(tp)


# --- models ---------------------------------------------------------------------------------

# The docs' shapes, read into the backend's before a model is built: (body) -> (body, extra).
_Reader = Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]]
_READERS: dict[type, _Reader] = {
    CallExecution: call_row_in_backend_shape,
    TestExecutionPage: group_rows_apart,
}


def _fold_aliases(
    o: dict[str, Any], aliases: list[tuple[str, tuple[str, ...]]]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Move an alias's value to its attribute's key; a second spelling goes to `.extra`."""
    moved: dict[str, Any] = {}
    copied = False
    for name, keys in aliases:
        for key in keys:
            if key not in o:
                continue
            if not copied:  # never change the caller's data
                o, copied = dict(o), True
            value = o.pop(key)
            if o.get(name) is None:
                o[name] = value
            elif value is not None:
                moved[key] = value
    return o, moved


def _check_model(cls: type) -> None:
    if not attrs.has(cls) or "extra" not in attrs.fields_dict(cls):
        raise TypeError(f"{cls.__name__} is not a model: an attrs class with an `extra` field")


def _model_structure_hook(cls: type, conv: cattrs.Converter, *, slots: bool) -> _Hook:
    """The model's hook: its docs-shape reader and aliases, then its builder (cattrs'
    generated function, or with `slots` the slot-setting one of `_build`), then `.extra`."""
    _check_model(cls)
    hints = typing.get_type_hints(cls)
    fields = [field for field in attrs.fields(cls) if field.name != "extra"]
    hooks = {field.name: _field_hook(field, hints[field.name], conv) for field in fields}
    aliases = [(f.name, tuple(f.metadata[ALIASES])) for f in fields if f.metadata.get(ALIASES)]
    known = frozenset(hooks).union(*(keys for _, keys in aliases))
    known_superset = known.issuperset
    required = tuple(field.name for field in fields if field.metadata.get(REQUIRED))
    reader = _READERS.get(cls)
    if slots:
        types = {name: _strip_none(hints[name]) for name in hooks}
        # The general path's builder, compiled when first needed (the fast path below
        # serves every object that fits).
        slot_builder: list[_Hook] = []

        def build(o: dict[str, Any], _: Any) -> Any:
            if not slot_builder:
                slot_builder.append(make_slot_builder(cls, hooks, types))
            return slot_builder[0](o, cls)

    else:
        overrides: dict[str, Any] = {name: override(struct_hook=h) for name, h in hooks.items()}
        build = make_dict_structure_fn(  # type: ignore[assignment]
            cls,
            conv,
            _cattrs_forbid_extra_keys=False,
            _cattrs_detailed_validation=False,
            extra=override(omit=True),
            **overrides,
        )

    def probe(o: dict[str, Any]) -> dict[str, Any]:
        """The values that do not fit, by key; raises _NotAnObject with the field's name."""
        misfits: dict[str, Any] = {}
        for name, hook in hooks.items():
            if name in o:
                try:
                    hook(o[name], None)
                except _Mismatch:
                    misfits[name] = o[name]
                except _NotAnObject as exc:
                    exc.path.append(f".{name}")
                    raise
        return misfits

    def structure_model(o: Any, _: Any = None) -> Any:
        if o.__class__ is not dict:
            if not isinstance(o, Mapping):
                raise _NotAnObject(cls, o)
            o = dict(o)
        extra: dict[str, Any] | None = None
        if reader is not None:
            o, extra = reader(o)
        if aliases:
            o, moved = _fold_aliases(o, aliases)
            if moved:
                extra = {**extra, **moved} if extra else moved
        for name in required:
            if o.get(name).__class__ is not str:
                raise _NotAnObject(cls, o, missing=name)
        try:
            obj = build(o, cls)
        except (_Mismatch, _NotAnObject):
            misfits = probe(o)
            obj = build({k: v for k, v in o.items() if k not in misfits}, cls)
            extra = {**extra, **misfits} if extra else misfits
        if extra:
            obj.extra.update(extra)
        if not known_superset(o):
            bag = obj.extra
            for key in o:
                if key not in known:
                    bag[key] = o[key]
        return obj

    if not slots:
        return structure_model
    # The common case in generated code; anything unusual goes to structure_model.
    fast = make_fast_structure(
        cls,
        hooks,
        types,
        aliases=dict(aliases),
        known=known,
        reader=reader,
        lazy={
            f.name: (hooks[f.name].container, hooks[f.name].build)  # type: ignore[attr-defined]
            for f in fields
            if f.metadata.get(LAZY)
        },
        bail=(_Mismatch, _NotAnObject),
        slow=structure_model,
    )
    _MANY[fast.one] = fast
    return fast.one  # type: ignore[no-any-return]


# A model's generated hook -> its list and dict versions (see `_build.FastStructure`).
_MANY: dict[_Hook, FastStructure] = {}


def _strip_none(tp: Any) -> Any:
    members = _union_members(tp)
    return members[0] if members is not None and len(members) == 1 else tp


# --- unstructuring --------------------------------------------------------------------------


def _iso(value: datetime | date) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _copy_json(value: Any, conv: cattrs.Converter) -> Any:
    """A deep copy of JSON data without recursion (nesting depth costs no stack)."""
    cls = value.__class__
    if cls is not dict and cls is not list and cls is not tuple:
        return _iso(value) if isinstance(value, date) else value
    top: Any = {} if cls is dict else []
    stack = [(value, top)]
    while stack:
        source, target = stack.pop()
        is_dict = target.__class__ is dict
        for key, item in source.items() if is_dict else enumerate(source):
            item_cls = item.__class__
            copied: Any = item
            if item_cls is dict:
                copied = {}
                stack.append((item, copied))
            elif item_cls is list or item_cls is tuple:
                copied = []
                stack.append((item, copied))
            elif isinstance(item, date):
                copied = _iso(item)
            elif attrs.has(item_cls):
                copied = conv.unstructure(item)
            if is_dict:
                target[key] = copied
            else:
                target.append(copied)
    return top


def _is_plain_json(tp: object) -> bool:
    """Any, or lists and dicts of it: data kept as parsed, copied as it is."""
    if tp is Any or tp in _ACCEPTED or tp is list or tp is dict:
        return True
    if _is_list(tp) or _is_dict(tp):
        return _is_plain_json(_item_type(tp))
    return False


def _unstructure_optional(tp: Any, conv: cattrs.Converter) -> Callable[[Any], Any]:
    (inner,) = _union_members(tp) or ()
    unstructure_inner = conv.get_unstructure_hook(inner)
    return lambda value: None if value is None else unstructure_inner(value)


def _model_unstructure_hook(cls: type, conv: cattrs.Converter) -> Callable[[Any], dict[str, Any]]:
    _check_model(cls)
    build: Callable[[Any], dict[str, Any]] = make_dict_unstructure_fn(
        cls, conv, extra=override(omit=True)
    )

    def unstructure_model(obj: Any) -> dict[str, Any]:
        data: dict[str, Any] = build(obj)
        if obj.extra:
            data.update(_copy_json(obj.extra, conv))
        return data

    return unstructure_model


# --- the converter -------------------------------------------------------------------------


def make_converter(*, slot_builder: bool = True) -> cattrs.Converter:
    """A converter with the whole policy registered. `slot_builder=False` builds every model
    with cattrs' generated function alone (the benchmark compares the two)."""
    conv = cattrs.Converter()
    for tp, hook in _SCALAR_HOOKS.items():
        conv.register_structure_hook(tp, hook)
    conv.register_structure_hook_func(lambda tp: tp is Any, _structure_any)
    conv.register_structure_hook_factory(_is_optional, _optional_structure_hook)
    conv.register_structure_hook_factory(
        lambda tp: _union_members(tp) is not None and not _is_optional(tp), _union_structure_hook
    )
    conv.register_structure_hook_factory(_is_list, _list_structure_hook)
    conv.register_structure_hook_factory(_is_dict, _dict_structure_hook)
    conv.register_structure_hook_factory(
        _is_model, lambda cls, c: _model_structure_hook(cls, c, slots=False)
    )
    if slot_builder:  # registered later, so asked first
        conv.register_structure_hook_factory(
            buildable, lambda cls, c: _model_structure_hook(cls, c, slots=True)
        )
    conv.register_unstructure_hook(datetime, _iso)
    conv.register_unstructure_hook(date, _iso)
    conv.register_unstructure_hook_func(_is_plain_json, lambda value: _copy_json(value, conv))
    conv.register_unstructure_hook_factory(_is_optional, _unstructure_optional)
    conv.register_unstructure_hook_factory(_is_model, _model_unstructure_hook)
    return conv


converter = make_converter()


# --- the public functions -------------------------------------------------------------------


def _describe(value: object) -> str:
    kind = "null" if value is None else type(value).__name__
    return f"{kind} {preview(value, 60)}"


def _decode_error(name: str, exc: _NotAnObject) -> ResponseDecodeError:
    where = "".join(reversed(exc.path))
    if exc.missing is not None:
        return ResponseDecodeError(
            f"cannot read {name}{where}: a {exc.cls.__name__} needs a string "
            f"`{exc.missing}`, got {_describe(exc.value)}"
        )
    return ResponseDecodeError(
        f"cannot read {name}{where}: expected a JSON object ({exc.cls.__name__}), "
        f"got {_describe(exc.value)}"
    )


def _structure(data: object, tp: Any, name: str) -> Any:
    try:
        return converter.structure(data, tp)
    except _NotAnObject as exc:
        raise _decode_error(name, exc) from None
    except _Mismatch:
        raise ResponseDecodeError(f"cannot read {name}: got {_describe(data)}") from None


def structure(data: object, cls: type[T]) -> T:
    """`data` (parsed JSON) as a `cls`, by the tolerance policy above.

    Raises `ResponseDecodeError` naming the model and the path when an object is missing
    where one must be, or when `data` does not fit `cls` at all.
    """
    return _structure(data, cls, getattr(cls, "__name__", None) or str(cls))  # type: ignore[no-any-return]


def structure_list(data: object, cls: type[T]) -> list[T]:
    """A JSON array of `cls` objects, every item kept; `ResponseDecodeError` otherwise."""
    if not isinstance(data, list):
        raise ResponseDecodeError(
            f"cannot read a list of {cls.__name__}: expected a JSON array, got {_describe(data)}"
        )
    return _structure(data, list[cls], f"list[{cls.__name__}]")  # type: ignore[valid-type,no-any-return]


def unstructure(obj: object) -> Any:
    """`obj` as JSON data: `.extra` merged back, datetimes as ISO 8601 strings."""
    return converter.unstructure(obj)
