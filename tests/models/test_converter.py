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
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from futureagi_async import _convert
from futureagi_async._build import buildable
from futureagi_async._convert import converter, make_converter, structure
from futureagi_async._errors import ResponseDecodeError
from futureagi_async.models import (
    CallExecution,
    CallExecutionPage,
    EvalMetric,
    ExplanationCluster,
    SimulationExecution,
    TranscriptItem,
)
from futureagi_async.models._base import ALIASES, Deferred, Model, extra_field

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


def test_the_generated_sources_are_in_linecache() -> None:
    structure({"id": "a", "timestamp": 5}, CallExecution)  # a misfit: the general path
    module = "futureagi_async.models.calls.CallExecution"

    slow = f"<futureagi_async slot builder {module}>"
    assert linecache.getline(slow, 1).startswith("def build_CallExecution(o")
    fast = f"<futureagi_async fast structure {module}>"
    assert linecache.getline(fast, 1).startswith("def structure_CallExecution(o")


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


# --- the generated fast path reads exactly what the general path reads -----------------------

_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**60), 2**60),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "88", "1.5", "true", "Passed", "2026-03-20T02:07:41Z", "2026-03-05"]),
    st.text(max_size=5),
)
_VALUES = st.one_of(
    _SCALARS,
    st.lists(_SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=3), _SCALARS, max_size=3),
)


def _object_of(keys: list[str], nested: Any = None) -> Any:
    """Objects with some of `keys` (and a few unknown ones), values of any JSON kind."""
    values = _VALUES if nested is None else st.one_of(_VALUES, nested)
    known = st.dictionaries(st.sampled_from(keys), values, max_size=len(keys))
    unknown = st.dictionaries(st.sampled_from(["odd", "brand_new"]), _SCALARS, max_size=2)
    return st.builds(lambda a, b: {**a, **b}, known, unknown)


def _keys(cls: type) -> list[str]:
    names = [f.name for f in attrs.fields(cls) if f.name != "extra"]
    return names + [key for f in attrs.fields(cls) for key in f.metadata.get(ALIASES, ())]


_DATES = st.sampled_from(["2026-03-20T02:07:41Z", "2026-03-20T02:07:41", "2026-03-05", "x", 5])


def _with(keys: dict[str, Any], objects: Any) -> Any:
    """`objects`, each with the `keys` (datetimes, aliases) given often-tricky values."""
    extra = st.fixed_dictionaries({}, optional=keys)
    return st.builds(lambda a, b: {**a, **b}, objects, extra)


_EVAL = _with(
    {"value": _SCALARS, "output": _SCALARS, "type": _SCALARS, "timestamp": _DATES},
    _object_of(_keys(EvalMetric)),
)
_ITEM = _with({"created_at": _DATES}, _object_of(_keys(TranscriptItem)))
_NESTED = st.one_of(
    st.lists(st.one_of(_ITEM, _SCALARS), max_size=3),
    st.dictionaries(st.sampled_from(["a", "b"]), st.one_of(_EVAL, _SCALARS), max_size=2),
)
_ROWS = st.builds(
    lambda row, row_id: {**row, "id": row_id} if row_id is not None else row,
    _with(
        {"timestamp": _DATES, "start_time": _DATES, "transcript": _NESTED},
        _object_of(_keys(CallExecution), _NESTED),
    ),
    # A row's id is required: mostly there, sometimes missing or not a string.
    st.one_of(st.text(max_size=4), st.text(max_size=4), st.text(max_size=4), _SCALARS),
)
_GENERAL = make_converter(slot_builder=False)


def _general(body: Any, cls: type) -> Any:
    """`structure` on the general path alone (cattrs' generated functions, no fast path)."""
    try:
        return _GENERAL.structure(body, cls)
    except _convert._NotAnObject as exc:
        raise _convert._decode_error(cls.__name__, exc) from None
    except _convert._Mismatch:
        raise ResponseDecodeError(f"cannot read {cls.__name__}") from None


def _outcome(read: Any, body: Any, cls: type) -> Any:
    try:
        value = read(body, cls)
        # repr reads every attribute (types show; NaN equals NaN there); to_dict shows
        # `.extra` and the key order.
        return ("ok", repr(value), json.dumps(value.to_dict(), default=repr))
    except ResponseDecodeError as exc:
        return ("error", str(exc))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(row=_ROWS, evals=st.lists(_EVAL, max_size=3))
def test_the_fast_path_and_the_general_path_agree(row: dict[str, Any], evals: list[Any]) -> None:
    row = {**row, "eval_metrics": {str(i): item for i, item in enumerate(evals)}}
    for body, cls in (
        (row, CallExecution),
        ({"results": [row, row], "count": 2}, CallExecutionPage),
    ):
        assert _outcome(structure, body, cls) == _outcome(_general, body, cls)


def test_items_of_many_shapes_are_read_alike() -> None:
    # Each key set (and order) gets its own code, up to a bound; past it, the general one.
    pairs = [
        ("id", "a"),
        ("role", 1),
        ("content", "x"),
        ("odd", None),
        ("created_at", "2026-03-05"),
    ]
    subsets = [{k: v for j, (k, v) in enumerate(pairs) if i >> j & 1} for i in range(32)]
    items = subsets + [dict(reversed(item.items())) for item in subsets]
    evals = {str(i): {"output": i, "type": "x"} if i % 2 else {"value": i} for i in range(40)}
    row = {"id": "r", "transcript": items, "eval_outputs": evals}

    assert _outcome(structure, row, CallExecution) == _outcome(_general, row, CallExecution)
