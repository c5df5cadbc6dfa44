from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

import futureagi_async as fa
from futureagi_async._convert import structure
from futureagi_async._filters import (
    BUILTIN_COLUMNS,
    Filter,
    FilterColumnError,
    as_filters,
    check_columns,
    encode_filters,
)
from futureagi_async.models import GridColumn, TestExecutionPage

from .replay._recordings import recording

TONE = "00ddc139-c7db-4418-9f90-f32af2ab827f"  # a score eval
HELPFUL = "7a8c85c0-fae7-4503-83e9-269fd9282b70"  # a Pass/Fail eval


def _columns() -> list[GridColumn]:
    """The grid columns the real backend sent for the recorded execution."""
    return structure(recording("e4_exec2_limit1_p1").payload, TestExecutionPage).column_order


def test_canonical_compact_json() -> None:
    encoded = encode_filters(
        [
            Filter("status", "text", "equals", "completed"),
            Filter("overall_score", "number", "between", (5, 9)),
            Filter("call_summary", "text", "is_null"),
            Filter("timestamp", "datetime", "equals", date(2026, 3, 20)),
        ]
    )
    assert " " not in encoded
    assert json.loads(encoded) == [
        {
            "column_id": "status",
            "filter_config": {
                "filter_type": "text",
                "filter_op": "equals",
                "filter_value": "completed",
            },
        },
        {
            "column_id": "overall_score",
            "filter_config": {
                "filter_type": "number",
                "filter_op": "between",
                "filter_value": [5, 9],
            },
        },
        {
            "column_id": "call_summary",
            "filter_config": {"filter_type": "text", "filter_op": "is_null"},
        },
        {
            "column_id": "timestamp",
            "filter_config": {
                "filter_type": "datetime",
                "filter_op": "equals",
                "filter_value": "2026-03-20",
            },
        },
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("status", "string", "equals", "x"), "filter_type"),
        (("status", "list", "contains", "x"), "filter_type"),
        (("status", "text", "greater_than", "x"), "ops"),
        (("score", "number", "not_in_between", [1, 2]), "ops"),
        (("score", "number", "between", [1]), "two values"),
        (("status", "text", "in", []), "non-empty"),
        (("status", "text", "equals", None), "needs a filter_value"),
        # The backend answers 500 to a JSON true as a text value (recorded).
        (("status", "text", "equals", True), "compare strings"),
        (("status", "text", "in", ["a", 1]), "compare strings"),
        (("overall_score", "number", "greater_than", "8"), "compare numbers"),
        (("overall_score", "number", "between", [1, True]), "compare numbers"),
        (("timestamp", "datetime", "equals", 20260320), "ISO 8601"),
        (("x", "boolean", "equals", 1), "True/False"),
        (("", "text", "equals", "x"), "column_id"),
    ],
)
def test_bad_filters_fail_before_any_request(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Filter(*args)  # type: ignore[arg-type]


STATUS_FAILED = Filter("status", "text", "equals", "failed")


@pytest.mark.parametrize(
    "item",
    [
        # The docs' form, exactly as their example writes it (AG-Grid's filter model).
        {"colId": "status", "filterType": "text", "type": "equals", "filter": "failed"},
        # The backend's form, UI keys included.
        {
            "column_id": "status",
            "filter_config": {
                "filter_type": "text",
                "filter_op": "equals",
                "filter_value": "failed",
            },
            "display_name": "Status",
        },
        # The flat form the CLI's --filter takes.
        {
            "column_id": "status",
            "filter_type": "text",
            "filter_op": "equals",
            "filter_value": "failed",
        },
    ],
    ids=["docs", "backend", "flat"],
)
def test_documented_dicts_are_accepted(item: dict[str, Any]) -> None:
    assert as_filters([item]) == [STATUS_FAILED]
    assert as_filters(json.dumps([item])) == [STATUS_FAILED]
    assert encode_filters([item]) == encode_filters([STATUS_FAILED])


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        (
            {
                "colId": "overall_score",
                "filterType": "number",
                "type": "inRange",
                "filter": 5,
                "filterTo": 9,
            },
            Filter("overall_score", "number", "between", [5, 9]),
        ),
        (
            {"colId": "status", "filterType": "text", "type": "notEqual", "filter": "failed"},
            Filter("status", "text", "not_equals", "failed"),
        ),
        (
            {"colId": "status", "filterType": "set", "values": ["failed", "completed"]},
            Filter("status", "categorical", "in", ["failed", "completed"]),
        ),
        (
            {
                "colId": "timestamp",
                "filterType": "date",
                "type": "greaterThan",
                "dateFrom": "2026-03-01",
            },
            Filter("timestamp", "datetime", "greater_than", "2026-03-01"),
        ),
        (
            {"colId": "status", "filterType": "text", "type": "blank"},
            Filter("status", "text", "is_null"),
        ),
    ],
)
def test_ag_grid_ops_become_the_backends(item: dict[str, Any], expected: Filter) -> None:
    assert Filter.from_dict(item) == expected


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ([{"colId": "status", "filterType": "text"}], r"filters\[0\]: .*needs type"),
        ([{"filterType": "text", "type": "equals", "filter": "x"}], "needs colId"),
        ([{"column_id": "status"}], "needs filter_config"),
        ([{}], "needs column_id, filter_config"),
        ([{"column_id": "status", "filter_config": {"filter_op": "equals"}}], "needs filter_type"),
        ([{"column_id": "s", "filter_config": "text"}], "filter_config must be a dict"),
        ([{"column_id": "s", "filter_config": {}, "colour": 1}], "unknown: .*colour"),
        ([{"colId": "s", "filterType": "text", "type": "equals", "operator": "AND"}], "operator"),
        ([STATUS_FAILED, "status=failed"], r"filters\[1\]: a filter must be a Filter or a dict"),
        ("status=failed", "JSON array"),
        ('{"colId": "status"}', "JSON array"),
        ({"colId": "status", "filterType": "text", "type": "equals", "filter": "x"}, "a list"),
    ],
)
def test_bad_dicts_name_what_is_missing(filters: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        as_filters(filters)


def test_builtin_and_eval_columns_pass_unchanged() -> None:
    filters = [
        STATUS_FAILED,
        Filter("overall_score", "number", "greater_than_or_equal", 8),
        Filter(TONE, "number", "greater_than", 80),
        Filter(HELPFUL, "text", "equals", "passed"),
    ]
    assert check_columns(filters, _columns()) == filters


@pytest.mark.parametrize(
    ("value", "op", "verdict"),
    [
        (True, "equals", "Passed"),
        ("passed", "equals", "Passed"),
        ("TRUE", "not_equals", "Passed"),
        (False, "equals", "Failed"),
        ("Failed", "not_equals", "Failed"),
    ],
)
def test_boolean_on_a_pass_fail_eval_becomes_the_text_filter_that_works(
    value: object, op: str, verdict: str
) -> None:
    """The backend compares a boolean with the stored "Passed"/"Failed" and matches nothing."""
    (checked,) = check_columns([Filter(HELPFUL, "boolean", op, value)], _columns())
    assert checked == Filter(HELPFUL, "text", op, verdict)


def test_the_recorded_boolean_filter_is_never_sent_as_recorded() -> None:
    recorded = json.loads(dict(recording("e4_filter_eval_passed").query)["filters"])
    (item,) = as_filters(recorded)
    assert item.filter_type == "boolean"
    (checked,) = check_columns([item], _columns())
    assert checked.to_json()["filter_config"] == {
        "filter_type": "text",
        "filter_op": "equals",
        "filter_value": "Passed",
    }


def test_boolean_on_a_score_eval_says_what_to_write() -> None:
    with pytest.raises(FilterColumnError, match="'number', 'greater_than_or_equal', 80"):
        check_columns([Filter(TONE, "boolean", "equals", True)], _columns())


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (Filter(HELPFUL, "boolean", "equals", "maybe"), "True or False"),
        (Filter(HELPFUL, "text", "starts_with", "Pa"), "filtered by"),
        (Filter(HELPFUL, "boolean", "is_null"), "filtered by"),
        (Filter("status", "number", "equals", 1), "takes categorical/text filters only"),
        (Filter("overall_score", "text", "equals", "8"), "takes number filters only"),
    ],
)
def test_pairs_the_backend_ignores_are_refused(item: Filter, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        check_columns([item], _columns())


def test_an_unknown_column_names_the_known_ones() -> None:
    with pytest.raises(FilterColumnError) as caught:
        check_columns([Filter("no_such_column", "text", "equals", "x")], _columns())
    error = caught.value
    assert isinstance(error, ValueError)
    assert isinstance(error, fa.FutureAGIError)
    assert error.column == "no_such_column"
    assert set(error.known) == {
        *BUILTIN_COLUMNS,
        TONE,
        HELPFUL,
        "b390b4c5-93e6-4ba5-ba95-9e6d2719f320",
    }
    assert "status" in str(error)
    assert f"{TONE} (tone)" in str(error)


def test_a_grid_column_the_backend_does_not_filter_on_is_unknown() -> None:
    with pytest.raises(FilterColumnError, match="'turn_count'"):
        check_columns([Filter("turn_count", "number", "greater_than", 3)], _columns())


def test_an_eval_name_points_at_its_id() -> None:
    with pytest.raises(FilterColumnError, match=f"name of column '{HELPFUL}'"):
        check_columns([Filter("helpful_or_not", "text", "equals", "Passed")], _columns())


def test_dataset_columns_take_any_type() -> None:
    columns = [
        *_columns(),
        GridColumn(id="c0l", column_name="plan", type="scenario_dataset_column"),
    ]
    item = Filter("c0l", "boolean", "equals", True)
    assert check_columns([item], columns) == [item]


def test_a_grid_without_columns_checks_builtins_only() -> None:
    item = Filter("some-dataset-column", "text", "equals", "x")
    assert check_columns([item], []) == [item]
    with pytest.raises(FilterColumnError):
        check_columns([Filter("status", "number", "equals", 1)], [])
