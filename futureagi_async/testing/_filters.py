"""`filters` of `/simulate/test-executions/{id}/`: strict validation (400s) and a working
subset of the matching.

Validation messages are the backend's where it was heard saying them; matching covers the
columns a client is likely to use. Unknown columns and unsupported pairs are ignored. A filter
that fails at run time (a JSON `true` where text is needed) fails the whole request with a
500, as the running backend does, though its code meant to report it in `error_messages`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ._records import CallRecord, RunTestRecord

__all__ = ["FilterError", "FilterFailed", "apply_filters", "parse_json_list", "validate_filters"]

_TEXT = (
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
)
_NUMBER = (
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
)
OPS: dict[str, tuple[str, ...]] = {
    "text": _TEXT,
    "number": _NUMBER,
    "datetime": _NUMBER,
    "boolean": ("equals", "not_equals", "is_null", "is_not_null"),
    "categorical": tuple(op for op in _TEXT if op not in ("starts_with", "ends_with")),
    "thumbs": ("equals", "not_equals", "in", "not_in", "is_null", "is_not_null"),
    "annotator": ("equals", "not_equals", "in", "not_in", "is_null", "is_not_null"),
    "array": ("contains", "not_contains", "is_null", "is_not_null"),
}
_ITEM_KEYS = {"column_id", "filter_config", "display_name", "source", "output_type"}
_CONFIG_KEYS = {"filter_type", "filter_op", "filter_value", "col_type"}


class FilterError(ValueError):
    """A 400 message for the `filters`/`row_groups`/`group_keys` field."""


class FilterFailed(Exception):
    """A filter the database could not run: the message is the database's."""


