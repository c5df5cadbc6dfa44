"""The converter's tolerance policy, datetimes, errors and the round trip; and _json."""

from __future__ import annotations

import json
import typing
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from futureagi_async import _json
from futureagi_async._convert import structure, structure_list, unstructure
from futureagi_async._errors import ResponseDecodeError
from futureagi_async.models import (
    CallExecution,
    CallExecutionPage,
    CallStatus,
    EvalOutput,
    RunTest,
    SimulationCall,
    SimulationExecution,
    SimulationExecutionPage,
    TestExecutionPage,
)
from futureagi_async.models.test_executions import GroupRow

from .models import bodies


def test_unknown_keys_are_kept_in_extra() -> None:
    call = structure({"id": "a", "brand_new": {"x": 1}, "other": None}, CallExecution)

    assert call.extra == {"brand_new": {"x": 1}, "other": None}
    assert unstructure(call)["brand_new"] == {"x": 1}


def test_missing_keys_read_as_none_or_empty() -> None:
    call = structure({"id": "a"}, CallExecution)

    assert call.id == "a"
    assert call.timestamp is None
    assert call.eval_outputs == {}
    assert call.transcript == []
    assert call.simulator_agent_name is None
    assert call.tool_outputs is None
    assert call.extra == {}


def test_null_collections_read_as_empty() -> None:
    call = structure({"id": "a", "eval_outputs": None, "transcript": None}, CallExecution)

    assert (call.eval_outputs, call.transcript) == ({}, [])


def test_unknown_status_values_stay_strings() -> None:
    call = structure({"id": "a", "status": "teleporting"}, CallExecution)

    assert call.status == "teleporting"
    assert CallStatus.parse(call.status) is None
    assert CallStatus.parse("COMPLETED") is CallStatus.COMPLETED


@pytest.mark.parametrize(
    ("value", "passed"),
    [
        ("Passed", True),
        ("passed", True),
        ("PASSED", True),
        (True, True),
        ("Failed", False),
        ("failed", False),
        (False, False),
        ("Good", None),
        (0.7, None),
        (None, None),
        (["a"], None),
    ],
)
def test_eval_output_passed(value: object, passed: bool | None) -> None:
    assert structure({"value": value}, EvalOutput).passed is passed
    assert structure({"output": value}, EvalOutput).passed is passed


@pytest.mark.parametrize(
    "raw",
    [
        {"value": "Passed", "type": "Pass/Fail", "name": "n", "reason": "r", "status": "Completed"},
        {
            "output": "Passed",
            "output_type": "Pass/Fail",
            "name": "n",
            "reason": "r",
            "status": "Completed",
        },
    ],
)
def test_eval_output_reads_both_shapes_alike(raw: dict[str, Any]) -> None:
    output = structure(raw, EvalOutput)

    assert (output.name, output.value, output.output_type, output.reason, output.status) == (
        "n",
        "Passed",
        "Pass/Fail",
        "r",
        "Completed",
    )
    assert output.extra == {}


@pytest.mark.parametrize("raw", [{}, {"status": "pending"}, {"status": "Pending"}])
def test_pending_eval_output_is_valid(raw: dict[str, Any]) -> None:
    output = structure(raw, EvalOutput)

    assert output.is_pending
    assert (output.value, output.passed, output.name) == (None, None, None)


def test_both_spellings_present_keeps_the_other_in_extra() -> None:
    output = structure({"value": "Passed", "output": "Failed"}, EvalOutput)

    assert output.value == "Passed"
    assert output.extra == {"output": "Failed"}


@pytest.mark.parametrize(
    ("key", "raw", "expected"),
    [
        ("duration", "88", 88),
        ("duration", "88.5", 88.5),
        ("duration", 88, 88),
        ("user_interruption_count", "3", 3),
        ("user_interruption_count", 3.0, 3),
        ("user_interruption_count", "3.0", 3),
        ("is_snapshot", "true", True),
        ("is_snapshot", "False", False),
        ("is_snapshot", 1, True),
    ],
)
def test_lossless_coercions(key: str, raw: object, expected: object) -> None:
    call = structure({"id": "a", key: raw}, CallExecution)

    assert getattr(call, key) == expected
    assert type(getattr(call, key)) is type(expected)
    assert call.extra == {}


