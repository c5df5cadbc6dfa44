"""Every recorded 200 body, parsed by its model: every key read, every value kept as sent."""

from __future__ import annotations

from typing import Any

import pytest

from futureagi_async import CallExecution, RunTest, SimulationCall, SimulationExecution
from futureagi_async._convert import structure, structure_list
from futureagi_async.models import TestExecutionPage

from ._compare import assert_matches
from ._recordings import Recording, _all

_OK = sorted(name for name, rec in _all().items() if rec.status == 200 and rec.body_json)


def _parse(rec: Recording) -> tuple[Any, Any]:
    """(model, the JSON it came from) for one recorded answer."""
    body = rec.payload
    query = dict(rec.query)
    if rec.path.startswith("/sdk/"):
        if "call_execution_id" in query:
            return structure(body, SimulationCall), body
        if "execution_id" in query:
            return structure(body, SimulationExecution), body
        return structure_list(body["results"], SimulationExecution), body["results"]
    if rec.path.startswith("/simulate/test-executions/"):
        return structure(body, TestExecutionPage), body
    if rec.path.endswith("/call-executions/"):
        return structure_list(body["results"], CallExecution), body["results"]
    if rec.path == "/simulate/run-tests/":
        return structure_list(body["results"], RunTest), body["results"]
    return structure(body, RunTest), body


@pytest.mark.parametrize("name", [n for n in _OK if _all()[n].method == "GET"])
def test_every_key_of_a_real_body_is_read(name: str) -> None:
    model, raw = _parse(_all()[name])
    assert_matches(model, raw)


def test_the_bodies_cover_every_model() -> None:
    parsed = {type(_parse(_all()[n])[0]).__name__ for n in _OK if _all()[n].method == "GET"}
    assert parsed == {
        "list",
        "RunTest",
        "TestExecutionPage",
        "SimulationExecution",
        "SimulationCall",
    }
