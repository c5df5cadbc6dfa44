"""Field-by-field: a parsed model against the JSON it was parsed from.

Every key of the recorded JSON must be an attribute of the model (by name, or by one of its
aliases) and hold the same value; `.extra` must stay empty at every level, so no key of a
real body is left unread.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import attrs

from futureagi_async._convert import _to_date, _to_datetime
from futureagi_async.models._base import ALIASES

__all__ = ["assert_matches", "assert_rows_match"]


def _field_for(cls: type) -> dict[str, str]:
    names: dict[str, str] = {}
    for field in attrs.fields(cls):
        if field.name == "extra":
            continue
        names[field.name] = field.name
        for alias in field.metadata.get(ALIASES, ()):
            names.setdefault(alias, field.name)
    return names


def assert_rows_match(models: Sequence[object], raws: Sequence[Any]) -> None:
    """Each model against its recorded row, in order: the same rows, field by field."""
    assert len(models) == len(raws), f"{len(models)} rows, recorded {len(raws)}"
    for index, (model, raw) in enumerate(zip(models, raws, strict=True)):
        assert_matches(model, raw, f"$[{index}]")


def assert_matches(model: object, raw: Any, path: str = "$") -> None:
    """Raise AssertionError naming the first path where `model` and `raw` differ."""
    if attrs.has(type(model)):
        assert isinstance(raw, dict), f"{path}: a model from a {type(raw).__name__}"
        extra = getattr(model, "extra", {})
        assert not extra, f"{path}: keys left in .extra: {sorted(extra)}"
        names = _field_for(type(model))
        for key, value in raw.items():
            assert key in names, f"{path}: recorded key {key!r} is no attribute"
            assert_matches(getattr(model, names[key]), value, f"{path}.{key}")
        return
    if isinstance(model, list):
        if raw is None:
            assert model == [], f"{path}: null read as {model!r}"
            return
        assert isinstance(raw, list), f"{path}: a list from a {type(raw).__name__}"
        assert len(model) == len(raw), f"{path}: {len(model)} items, recorded {len(raw)}"
        for i, (item, raw_item) in enumerate(zip(model, raw, strict=True)):
            assert_matches(item, raw_item, f"{path}[{i}]")
        return
    if isinstance(model, dict):
        if raw is None:
            assert model == {}, f"{path}: null read as {model!r}"
            return
        assert isinstance(raw, dict), f"{path}: a dict from a {type(raw).__name__}"
        assert model.keys() == raw.keys(), f"{path}: keys {sorted(model)} != {sorted(raw)}"
        for key, item in model.items():
            assert_matches(item, raw[key], f"{path}.{key}")
        return
    if isinstance(model, datetime | date):
        expected = _to_datetime(raw) if isinstance(model, datetime) else _to_date(raw)
        assert model == expected, f"{path}: {model!r} != recorded {raw!r}"
        return
    if isinstance(model, enum.Enum):
        model = model.value
    assert model == raw, f"{path}: {model!r} != recorded {raw!r}"
    assert isinstance(model, bool) == isinstance(raw, bool), f"{path}: {model!r} vs {raw!r}"
