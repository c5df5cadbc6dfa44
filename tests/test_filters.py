from __future__ import annotations

import json

import pytest

from futureagi_async._filters import Filter, encode_filters


def test_canonical_compact_json() -> None:
    encoded = encode_filters(
        [
            Filter("status", "text", "equals", "completed"),
            Filter("overall_score", "number", "between", (5, 9)),
            Filter("call_summary", "text", "is_null"),
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
    ],
)
def test_bad_filters_fail_before_any_request(args: tuple[object, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Filter(*args)  # type: ignore[arg-type]


def test_rejects_the_docs_ag_grid_dicts() -> None:
    with pytest.raises(TypeError, match="Filter objects"):
        encode_filters([{"colId": "status", "filterType": "text"}])  # type: ignore[list-item]
