"""A model's builder that sets its slots directly: the converter's fast path.

cattrs' generated function ends in `cls(**fields)`; attrs' `__init__` then sets every
attribute through `object.__setattr__`. For a 70-field call row that call is half the cost
of structuring it, so for the classes where it is safe this module generates a builder that
creates the instance with `object.__new__` and calls each slot's own setter, checking the
common scalar types inline and handing everything else to the field's converter hook.

It is safe only when `__init__` would do nothing more than set the attributes, so it
refuses classes with validators, converters, `on_setattr` hooks, pre/post-init hooks,
`init=False` fields, or defaults other than None or an empty list/dict (`buildable`). Its
source is registered in `linecache`, so tracebacks through it show the code.

`make_fast_structure` goes further for the same classes: the model's whole structure hook
(aliases, datetimes, lazy fields, required ids and unknown keys read inline), handing anything
unusual back to the converter's general hook. Slot stores are plain assignments on a twin
class, switched to the model's class at the end.
"""

from __future__ import annotations

import linecache
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from .models._base import LAZY, REQUIRED, Deferred

__all__ = ["FastStructure", "buildable", "make_fast_structure", "make_slot_builder"]

_Hook = Callable[[Any, Any], Any]

# The shapes (sets of keys, in order) of a model's items that get their own generated code.
MAX_SHAPES = 16

# Types checked inline: the test that accepts a (non-null) value as it is. Anything else goes
# through the field's hook, which coerces, raises, or builds the nested models.
# (`type(v)` is a specialised call in CPython 3.11, faster than reading `v.__class__`.)
_INLINE_ACCEPT: dict[Any, str] = {
    str: "type(v) is str",
    int: "type(v) is int",
    bool: "type(v) is bool",
    float: "(type(v) is float and v - v == 0.0) or type(v) is int",
    Any: "True",
    dict[str, Any]: "type(v) is dict",
    list[Any]: "type(v) is list",
}


def _accept(tp: Any) -> str | None:
    """The inline test for `tp`, also for a union of scalars (`bool | str | None`)."""
    if tp in _INLINE_ACCEPT:
        return _INLINE_ACCEPT[tp]
    members = [arg for arg in typing.get_args(tp) if arg is not type(None)]
    is_union = typing.get_origin(tp) in (typing.Union, types.UnionType)
    if is_union and members and all(member in (str, int, bool) for member in members):
        return " or ".join(_INLINE_ACCEPT[member] for member in members)
    return None


def _empty(field: attrs.Attribute[Any]) -> str | None:
    """The literal a missing value becomes, or None when the default is not supported."""
    default: Any = field.default
    if default is None or (default is attrs.NOTHING and field.metadata.get(REQUIRED)):
        # A required field's key is checked by the converter before the builder runs.
        return "None"
    factory = getattr(default, "factory", None)
    if factory is list and not default.takes_self:
        return "[]"
    if factory is dict and not default.takes_self:
        return "{}"
    return None


