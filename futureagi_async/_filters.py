"""Filters for the test-execution grid, in the only form the API accepts.

The API answers 400 to the docs' AG-Grid form, silently ignores a filter on an unknown column
or with an unsupported type/op pair, and silently matches nothing with a boolean filter on a
Pass/Fail eval column. So filters are taken in every documented form, checked here, checked
again against the execution's grid columns, and sent in the one form that works.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Literal

import attrs

from ._errors import FilterColumnError
from .models import GridColumn

__all__ = [
    "BUILTIN_COLUMNS",
    "Filter",
    "FilterColumnError",
    "FilterLike",
    "FilterType",
    "Filters",
    "as_filters",
    "check_columns",
    "encode_filters",
]

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
_LIST_OPS = frozenset({"in", "not_in", "between", "not_between"})

_TEXTUAL = frozenset({"text", "categorical"})
# The built-in columns the backend filters on, and the filter types it applies to each; any
# other type on them is ignored without a word. Built-ins missing here (`turn_count`,
# `call_details`, ...) are grid columns the backend does not filter on at all.
BUILTIN_COLUMNS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("timestamp", "created_at"), frozenset({"datetime"})),
    "call_execution_id": frozenset({"categorical"}),
    **dict.fromkeys(
        (
            "overall_score",
            "duration",
            "latency",
            "avg_agent_latency_ms",
            "cost",
            "cost_cents",
            "response_time",
        ),
        frozenset({"number"}),
    ),
    **dict.fromkeys(
        ("status", "call_type", "simulation_call_type", "agent_definition", "scenario"), _TEXTUAL
    ),
}
# What an eval column filters by: its output as a percentage, or as text (Passed/Failed).
_EVAL_OPS: dict[str, frozenset[str]] = {
    "number": _RANGE_OPS - _NULL_OPS,
    "text": frozenset({"contains", "equals", "not_equals"}),
    "boolean": frozenset({"equals", "not_equals"}),
}
_PASSED = frozenset({"true", "passed", "pass"})
_FAILED = frozenset({"false", "failed", "fail"})


def _check_value(filter_type: str, op: str, value: object) -> None:
    """Refuse a value the backend would choke on (a JSON `true` as text answers 500)."""
    items = value if op in _LIST_OPS and isinstance(value, list | tuple) else [value]
    for item in items:
        if filter_type in _TEXTUAL and not isinstance(item, str):
            raise ValueError(f"{filter_type} filters compare strings, got {item!r}")
        if filter_type == "number" and (
            isinstance(item, bool) or not isinstance(item, int | float)
        ):
            raise ValueError(f"number filters compare numbers, got {item!r}")
        if filter_type == "datetime" and not isinstance(item, str | date):
            raise ValueError(f"datetime filters take ISO 8601 strings or dates, got {item!r}")
        if filter_type == "boolean" and not isinstance(item, bool | str):
            raise ValueError(f"boolean filters take True/False, got {item!r}")


@attrs.frozen
class Filter:
    """One grid filter: `Filter("status", "text", "equals", "completed")`.

    `column_id` is a built-in column (`status`, `overall_score`, `duration`, `timestamp`, ...,
    see `BUILTIN_COLUMNS`) or an eval-config UUID; number filters on eval columns compare
    percentages (0-100), and a boolean filter on a Pass/Fail eval column is sent as the
    text filter the backend applies (`equals "Passed"`). Plain dicts in the docs' form
    (`{"colId", "filterType", "type", "filter"}`) or the backend's (`{"column_id",
    "filter_config": {"filter_type", "filter_op", "filter_value"}}`) are accepted wherever
    a `Filter` is, and read by `Filter.from_dict`.
    """

    column_id: str
    filter_type: FilterType
    filter_op: str
    filter_value: Any = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.column_id, str) or not self.column_id.strip():
            raise ValueError(f"column_id must be a non-blank string, got {self.column_id!r}")
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
        if value is not None:
            _check_value(self.filter_type, self.filter_op, value)

    @classmethod
    def from_dict(cls, item: Mapping[str, Any]) -> Filter:
        """A `Filter` from a dict in the docs' AG-Grid form or the backend's form.

        Raises `ValueError` naming the keys that are missing or unknown.
        """
        if not isinstance(item, Mapping):
            # A ValueError like every other bad argument here (the CLI reports them as such).
            raise ValueError(f"a filter must be a Filter or a dict, got {type(item).__name__}")  # noqa: TRY004
        if "colId" in item or "filterType" in item:
            return _from_ag_grid(item)
        return _from_backend(item)

    def to_json(self) -> dict[str, Any]:
        config: dict[str, Any] = {"filter_type": self.filter_type, "filter_op": self.filter_op}
        if self.filter_value is not None:
            config["filter_value"] = _jsonable(self.filter_value)
        return {"column_id": self.column_id, "filter_config": config}


def _jsonable(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def _require(item: Mapping[str, Any], keys: tuple[str, ...], form: str) -> None:
    missing = [key for key in keys if key not in item]
    if missing:
        raise ValueError(
            f"a filter in the {form} form needs {', '.join(missing)}: got {dict(item)!r}"
        )


def _refuse_unknown(item: Mapping[str, Any], allowed: frozenset[str], form: str) -> None:
    unknown = sorted(str(key) for key in item if key not in allowed)
    if unknown:
        raise ValueError(
            f"a filter in the {form} form takes only {sorted(allowed)}; unknown: {unknown}"
        )


# The backend's form; its UI keys (`display_name`, ...) change nothing and are not sent.
_BACKEND_KEYS = frozenset({"column_id", "filter_config", "display_name", "source", "output_type"})
_CONFIG_KEYS = frozenset({"filter_type", "filter_op", "filter_value", "col_type"})
# The flat form (`filter_config`'s keys beside `column_id`), as the CLI's --filter takes it.
_FLAT_KEYS = frozenset({"column_id"}) | _CONFIG_KEYS


def _from_backend(item: Mapping[str, Any]) -> Filter:
    form = "backend's"
    if "filter_config" in item:
        _refuse_unknown(item, _BACKEND_KEYS, form)
        config = item["filter_config"]
        if not isinstance(config, Mapping):
            raise ValueError(f"filter_config must be a dict, got {config!r}")
        _refuse_unknown(config, _CONFIG_KEYS, form)
    elif "filter_type" in item or "filter_op" in item:
        _refuse_unknown(item, _FLAT_KEYS, form)
        config = item
    else:
        config = {}
        _require(item, ("column_id", "filter_config"), form)
    _require(item, ("column_id",), form)
    _require(config, ("filter_type", "filter_op"), form)
    return Filter(
        item["column_id"], config["filter_type"], config["filter_op"], config.get("filter_value")
    )


_AG_GRID_KEYS = frozenset(
    {"colId", "filterType", "type", "filter", "filterTo", "dateFrom", "dateTo", "values"}
)
_AG_GRID_TYPES = {"date": "datetime", "set": "categorical"}
_AG_GRID_OPS = {
    "notEqual": "not_equals",
    "notContains": "not_contains",
    "startsWith": "starts_with",
    "endsWith": "ends_with",
    "lessThan": "less_than",
    "lessThanOrEqual": "less_than_or_equal",
    "greaterThan": "greater_than",
    "greaterThanOrEqual": "greater_than_or_equal",
    "inRange": "between",
    "blank": "is_null",
    "notBlank": "is_not_null",
}


def _from_ag_grid(item: Mapping[str, Any]) -> Filter:
    """The docs' `{"colId", "filterType", "type", "filter"}` (AG-Grid's filter model)."""
    form = "docs' AG-Grid"
    _refuse_unknown(item, _AG_GRID_KEYS, form)
    _require(item, ("colId", "filterType"), form)
    filter_type = _AG_GRID_TYPES.get(item["filterType"], item["filterType"])
    if item["filterType"] == "set":
        _require(item, ("values",), form)
        return Filter(item["colId"], filter_type, "in", item["values"])
    _require(item, ("type",), form)
    op = _AG_GRID_OPS.get(item["type"], item["type"])
    value = item.get("filter", item.get("dateFrom"))
    if op == "between":
        value = [value, item.get("filterTo", item.get("dateTo"))]
    return Filter(item["colId"], filter_type, op, value)


FilterLike = Filter | Mapping[str, Any]
Filters = str | Sequence[FilterLike]


def as_filters(filters: Filters | None) -> list[Filter]:
    """`Filter`s from `Filter`s, dicts in either documented form, or a JSON array of them.

    Raises `ValueError` (naming the item) before any request for anything else.
    """
    if filters is None:
        return []
    if isinstance(filters, str):
        try:
            filters = json.loads(filters)
        except ValueError:
            raise ValueError(f"filters as text must be a JSON array, got {filters!r}") from None
        if not isinstance(filters, list):
            raise ValueError(f"filters as text must be a JSON array, got {filters!r}")  # noqa: TRY004
    if isinstance(filters, Mapping | Filter):
        raise ValueError("filters must be a list of filters, not a single one")  # noqa: TRY004
    result: list[Filter] = []
    for index, item in enumerate(filters):
        if isinstance(item, Filter):
            result.append(item)
            continue
        try:
            result.append(Filter.from_dict(item))
        except ValueError as exc:
            raise ValueError(f"filters[{index}]: {exc}") from None
    return result


def encode_filters(filters: Filters) -> str:
    """The `filters` query parameter: the backend's form, compact JSON."""
    return json.dumps([f.to_json() for f in as_filters(filters)], separators=(",", ":"))


def check_columns(filters: Sequence[Filter], columns: Sequence[GridColumn]) -> list[Filter]:
    """`filters` as the backend will apply them to a grid with these columns.

    Raises `FilterColumnError` for a filter the backend would ignore without a word: an
    unknown column, or a type it does not apply to that column. A boolean filter on a
    Pass/Fail eval column becomes the text filter that works (`equals "Passed"`): the
    backend compares a boolean with the stored strings "Passed"/"Failed" and matches
    nothing. Grids that list no columns are checked against the built-in columns only.
    """
    typed = {c.id: c for c in columns if c.id and c.type}
    known = [*BUILTIN_COLUMNS, *typed]
    checked: list[Filter] = []
    for item in filters:
        column = typed.get(item.column_id)
        if item.column_id in BUILTIN_COLUMNS:
            types = BUILTIN_COLUMNS[item.column_id]
            if item.filter_type not in types:
                raise _refused(item, f"takes {'/'.join(sorted(types))} filters only", known)
            checked.append(item)
        elif column is not None and column.type == "evaluation":
            checked.append(_eval_filter(item, column, known))
        elif column is not None or not typed:
            checked.append(item)  # dataset and tool-eval columns: any type the grid shows
        else:
            raise _unknown(item, columns, known)
    return checked


def _refused(item: Filter, why: str, known: Sequence[str]) -> FilterColumnError:
    return FilterColumnError(
        f"the API silently ignores this {item.filter_type} {item.filter_op} filter: "
        f"column {item.column_id!r} {why}",
        column=item.column_id,
        known=known,
    )


def _unknown(
    item: Filter, columns: Sequence[GridColumn], known: Sequence[str]
) -> FilterColumnError:
    typed = [c for c in columns if c.id and c.type]
    hint = "".join(
        f" (it is the name of column {c.id!r}: filter by that id)"
        for c in typed
        if c.column_name == item.column_id
    )
    listed = [*BUILTIN_COLUMNS, *(f"{c.id} ({c.column_name})" for c in typed)]
    return FilterColumnError(
        f"unknown filter column {item.column_id!r}{hint}: the API would ignore the filter "
        f"without a word. Columns this grid filters on: {', '.join(listed)}",
        column=item.column_id,
        known=known,
    )


def _eval_filter(item: Filter, column: GridColumn, known: Sequence[str]) -> Filter:
    output = str((column.eval_config or {}).get("output") or "")
    name = column.column_name or column.id
    ops = _EVAL_OPS.get(item.filter_type)
    if ops is None or item.filter_op not in ops:
        allowed = "; ".join(f"{t}: {', '.join(sorted(o))}" for t, o in _EVAL_OPS.items())
        raise _refused(item, f"is the eval {name!r}, filtered by {allowed}", known)
    if item.filter_type != "boolean":
        return item
    if output.casefold() != "pass/fail":
        raise _refused(
            item,
            f"is the eval {name!r} with {output or 'unknown'} outputs; a boolean filter only "
            f"fits Pass/Fail evals. For scores write Filter({item.column_id!r}, 'number', "
            "'greater_than_or_equal', 80) (a percentage)",
            known,
        )
    wanted = str(item.filter_value).casefold()
    if wanted not in _PASSED | _FAILED:
        raise ValueError(f"a Pass/Fail filter takes True or False, got {item.filter_value!r}")
    verdict = "Passed" if wanted in _PASSED else "Failed"
    return Filter(item.column_id, "text", item.filter_op, verdict)
