"""How the converter is built: one cattrs converter, the slot builder and its limits, lazy
parts, explicit registration, and writing models back out."""

from __future__ import annotations

import json
import linecache
import pickle
from datetime import UTC, datetime
from typing import Any

import attrs
import cattrs
import pytest

from futureagi_async import _convert
from futureagi_async._build import buildable
from futureagi_async._convert import converter, make_converter, structure
from futureagi_async.models import (
    CallExecution,
    ExplanationCluster,
    SimulationExecution,
    TranscriptItem,
)
from futureagi_async.models._base import Deferred, Model, extra_field

from . import bodies
from .test_recordings import BODIES


def test_one_cattrs_converter_does_both_directions() -> None:
    assert isinstance(converter, cattrs.Converter)
    call = converter.structure(bodies.CALL_ROW, CallExecution)

    assert converter.unstructure(call) == call.to_dict()


def test_no_model_carries_a_hook_found_by_name() -> None:
    for cls in (CallExecution, SimulationExecution):
        assert not any(name.startswith("_normalize") for name in dir(cls))


@pytest.mark.parametrize(("body", "cls"), BODIES[::3])
def test_the_slot_builder_and_cattrs_generated_functions_agree(body: Any, cls: type) -> None:
    plain = make_converter(slot_builder=False)

    assert plain.structure(body, cls) == structure(body, cls)


def test_the_policy_holds_without_the_slot_builder() -> None:
    plain = make_converter(slot_builder=False)
    call = plain.structure(
        {"id": "a", "duration": "88", "brand_new": 2, "transcript": None}, CallExecution
    )

    assert (call.id, call.duration, call.transcript) == ("a", 88, [])
    assert call.extra == {"brand_new": 2}
    with pytest.raises(_convert._NotAnObject):  # a row without its id, as `structure` refuses it
        plain.structure({"id": 1}, CallExecution)


@attrs.frozen(kw_only=True)
class _Checked(Model):
    n: int | None = attrs.field(default=None, validator=attrs.validators.instance_of(int))
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True)
class _Plain(Model):
    n: int | None = None
    extra: dict[str, Any] = extra_field()


def test_the_slot_builder_refuses_classes_with_validators() -> None:
    assert buildable(_Plain)
    assert not buildable(_Checked)
    assert structure({"n": "5"}, _Checked).n == 5  # through cattrs' function and __init__
    with pytest.raises(TypeError):  # the validator ran
        structure({}, _Checked)


def test_the_slot_builder_source_is_in_linecache() -> None:
    converter.get_structure_hook(CallExecution)
    name = "<futureagi_async slot builder futureagi_async.models.calls.CallExecution>"

    assert linecache.getline(name, 1).startswith("def build_CallExecution(o")


def test_a_new_model_needs_no_converter_code() -> None:
    model = structure({"n": "7", "m": 1}, _Plain)

    assert (model.n, model.extra) == (7, {"m": 1})
    assert model.to_dict() == {"n": 7, "m": 1}


def test_transcripts_and_eval_maps_are_built_on_first_read() -> None:
    call = structure(bodies.CALL_ROW, CallExecution)
    slot = CallExecution.__dict__["transcript"].slot

    assert slot.__get__(call).__class__ is Deferred
    first = call.transcript
    assert all(isinstance(item, TranscriptItem) for item in first)
    assert call.transcript is first  # built once
    assert slot.__get__(call) is first


def test_lazy_parts_keep_equality_to_dict_and_pickling() -> None:
    lazy, other = (
        structure(bodies.CALL_ROW, CallExecution),
        structure(bodies.CALL_ROW, CallExecution),
    )
    built = CallExecution(**{f.name: getattr(other, f.name) for f in attrs.fields(CallExecution)})

    assert lazy == built
    assert structure(bodies.CALL_ROW, CallExecution).to_dict() == built.to_dict()
    assert pickle.loads(pickle.dumps(structure(bodies.CALL_ROW, CallExecution))) == built
    assert "Deferred" not in repr(structure(bodies.CALL_ROW, CallExecution))


def test_models_can_still_be_made_by_hand_and_evolved() -> None:
    call = CallExecution(id="a", transcript=[TranscriptItem(role="user")])

    assert attrs.evolve(call, status="completed").transcript == [TranscriptItem(role="user")]
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        call.transcript = []  # type: ignore[misc]


def test_to_dict_is_plain_json_with_iso_datetimes() -> None:
    call = structure({"id": "a", "timestamp": "2026-03-20T02:07:41+00:00", "x": [1]}, CallExecution)

    data = call.to_dict()
    assert data["timestamp"] == "2026-03-20T02:07:41Z"
    assert json.loads(json.dumps(data)) == data
    assert json.loads(call.to_json()) == data
    assert call.timestamp == datetime(2026, 3, 20, 2, 7, 41, tzinfo=UTC)


def test_to_dict_copies_what_it_returns() -> None:
    call = structure(
        {"id": "a", "scenario_columns": {"a": {"b": 1}}, "odd": {"c": [1]}}, CallExecution
    )

    data = call.to_dict()
    data["scenario_columns"]["a"]["b"] = 2
    data["odd"]["c"].append(2)
    assert call.to_dict()["scenario_columns"] == {"a": {"b": 1}}
    assert call.extra == {"odd": {"c": [1]}}


def test_explanation_clusters_answer_to_the_docs_names_too() -> None:
    cluster = structure(
        {"cluster_name": "Pricing", "call_execution_ids": ["u1"], "description": "Why"},
        ExplanationCluster,
    )

    assert (cluster.cluster_name, cluster.call_execution_ids, cluster.description) == (
        "Pricing",
        ["u1"],
        "Why",
    )
    assert (cluster.theme, cluster.member_ids, cluster.evidence_summary) == (
        "Pricing",
        ["u1"],
        "Why",
    )
    backend = structure(
        {"theme": "T", "member_ids": ["m"], "evidence_summary": "E"}, ExplanationCluster
    )
    assert (backend.cluster_name, backend.call_execution_ids, backend.description) == (
        "T",
        ["m"],
        "E",
    )
    with pytest.raises(AttributeError):
        backend.cluster_name = "x"  # type: ignore[misc]


def test_the_structure_functions_keep_their_signatures() -> None:
    assert _convert.structure_list([{"id": "a"}], CallExecution)[0].id == "a"
    assert _convert.unstructure(structure({"id": "a"}, CallExecution))["id"] == "a"
