"""`Model.from_dict`: what `to_dict()` (or an export's JSON) wrote loads back, on every model."""

from __future__ import annotations

import json
from typing import Any

import pytest

import futureagi_async as fa
from futureagi_async import models
from futureagi_async._convert import structure
from futureagi_async.models._base import Model

from . import bodies

EVERY_MODEL = sorted(
    (
        cls
        for name in models.__all__
        if isinstance(cls := getattr(models, name), type) and issubclass(cls, Model)
    ),
    key=lambda cls: cls.__name__,
)


@pytest.mark.parametrize("cls", EVERY_MODEL, ids=lambda cls: cls.__name__)
def test_every_model_has_from_dict(cls: type[Model]) -> None:
    ids = {"id": "a", "execution_id": "e", "call_execution_id": "c"}
    data: dict[str, Any] = {"brand_new": [1]} | ids
    model = cls.from_dict(data)

    assert type(model) is cls
    assert model == structure(data, cls)
    assert cls.from_dict(model.to_dict()) == model
    assert cls.from_dict(json.loads(model.to_json())) == model


@pytest.mark.parametrize(
    ("body", "cls"),
    [
        (bodies.CALL_ROW, models.CallExecution),
        (bodies.SIM_EXECUTION, models.SimulationExecution),
        (bodies.RUN_TEST_PROMPT, models.RunTest),
    ],
)
def test_real_bodies_round_trip(body: dict[str, Any], cls: type[Model]) -> None:
    model = cls.from_dict(body)
    assert cls.from_dict(model.to_dict()) == model


def test_from_dict_is_as_tolerant_and_as_strict_as_a_response() -> None:
    call = models.CallExecution.from_dict({"id": "a", "duration": "eighty"})
    assert call.duration is None
    assert call.extra == {"duration": "eighty"}
    with pytest.raises(fa.ResponseDecodeError, match="`id`"):
        models.CallExecution.from_dict({"status": "completed"})