@pytest.mark.parametrize(
    ("key", "raw"),
    [
        ("duration", "eighty"),
        ("duration", "nan"),
        ("duration", True),
        ("duration", [1]),
        ("user_interruption_count", 2.5),
        ("user_interruption_count", False),
        ("is_snapshot", "maybe"),
        ("is_snapshot", 2),
        ("timestamp", "yesterday"),
        ("timestamp", 1710900000),
        ("eval_outputs", "none"),
        ("eval_outputs", []),
        ("transcript", {"a": 1}),
        ("scenario_columns", []),
        ("tool_outputs", "x"),
        ("rerun_snapshots", 3),
    ],
)
def test_wrong_types_become_empty_and_keep_the_raw_value(key: str, raw: object) -> None:
    call = structure({"id": "a" if key != "id" else raw, key: raw}, CallExecution)

    assert getattr(call, key) in (None, [], {})
    assert call.extra == {key: raw}
    assert unstructure(call)[key] == raw


def test_wrong_typed_nested_object_field_is_kept() -> None:
    call = structure({"call_execution_id": "c", "latency": 12, "cost": "free"}, SimulationCall)

    assert (call.latency, call.cost) == (None, None)
    assert call.extra == {"latency": 12, "cost": "free"}


def test_list_of_strings_with_a_non_string_is_kept_whole() -> None:
    run = structure({"id": "r", "scenarios": ["a", 1]}, RunTest)

    assert run.scenarios == []
    assert run.extra == {"scenarios": ["a", 1]}


def test_agent_version_of_an_unexpected_type_is_kept() -> None:
    run = structure({"id": "r", "agent_version": 7}, RunTest)

    assert run.agent_version is None
    assert run.extra == {"agent_version": 7}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-03-20T02:07:41Z", datetime(2026, 3, 20, 2, 7, 41, tzinfo=UTC)),
        ("2026-03-20T02:07:41.220931Z", datetime(2026, 3, 20, 2, 7, 41, 220931, tzinfo=UTC)),
        ("2026-03-23T20:01:04.450Z", datetime(2026, 3, 23, 20, 1, 4, 450000, tzinfo=UTC)),
        (
            "2026-03-20T07:37:41.5+05:30",
            datetime(2026, 3, 20, 7, 37, 41, 500000, tzinfo=timezone(timedelta(hours=5.5))),
        ),
        ("2026-03-20T02:07:41-00:00", datetime(2026, 3, 20, 2, 7, 41, tzinfo=UTC)),
        ("2026-03-20 02:07:41", datetime(2026, 3, 20, 2, 7, 41, tzinfo=UTC)),
        ("2026-03-05", datetime(2026, 3, 5, tzinfo=UTC)),
    ],
)
def test_datetimes_are_timezone_aware(text: str, expected: datetime) -> None:
    stamp = structure({"id": "a", "timestamp": text}, CallExecution).timestamp

    assert stamp == expected
    assert stamp is not None
    assert stamp.tzinfo is not None


def test_bare_dates_in_group_rows() -> None:
    assert structure({"created_at__date": "2026-03-05"}, GroupRow).created_at__date == date(
        2026, 3, 5
    )
    bad = structure({"created_at__date": "March"}, GroupRow)
    assert bad.created_at__date is None
    assert bad.extra == {"created_at__date": "March"}


@pytest.mark.parametrize("body", ["a string", 3, None, ["list"], True])
def test_a_body_that_is_not_an_object_raises(body: object) -> None:
    with pytest.raises(ResponseDecodeError, match=r"cannot read CallExecutionPage: expected"):
        structure(body, CallExecutionPage)


def test_an_item_that_is_not_an_object_raises_with_its_path() -> None:
    body = {"results": [bodies.CALL_ROW, {"id": "b", "transcript": [{}, "hello"]}]}

    with pytest.raises(ResponseDecodeError) as caught:
        structure(body, CallExecutionPage)

    message = str(caught.value)
    assert "CallExecutionPage.results[1].transcript[1]" in message
    assert "TranscriptItem" in message
    assert 'str "hello"' in message


def test_a_dict_value_that_is_not_an_object_raises_with_its_key() -> None:
    with pytest.raises(ResponseDecodeError, match=r"\.eval_outputs\['cfg'\]: .*EvalOutput"):
        structure(
            {"call_execution_id": "c", "eval_outputs": {"ok": {}, "cfg": "Passed"}}, SimulationCall
        )


def test_nested_dict_of_lists_path() -> None:
    body = {"execution_id": "e", "eval_explanation_summary": {"x": [{}, 5]}}

    with pytest.raises(ResponseDecodeError, match=r"summary\['x'\]\[1\]"):
        structure(body, SimulationExecution)


def test_structure_list_keeps_every_item() -> None:
    calls = structure_list([{"id": "a"}, {"id": "b"}, {"id": "c", "x": 1}], CallExecution)

    assert [call.id for call in calls] == ["a", "b", "c"]
    assert calls[2].extra == {"x": 1}


