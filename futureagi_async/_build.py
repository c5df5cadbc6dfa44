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
"""

from __future__ import annotations

import linecache
from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .models._base import LAZY, REQUIRED

__all__ = ["buildable", "make_slot_builder"]

_Hook = Callable[[Any, Any], Any]

# Types checked inline: the test that accepts a (non-null) value as it is. Anything else goes
# through the field's hook, which coerces, raises, or builds the nested models.
_INLINE_ACCEPT: dict[Any, str] = {
    str: "v.__class__ is str",
    int: "v.__class__ is int",
    bool: "v.__class__ is bool",
    float: "(v.__class__ is float and v - v == 0.0) or v.__class__ is int",
    Any: "True",
    dict[str, Any]: "v.__class__ is dict",
    list[Any]: "v.__class__ is list",
}


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
    assigning `__class__`. None when CPython would refuse the switch (a base with its own
    `__setattr__`, or a layout it does not see as the same)."""
    generic: Any = object.__setattr__
    if any(base.__setattr__ is not generic for base in cls.__bases__):
        return None
    own = cls.__dict__.get("__slots__", ())
    twin = type(f"_Unfrozen{cls.__name__}", cls.__bases__, {"__slots__": tuple(own)})
    probe: Any = object.__new__(twin)
    try:
        probe.__class__ = cls
    except TypeError:
        return None
    return twin


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
    for index, field in enumerate(attrs.fields(cls)):
        name = field.name
        if twin is not None:
            store = f"    obj.{name} = {{}}"
        else:
            namespace[f"set{index}"] = _setter(cls, name)
            store = f"    set{index}(obj, {{}})"
        if name == "extra":
            lines.append(store.format("{}"))
            continue
        namespace[f"hook{index}"] = hooks[name]
        accept = None if field.metadata.get(LAZY) else _INLINE_ACCEPT.get(types[name])
        empty = _empty(field)
        lines.append(f"    v = g({name!r})")
        if empty == "None" and accept is None:
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
    lines.append("    return obj")
    source = "\n".join(lines) + "\n"
    filename = f"<futureagi_async slot builder {cls.__module__}.{cls.__qualname__}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return namespace[f"build_{cls.__name__}"]  # type: ignore[no-any-return]