def parse_json_list(raw: str, *, not_json: str = "Value must be valid JSON.") -> list[Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        raise FilterError(not_json) from None
    if not isinstance(value, list):
        raise FilterError("Value must be a list.")
    return value


def validate_filters(raw: str) -> list[dict[str, Any]]:
    items = parse_json_list(raw, not_json="Filters must be valid JSON.")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise FilterError(f"{i}: Filter item must be an object.")
        missing = [k for k in ("column_id", "filter_config") if k not in item]
        if missing:
            raise FilterError(f"{i}: Missing filter item keys: {', '.join(missing)}")
        extra = sorted(set(item) - _ITEM_KEYS)
        if extra:
            raise FilterError(f"{i}: Unknown filter item keys: {', '.join(extra)}")
        config = item["filter_config"]
        if not isinstance(config, dict):
            raise FilterError(f"{i}: filter_config must be an object.")
        extra = sorted(set(config) - _CONFIG_KEYS)
        if extra:
            raise FilterError(f"{i}: Unknown filter_config keys: {', '.join(extra)}")
        ftype, op = config.get("filter_type"), config.get("filter_op")
        if ftype not in OPS:
            raise FilterError(f"{i}: Unsupported filter_type '{ftype}'.")
        if op not in OPS[ftype]:
            raise FilterError(f"{i}: Invalid filter_op '{op}' for filter_type '{ftype}'.")
        if op in ("is_null", "is_not_null"):
            continue
        if "filter_value" not in config:
            raise FilterError(f"{i}: filter_value is required for filter_op '{op}'.")
        value = config["filter_value"]
        if op in ("between", "not_between") and not (isinstance(value, list) and len(value) == 2):
            raise FilterError(f"{i}: filter_value must be a list of 2 items for '{op}'.")
        if op in ("in", "not_in") and not (isinstance(value, list) and value):
            raise FilterError(f"{i}: filter_value must be a non-empty list for '{op}'.")
    return items


def _compare(op: str, left: Any, right: Any) -> bool:
    if op == "is_null":
        return left is None
    if op == "is_not_null":
        return left is not None
    if left is None:
        return False
    if op == "equals":
        return bool(left == right)
    if op == "not_equals":
        return bool(left != right)
    if op == "greater_than":
        return bool(left > right)
    if op == "greater_than_or_equal":
        return bool(left >= right)
    if op == "less_than":
        return bool(left < right)
    if op == "less_than_or_equal":
        return bool(left <= right)
    if op == "between":
        return bool(right[0] <= left <= right[1])
    if op == "not_between":
        return not right[0] <= left <= right[1]
    if op == "in":
        return left in right
    if op == "not_in":
        return left not in right
    if op == "contains":
        return bool(right in left)
    if op == "not_contains":
        return right not in left
    if op == "starts_with":
        return bool(left.startswith(right))
    if op == "ends_with":
        return bool(left.endswith(right))
    return True


_SQL_TYPES = {bool: "boolean", int: "integer", float: "numeric", list: "jsonb", dict: "jsonb"}


def _text(value: Any) -> str:
    if not isinstance(value, str):
        # The value goes into UPPER(...) as it came: PostgreSQL refuses anything but text.
        raise FilterFailed(
            f"function upper({_SQL_TYPES.get(type(value), 'unknown')}) does not exist"
        )
    return value.lower()


def _number(value: Any) -> float:
    failure = FilterFailed(f'invalid input syntax for type double precision: "{value}"')
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise failure
    try:
        return float(value)
    except ValueError:
        raise failure from None


def _predicate(
    item: dict[str, Any], run_test: RunTestRecord, scenario_name: Callable[[CallRecord], str | None]
) -> Callable[[CallRecord], bool] | None:
    """A call predicate, or None for columns and type/op pairs the backend ignores."""
    column, config = item["column_id"], item["filter_config"]
    ftype, op, raw = config["filter_type"], config["filter_op"], config.get("filter_value")
    texts: dict[str, Callable[[CallRecord], str | None]] = {
        "status": lambda c: c.status,
        "call_type": lambda c: c.direction,
        "simulation_call_type": lambda c: c.kind,
        "scenario": scenario_name,
        "agent_definition": lambda c: (
            run_test.agent_definition.agent_name if run_test.agent_definition else None
        ),
    }
    numbers: dict[str, Callable[[CallRecord], float | int | None]] = {
        "overall_score": lambda c: c.overall_score,
        "duration": lambda c: c.duration_seconds,
        "latency": lambda c: c.avg_agent_latency_ms,
        "avg_agent_latency_ms": lambda c: c.avg_agent_latency_ms,
        "cost": lambda c: c.cost_cents,
        "cost_cents": lambda c: c.cost_cents,
        "response_time": lambda c: (
            c.response_time_ms / 1000 if c.response_time_ms is not None else None
        ),
    }
    configs = {c.id for c in run_test.eval_configs}
    if ftype in ("text", "categorical") and column in texts:
        get = texts[column]
        if op in ("in", "not_in"):
            right: Any = [_text(v) for v in raw]
        else:
            right = _text(raw) if raw is not None else None
        return lambda c: _compare(op, (get(c) or "").lower() if get(c) else None, right)
    if ftype == "number" and column in numbers:
        getn = numbers[column]
        right = [_number(v) for v in raw] if isinstance(raw, list) else raw
        right = _number(right) if not isinstance(right, list) and right is not None else right
        return lambda c: _compare(op, getn(c), right)
    if column in configs:
        return _eval_predicate(column, ftype, op, raw)
    return None


def _eval_predicate(
    config_id: str, ftype: str, op: str, raw: Any
) -> Callable[[CallRecord], bool] | None:
    def output(call: CallRecord) -> Any:
        return call.eval_outputs.get(config_id, {}).get("output")

    if ftype == "boolean" and op in ("equals", "not_equals"):
        # The stored output is compared with JSON `true`/`false`: Pass/Fail outputs are the
        # strings "Passed"/"Failed", so only outputs stored as booleans can ever match.
        wanted = _text(raw) in ("true", "passed")
        return lambda c: isinstance(output(c), bool) and (output(c) is wanted) == (op == "equals")
    if ftype == "number":
        # The grid shows percentages, the store holds 0-1: the value is divided by 100.
        right = [_number(v) / 100 for v in raw] if isinstance(raw, list) else raw
        right = _number(right) / 100 if not isinstance(right, list) and right is not None else right

        def numeric(call: CallRecord) -> bool:
            value = output(call)
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            return _compare(op, value if ok else None, right)

        return numeric
    if ftype == "text" and op in ("contains", "equals", "not_equals"):
        needle = _text(raw)
        return lambda c: _compare(
            op, str(output(c)).lower() if output(c) is not None else None, needle
        )
    return None


def apply_filters(
    calls: list[CallRecord],
    items: list[dict[str, Any]],
    run_test: RunTestRecord,
    scenario_name: Callable[[CallRecord], str | None],
) -> list[CallRecord]:
    """ANDed filters; raises `FilterFailed` for one the database cannot run."""
    for item in items:
        predicate = _predicate(item, run_test, scenario_name)
        if predicate is not None:
            calls = [c for c in calls if predicate(c)]
    return calls
