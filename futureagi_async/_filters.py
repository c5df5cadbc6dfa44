"""Filters for the test-execution grid, in the only form the API accepts.

The API silently ignores a filter on an unknown column or with an unsupported type/op pair,
and rejects the docs' AG-Grid form outright. Checking the type and op here turns both into a
clear error before any request.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Literal

import attrs

__all__ = ["Filter", "FilterType", "encode_filters"]

FilterType = Literal[
    "text", "number", "boolean", "datetime", "categorical", "thumbs", "annotator", "array"
]

_TEXT_OPS = frozenset(
    {
        "equals",
        "not_equals",
        "in",
        "not_in",
        "contains",
        "not_contains",
        "starts_with",
        "ends_with",
        "is_null",
        "is_not_null",
    }
)
_RANGE_OPS = frozenset(
    {
        "equals",
        "not_equals",
        "greater_than",
        "greater_than_or_equal",
        "less_than",
        "less_than_or_equal",
        "between",
        "not_between",
        "is_null",
        "is_not_null",
    }
)
_CHOICE_OPS = frozenset({"equals", "not_equals", "in", "not_in", "is_null", "is_not_null"})
OPS_BY_TYPE: dict[str, frozenset[str]] = {
    "text": _TEXT_OPS,
    "number": _RANGE_OPS,
    "datetime": _RANGE_OPS,
    "boolean": frozenset({"equals", "not_equals", "is_null", "is_not_null"}),
    "categorical": _TEXT_OPS - {"starts_with", "ends_with"},
    "thumbs": _CHOICE_OPS,
    "annotator": _CHOICE_OPS,
    "array": frozenset({"contains", "not_contains", "is_null", "is_not_null"}),
}
_NULL_OPS = frozenset({"is_null", "is_not_null"})


@attrs.frozen
class Filter:
    """One grid filter: `Filter("status", "text", "equals", "completed")`.

    `column_id` is a built-in column (`status`, `overall_score`, `duration`, `timestamp`, ...)
    or an eval-config UUID; number filters on eval columns compare percentages (0-100).
    """

    column_id: str
    filter_type: FilterType
    filter_op: str
    filter_value: Any = None

    def __attrs_post_init__(self) -> None:
        ops = OPS_BY_TYPE.get(self.filter_type)
        if ops is None:
            raise ValueError(
                f"filter_type must be one of {sorted(OPS_BY_TYPE)}, got {self.filter_type!r}"
            )
        if self.filter_op not in ops:
            raise ValueError(
                f"{self.filter_type} filters take ops {sorted(ops)}, got {self.filter_op!r}"
            )
        value = self.filter_value
        if self.filter_op in ("between", "not_between") and not (
            isinstance(value, list | tuple) and len(value) == 2
        ):
            raise ValueError(f"{self.filter_op} needs a list of two values, got {value!r}")
        if self.filter_op in ("in", "not_in") and not (isinstance(value, list | tuple) and value):
            raise ValueError(f"{self.filter_op} needs a non-empty list, got {value!r}")
        if value is None and self.filter_op not in _NULL_OPS:
            raise ValueError(f"{self.filter_op} needs a filter_value")

    def to_json(self) -> dict[str, Any]:
        config: dict[str, Any] = {"filter_type": self.filter_type, "filter_op": self.filter_op}
        if self.filter_value is not None:
            value = self.filter_value
            config["filter_value"] = list(value) if isinstance(value, tuple) else value
        return {"column_id": self.column_id, "filter_config": config}


def encode_filters(filters: Sequence[Filter]) -> str:
    for item in filters:
        if not isinstance(item, Filter):
            raise TypeError(f"filters must be Filter objects, got {type(item).__name__}")
    return json.dumps([f.to_json() for f in filters], separators=(",", ":"))
