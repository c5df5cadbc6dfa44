"""Hostile bodies: deep, huge, odd numbers. A tolerant model or a `ResponseDecodeError`,
never a RecursionError, a bare ValueError or an OverflowError."""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from futureagi_async import _json
from futureagi_async._convert import structure, structure_list
from futureagi_async._errors import ResponseDecodeError
from futureagi_async.models import CallExecution, CallExecutionPage, GroupRow, RunTestPage

DEPTH = 20_000  # far past the recursion limit


def _nested(depth: int) -> list[Any]:
    top: list[Any] = []
    inner = top
    for _ in range(depth):
        child: list[Any] = []
        inner.append({"k": child})
        inner = child
    return top


def test_deep_json_text_is_a_value_error_not_a_recursion_error() -> None:
    text = "[" * DEPTH + "]" * DEPTH
    with pytest.raises(ValueError, match=r"nested too deeply|depth"):
        _json.loads(text.encode())


def test_a_5000_digit_number_parses_and_reads_tolerantly() -> None:
    body = _json.loads(b'{"count": ' + b"9" * 5000 + b', "results": []}')

    page = structure(body, RunTestPage)
    assert page.count is None
    assert page.extra == {"count": "9" * 5000}


def test_a_deep_body_in_untyped_fields_reads_writes_and_renders() -> None:
    deep = _nested(DEPTH)
    call = structure({"id": "a", "scenario_columns": {"x": deep}, "odd": deep}, CallExecution)

    assert call.extra["odd"] is deep
    data = call.to_dict()
    assert data["odd"] is not deep  # a copy, made without recursing
    assert len(call.to_json()) > DEPTH
    assert len(_json.preview(data)) <= 200


@pytest.mark.parametrize(
    "body",
    [_nested(DEPTH), "x" * 1_000_000, list(range(100_000)), 10**5000, -math.inf],
    ids=["deep", "long string", "long list", "huge int", "-inf"],
)
def test_errors_about_hostile_bodies_are_short(body: object) -> None:
    with pytest.raises(ResponseDecodeError) as caught:
        structure(body, CallExecutionPage)

    assert len(str(caught.value)) < 300


def test_an_error_deep_in_a_list_names_its_place_and_stays_short() -> None:
    with pytest.raises(ResponseDecodeError) as caught:
        structure_list([{"id": "a"}] * 1000 + [_nested(DEPTH)], CallExecution)

    assert "list[CallExecution][1000]" in str(caught.value)
    assert len(str(caught.value)) < 300


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("²", None),
        ("٣", 3),  # a decimal digit, losslessly 3
        ("9" * 5000, None),
        ("1" * 101, None),
        ("1e300", None),  # not the integer it names, as a float
        ("1e400", None),
        ("nan", None),
        ("-inf", None),
        (1e308, None),
        (math.nan, None),
        (math.inf, None),
        (10**400, 10**400),
        (3.0, 3),
        (" 12 ", 12),
    ],
)
def test_odd_counts(raw: object, expected: int | None) -> None:
    page = structure({"count": raw, "results": []}, RunTestPage)

    assert page.count == expected
    if expected is None:
        assert page.extra.keys() == {"count"}
        assert page.extra["count"] is raw
    else:
        assert page.extra == {}


@pytest.mark.parametrize(
    "raw", ["9" * 5000, "1e400", "nan", "Infinity", math.nan, math.inf, -math.inf, "²", True]
)
def test_odd_floats_are_kept_raw(raw: object) -> None:
    call = structure({"id": "a", "duration": raw}, CallExecution)

    assert call.duration is None
    assert call.extra["duration"] is raw


@pytest.mark.parametrize("raw", [1e308, -1e308, 5e-324, -0.0, 10**400, "1e308", "0.1"])
def test_big_and_small_finite_floats_are_read(raw: object) -> None:
    call = structure({"id": "a", "duration": raw}, CallExecution)

    assert call.extra == {}
    assert call.duration == (float(raw) if isinstance(raw, str) else raw)


@pytest.mark.parametrize("raw", ["0000-01-01", "9" * 100_000, "2026-13-01", 1e308])
def test_odd_dates_are_kept_raw(raw: object) -> None:
    group = structure({"created_at__date": raw}, GroupRow)

    assert group.created_at__date is None
    assert group.extra == {"created_at__date": raw}


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=20,
)
_CALL_KEYS = [field.name for field in attrs.fields(CallExecution)] + ["scenario", "zzz"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(_CALL_KEYS), _JSON, max_size=12))
def test_any_json_object_reads_as_a_call_or_a_typed_error(body: dict[str, Any]) -> None:
    try:
        call = structure(body, CallExecution)
    except ResponseDecodeError:
        return  # an item of a list/dict of models that is not an object

    data = call.to_dict()
    assert json.loads(call.to_json()) == json.loads(_json.dumps(data))
    assert structure(data, CallExecution) == call


def test_the_recursion_limit_is_untouched() -> None:
    before = sys.getrecursionlimit()
    structure({"id": "a", "scenario_columns": {"x": _nested(DEPTH)}}, CallExecution).to_dict()

    assert sys.getrecursionlimit() == before