@pytest.mark.parametrize("row", [{}, {"id": None}, {"id": 42}, {"status": "completed"}])
def test_a_row_without_its_id_names_the_row(row: dict[str, Any]) -> None:
    body = {"results": [{"id": "a"}, row]}

    with pytest.raises(ResponseDecodeError, match=r"CallExecutionPage\.results\[1\]: .*`id`"):
        structure(body, CallExecutionPage)
    with pytest.raises(ResponseDecodeError, match=r"`execution_id`"):
        structure({"results": [row]}, SimulationExecutionPage)
    with pytest.raises(ResponseDecodeError, match=r"RunTest.*`id`"):
        structure(row, RunTest)


def test_ids_the_api_always_sends_are_typed_str() -> None:
    hints = {
        (RunTest, "id"),
        (CallExecution, "id"),
        (SimulationExecution, "execution_id"),
        (SimulationCall, "call_execution_id"),
    }
    for cls, name in hints:
        assert typing.get_type_hints(cls)[name] is str


def test_structure_list_rejects_non_lists_and_non_objects() -> None:
    with pytest.raises(ResponseDecodeError, match="expected a JSON array"):
        structure_list({"id": "a"}, CallExecution)
    with pytest.raises(ResponseDecodeError, match=r"list\[CallExecution\]\[1\]"):
        structure_list([{"id": "a"}, 3], CallExecution)


def test_structure_of_non_model_types() -> None:
    outputs = structure({"a": {"output": True}}, dict[str, EvalOutput])

    assert outputs["a"].passed is True
    with pytest.raises(ResponseDecodeError):
        structure("x", dict[str, EvalOutput])


@pytest.mark.parametrize(
    ("body", "cls"),
    [
        (bodies.RUN_TEST_LIST["results"][0], RunTest),
        (bodies.RUN_TEST_PROMPT, RunTest),
        (bodies.CALL_LIST, CallExecutionPage),
        (bodies.DOCS_CALL_ROW, CallExecution),
        (bodies.TEST_EXECUTION, TestExecutionPage),
        (bodies.DOCS_TEST_EXECUTION, TestExecutionPage),
        (bodies.GROUPED_TEST_EXECUTION, TestExecutionPage),
        (bodies.SIM_CALL, SimulationCall),
        (bodies.SIM_EXECUTION, SimulationExecution),
        ({"id": "a", "duration": "eighty", "zzz": [1, {"a": 2}]}, CallExecution),
    ],
)
def test_round_trip(body: dict[str, Any], cls: type[Any]) -> None:
    model = structure(body, cls)
    data = unstructure(model)

    assert json.loads(json.dumps(data)) == data  # JSON-able
    assert structure(data, cls) == model


def test_unstructure_writes_datetimes_as_iso_with_z() -> None:
    data = unstructure(structure(bodies.CALL_ROW, CallExecution))

    assert data["timestamp"] == "2026-03-20T02:07:41.220931Z"
    assert data["eval_outputs"]["fa38521a-fd0f-419a-bc3a-2773311419ab"]["value"] == "Passed"
    assert data["rerun_snapshots"][0]["snapshot_timestamp"] == "2026-03-19T02:07:41Z"


def test_models_are_frozen_and_slotted() -> None:
    call = structure({"id": "a"}, CallExecution)

    with pytest.raises(AttributeError):
        call.id = "b"  # type: ignore[misc]
    assert not hasattr(call, "__dict__")
    assert call == structure({"id": "a"}, CallExecution)


def test_json_loads_and_dumps() -> None:
    assert _json.loads(b'{"a": [1, 2.5, null, "\\u00e9"]}') == {"a": [1, 2.5, None, "é"]}
    assert _json.loads(b'{"t": "cut \\ud83d"}') == {"t": "cut \ud83d"}
    assert _json.loads(_json.dumps({"é": [1, None]})) == {"é": [1, None]}
    for bad in (b"", b"{", b'{"a": 1', b"\xff", b"<html>"):
        with pytest.raises(ValueError):  # noqa: PT011 - any ValueError subclass is the contract
            _json.loads(bad)


def test_docs_eval_values_by_metric_name_become_eval_outputs() -> None:
    body = {
        "id": "a",
        "eval_outputs": {"Coherence": "Passed"},
        "eval_metrics": {"Tone": 0.8, "ok": {}},
    }

    call = structure(body, CallExecution)

    assert call.eval_outputs["Coherence"].name == "Coherence"
    assert call.eval_outputs["Coherence"].passed is True
    assert call.eval_metrics["Tone"].value == 0.8
    assert call.eval_metrics["ok"].is_pending
    assert call.extra == {}
    assert body == {
        "id": "a",
        "eval_outputs": {"Coherence": "Passed"},
        "eval_metrics": {"Tone": 0.8, "ok": {}},
    }
    assert structure(unstructure(call), CallExecution) == call