def _slot(cls: type, name: str) -> Any:
    """The descriptor that stores `name`: a slot, or a descriptor in front of one."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def _setter(cls: type, name: str) -> Callable[[object, object], None] | None:
    descriptor = _slot(cls, name)
    inner = getattr(descriptor, "slot", descriptor)  # a lazy field's descriptor wraps the slot
    if type(inner).__name__ != "member_descriptor":
        return None
    return inner.__set__  # type: ignore[no-any-return]


def buildable(cls: type) -> bool:
    """Whether setting the slots directly builds the same instance `__init__` would."""
    if not (isinstance(cls, type) and attrs.has(cls)):
        return False
    if "__attrs_post_init__" in dir(cls) or "__attrs_pre_init__" in dir(cls):
        return False
    for field in attrs.fields(cls):
        if field.validator is not None or field.converter is not None or not field.init:
            return False
        if field.on_setattr not in (None, attrs.setters.NO_OP):
            return False
        if _empty(field) is None or _setter(cls, field.name) is None:
            return False
    return True


def _twin(cls: type) -> type | None:
    """A plain class with `cls`'s slot layout, whose attributes can be set with a simple
    assignment (the fastest way CPython sets a slot); an instance of it becomes a `cls` by
    assigning `__class__`. None when CPython would refuse the switch (a layout it does not
    see as the same).

    The twin shares `cls`'s bases and adds the same slots; it takes back object's
    `__setattr__` and `__delattr__` (both: they share one C slot), so a subclass of a frozen
    class (`EvalMetric` of `EvalOutput`) gets plain slot stores too."""
    own = cls.__dict__.get("__slots__", ())
    namespace = {
        "__slots__": tuple(own),
        "__setattr__": object.__setattr__,
        "__delattr__": object.__delattr__,
    }
    twin = type(f"_Unfrozen{cls.__name__}", cls.__bases__, namespace)
    probe: Any = object.__new__(twin)
    try:
        probe.__class__ = cls
    except TypeError:
        return None
    return twin


def _field_lines(
    cls: type,
    hooks: Mapping[str, _Hook],
    types: Mapping[str, Any],
    namespace: dict[str, Any],
    *,
    twin: type | None,
    aliases: Mapping[str, tuple[str, ...]],
    lazy: Mapping[str, tuple[type, Callable[[Any], Any]]] | None = None,
    shape: tuple[str, ...] | None = None,
    seeded: bool = False,
) -> list[str]:
    """The body that reads every field of `cls` from `g` (the dict's `get`) into `obj`.

    With a `shape` (the dict's keys, in order), values are read from the locals `k0`,
    `k1`, ... instead (the dict's values, unpacked), a missing field is stored as its empty
    value without a test, and `.extra` is made from the keys the model does not know
    (after `seed`'s, when `seeded`).

    With `aliases`, an alias key's value is taken when the field's own is missing or null;
    when both carry a value the code raises `bail` (the caller's slow path keeps the second
    one in `.extra`). With `lazy` (field -> (container, build)), a lazy field whose items are
    all objects is deferred inline, and a datetime is parsed inline; anything else raises
    `bail` (or ValueError) for the slow path to read."""
    lines = []
    for index, field in enumerate(attrs.fields(cls)):
        name = field.name
        if twin is not None:
            store = f"    obj.{name} = {{}}"
        else:
            namespace[f"set{index}"] = _setter(cls, name)
            store = f"    set{index}(obj, {{}})"
        if name == "extra":
            if shape is None:
                lines.append(store.format("{}"))
                continue
            known = {f.name for f in attrs.fields(cls)} | {k for ks in aliases.values() for k in ks}
            unknown = [f"{key!r}: k{i}" for i, key in enumerate(shape) if key not in known]
            bag = ", ".join((["**seed"] if seeded else []) + unknown)
            lines.append(store.format("{" + bag + "}"))
            continue
        namespace[f"hook{index}"] = hooks[name]
        accept = None if field.metadata.get(LAZY) else _accept(types[name])
        empty = _empty(field)
        if shape is None:
            lines.append(f"    v = g({name!r})")
            alias_keys: tuple[str, ...] = aliases.get(name, ())
        else:
            alias_keys = tuple(key for key in aliases.get(name, ()) if key in shape)
            if name not in shape and not alias_keys:
                if field.metadata.get(REQUIRED):  # (shapes are fast path only)
                    lines.append("    raise bail")  # the general path says what is missing
                else:
                    lines.append(store.format(empty))  # missing: nothing to read or test
                continue
            lines.append(f"    v = k{shape.index(name)}" if name in shape else "    v = None")
        for key in alias_keys:
            source = f"g({key!r})" if shape is None else f"k{shape.index(key)}"
            lines += [
                f"    w = {source}",
                "    if w is not None:",
                "        if v is not None:",
                "            raise bail",
                "        v = w",
            ]
        if lazy is not None and field.metadata.get(REQUIRED):
            # (Fast path) an id the body must carry as a string: anything else is the
            # general path's error to raise.
            lines += ["    if type(v) is not str:", "        raise bail"]
        elif lazy is not None and name in lazy:
            container, build = lazy[name]
            namespace[f"build{index}"] = build
            namespace[f"container{index}"] = container
            lines += [
                "    if v is None:",
                f"        v = {empty}",
                f"    elif type(v) is not container{index}:",
                "        raise bail",
                "    elif not v:",
                f"        v = {empty}",
                f"    elif only_dicts(map(type, v{'.values()' if container is dict else ''})):",
                f"        v = deferred((v, build{index}))",
                "    else:",
                "        raise bail",
            ]
        elif lazy is not None and types[name] is datetime:
            lines += [
                "    if v is not None:",
                "        if type(v) is not str:",
                "            raise bail",
                "        v = fromisoformat(v)",
                "        if v.tzinfo is None:",
                "            v = v.replace(tzinfo=UTC)",
            ]
        elif empty == "None" and accept is None:
            lines += ["    if v is not None:", f"        v = hook{index}(v, None)"]
        elif empty == "None":
            if accept != "True":
                lines += [
                    f"    if v is not None and not ({accept}):",
                    f"        v = hook{index}(v, None)",
                ]
        else:
            lines += ["    if v is None:", f"        v = {empty}"]
            if accept is None:
                lines += ["    else:", f"        v = hook{index}(v, None)"]
            elif accept != "True":
                lines += [f"    elif not ({accept}):", f"        v = hook{index}(v, None)"]
        lines.append(store.format("v"))
    if twin is not None:
        lines.append("    obj.__class__ = cls")
    return lines


def _compile(cls: type, kind: str, function: str, source: str, namespace: dict[str, Any]) -> Any:
    filename = f"<futureagi_async {kind} {cls.__module__}.{cls.__qualname__}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return namespace[function]


def make_slot_builder(
    cls: type, hooks: Mapping[str, _Hook], types: Mapping[str, Any]
) -> Callable[[dict[str, Any], Any], Any]:
    """`build(o, cls)`: an instance of `cls` from a dict, each field read by `hooks[name]`
    (its common types checked inline, by `types[name]`), `extra` left empty."""
    if not buildable(cls):
        raise TypeError(f"{cls.__name__} cannot be built slot by slot")
    twin = _twin(cls)
    namespace: dict[str, Any] = {"new": object.__new__, "cls": cls, "twin": twin or cls}
    lines = [f"def build_{cls.__name__}(o, _=None):", "    obj = new(twin)", "    g = o.get"]
    lines += _field_lines(cls, hooks, types, namespace, twin=twin, aliases={})
    lines.append("    return obj")
    source = "\n".join(lines) + "\n"
    return _compile(cls, "slot builder", f"build_{cls.__name__}", source, namespace)  # type: ignore[no-any-return]


class FastStructure:
    """A model's generated structure functions: `one(o, _=None)`, the model from one JSON
    object; `many(items)`, a list of models from a list of objects; `many_values(items)`, a
    dict of models from a dict of objects. The last two are compiled when first asked for
    (compiling costs milliseconds; most models are never read in lists)."""

    def __init__(self, cls: type, one: Any, sources: dict[str, str], namespace: dict[str, Any]):
        self.one = one
        self._cls = cls
        self._sources = sources
        self._namespace = namespace

    def _variant(self, function: str) -> Any:
        if function not in self._namespace:
            source = self._sources[function]
            _compile(self._cls, f"fast structure ({function})", function, source, self._namespace)
        return self._namespace[function]

    @property
    def many(self) -> Callable[[list[Any]], list[Any]]:
        return self._variant(f"structure_list_{self._cls.__name__}")  # type: ignore[no-any-return]

    @property
    def many_values(self) -> Callable[[dict[str, Any]], dict[str, Any]]:
        return self._variant(f"structure_values_{self._cls.__name__}")  # type: ignore[no-any-return]


def make_fast_structure(
    cls: type,
    hooks: Mapping[str, _Hook],
    types: Mapping[str, Any],
    *,
    aliases: Mapping[str, tuple[str, ...]],
    known: frozenset[str],
    reader: Callable[[dict[str, Any]], tuple[dict[str, Any], dict[str, Any]]] | None,
    lazy: Mapping[str, tuple[type, Callable[[Any], Any]]],
    bail: tuple[type[BaseException], ...],
    slow: _Hook,
) -> FastStructure:
    """The whole of a model's structure hook as generated code, for the common case: `o` a
    dict, every value fitting or coerced by its hook, no key given twice through an alias.
    Anything else (an exception in `bail`, or a ValueError, on the way) is handed to
    `slow(o, None)`, the general hook, which reads that object again from the start; the
    fast path has changed nothing by then. Unknown keys go to `.extra`, as there.

    The list and dict versions run the same code in a loop (no call per item): the items of
    transcripts and eval maps."""
    if not buildable(cls):
        raise TypeError(f"{cls.__name__} cannot be built slot by slot")
    twin = _twin(cls)
    name = cls.__name__
    namespace: dict[str, Any] = {
        "new": object.__new__,
        "cls": cls,
        "twin": twin or cls,
        "slow": slow,
        "bail": bail[0],
        "bails": (*bail, ValueError),
        "reader": reader,
        "known": known,
        "known_superset": known.issuperset,
        "only_dicts": frozenset({dict}).issuperset,
        "deferred": Deferred,
        "fromisoformat": datetime.fromisoformat,
        "UTC": UTC,
    }
    fields = _field_lines(cls, hooks, types, namespace, twin=twin, aliases=aliases, lazy=lazy)
    body = [
        "try:",
        *(["    r, seed = reader(o)"] if reader is not None else ["    r = o"]),
        "    obj = new(twin)",
        "    g = r.get",
        *fields,
        "except bails:",
        "    obj = slow(o, None)",
        "else:",
        *(["    if seed:", "        obj.extra.update(seed)"] if reader is not None else []),
        "    if not known_superset(r):",
        "        bag = obj.extra",
        "        for key in r:",
        "            if key not in known:",
        "                bag[key] = r[key]",
    ]

    def indent(lines: list[str], depth: int) -> list[str]:
        return [" " * (4 * depth) + line for line in lines]

    one = [
        f"def structure_{name}(o, _=None):",
        "    if o.__class__ is not dict:",
        "        return slow(o, None)",
        *indent(body, 1),
        "    return obj",
    ]
    # The loops read the items of a list or dict, which mostly share one set of keys: the
    # code for a shape (the keys, in order) is generated when it is first seen, and reads
    # the values by position. Past MAX_SHAPES shapes, an item goes through `one`.
    dispatch = [
        *(["r, seed = reader(o)"] if reader is not None else ["r, seed = o, None"]),
        "key = tuple(r)",
        "shaped = shapes_get(key)",
        "if shaped is None:",
        "    shaped = learn(key)",
        "obj = shaped(o, r, seed)",
    ]
    in_list = [
        f"def structure_list_{name}(items):",
        "    out = []",
        "    append = out.append",
        "    for o in items:",
        "        if o.__class__ is not dict:",
        "            append(slow(o, None))",
        "            continue",
        *indent(dispatch, 2),
        "        append(obj)",
        "    return out",
    ]
    in_dict = [
        f"def structure_values_{name}(items):",
        "    out = {}",
        "    for k, o in items.items():",
        "        if o.__class__ is not dict:",
        "            out[k] = slow(o, None)",
        "            continue",
        *indent(dispatch, 2),
        "        out[k] = obj",
        "    return out",
    ]
    shapes: dict[tuple[str, ...], Callable[[Any, Any, Any], Any]] = {}

    def learn(key: tuple[str, ...]) -> Callable[[Any, Any, Any], Any]:
        if len(shapes) >= MAX_SHAPES:
            return lambda o, r, seed: namespace[f"structure_{name}"](o)
        function = f"shape_{name}_{len(shapes)}"
        fields = _field_lines(
            cls,
            hooks,
            types,
            namespace,
            twin=twin,
            aliases=aliases,
            lazy=lazy,
            shape=key,
            seeded=reader is not None,
        )
        lines = [
            f"def {function}(o, r, seed):",
            "    try:",
            *(
                [f"        {', '.join(f'k{i}' for i in range(len(key)))}, = r.values()"]
                if key
                else []
            ),
            "        obj = new(twin)",
            *indent(fields, 1),
            "    except bails:",
            "        return slow(o, None)",
            "    return obj",
        ]
        source = "\n".join(lines) + "\n"
        shapes[key] = _compile(cls, f"fast structure ({function})", function, source, namespace)
        return shapes[key]

    namespace["shapes_get"] = shapes.get
    namespace["learn"] = learn
    sources = {lines[0][4:].split("(")[0]: "\n".join(lines) + "\n" for lines in (in_list, in_dict)}
    function = f"structure_{name}"
    _compile(cls, "fast structure", function, "\n".join(one) + "\n", namespace)
    return FastStructure(cls, namespace[function], sources, namespace)
