"""Every 200 body the real backend answered (tests/recordings/) read into its model.

Each file's request path tells the endpoint, and so the model. Two checks per body:

- no key lands in any `.extra`: the models name everything the backend sends;
- `to_dict()` gives back the recorded JSON, modulo the documented normalisations
  (`_same` below): a key the body lacked comes back as null or empty, a null collection
  as empty, a datetime in our ISO 8601 spelling of the same instant, an alias under its
  attribute's name, and grouped-mode rows under `groups`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import attrs
import pytest

from futureagi_async import models
from futureagi_async._convert import structure
from futureagi_async.models._base import Model

RECORDINGS = Path(__file__).resolve().parent.parent / "recordings"

# Docs' spellings read into an attribute: (recorded key, attribute name).
_ALIASES = {"output": "value", "type": "output_type", "calls": "results"}


def _model_for(path: str, body: Any) -> tuple[Any, type[Model]]:
    """The part of the body that is a model, and its model, from the request path."""
    url = urlsplit(path)
    query = parse_qs(url.query)
    if url.path.startswith("/sdk/"):
        result = body["result"]
        if "call_execution_id" in query:
            return result, models.SimulationCall
        if "execution_id" in query:
            return result, models.SimulationExecution
        return result, models.SimulationExecutionPage
    if url.path.endswith("/call-executions/"):
        return body, models.CallExecutionPage
    if "/test-executions/" in url.path:
        return body, models.TestExecutionPage
    if re.search(r"/run-tests/[^/]+/$", url.path):
        return body, models.RunTest
    return body, models.RunTestPage


def _ok_bodies() -> list[Any]:
    params = []
    for file in sorted(RECORDINGS.glob("*.json")):
        recording = json.loads(file.read_text())
        if not isinstance(recording, dict) or "request" not in recording:
            continue  # _paging_counts.json
        ok = recording["status"] == 200 and recording["request"]["method"] == "GET"
        if ok and recording.get("body_json") is not None:
            body, cls = _model_for(recording["request"]["path"], recording["body_json"])
            params.append(pytest.param(body, cls, id=file.stem))
    return params


BODIES = _ok_bodies()


def _extras(value: Any, path: str, found: list[str]) -> None:
    """Every non-empty `.extra` in a tree of models, by path."""
    if attrs.has(type(value)):
        extra = value.extra
        if extra:
            found.append(f"{path}: {sorted(extra)}")
        for field in attrs.fields(type(value)):
            if field.name != "extra":
                _extras(getattr(value, field.name), f"{path}.{field.name}", found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _extras(item, f"{path}[{index}]", found)
    elif isinstance(value, dict):
        for key, item in value.items():
            _extras(item, f"{path}[{key!r}]", found)


def test_the_recordings_are_all_here() -> None:
    assert len(BODIES) >= 200


@pytest.mark.parametrize(("body", "cls"), BODIES)
def test_every_recorded_body_reads_with_no_unknown_key(body: Any, cls: type[Model]) -> None:
    found: list[str] = []

    _extras(structure(body, cls), cls.__name__, found)

    assert found == []


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _same(ours: Any, recorded: Any, path: str) -> None:
    """`ours` (from to_dict) is `recorded` up to the documented normalisations."""
    if isinstance(recorded, dict) and isinstance(ours, dict):
        for key, value in recorded.items():
            if key in ours:
                _same(ours[key], value, f"{path}.{key}")
            else:
                assert _ALIASES.get(key) in ours, f"{path}.{key} is missing"
                _same(ours[_ALIASES[key]], value, f"{path}.{key}")
        for key, value in ours.items():
            if key not in recorded and not any(
                _ALIASES.get(spelling) == key for spelling in recorded
            ):
                assert value in (None, [], {}), f"{path}.{key}: {value!r} out of nothing"
    elif isinstance(recorded, list) and isinstance(ours, list):
        assert len(ours) == len(recorded), path
        for index, (mine, theirs) in enumerate(zip(ours, recorded, strict=True)):
            _same(mine, theirs, f"{path}[{index}]")
    elif recorded is None:
        assert ours in (None, [], {}), f"{path}: {ours!r} for null"
    elif isinstance(recorded, str) and isinstance(ours, str) and ours != recorded:
        instant = _instant(recorded)
        assert instant is not None, f"{path}: {ours!r} != {recorded!r}"
        assert _instant(ours) == instant, f"{path}: {ours!r} != {recorded!r}"
    else:
        assert ours == recorded, f"{path}: {ours!r} != {recorded!r}"
        assert type(ours) is type(recorded) or {type(ours), type(recorded)} <= {int, float}


def _groups_back_in_results(data: dict[str, Any], recorded: Any) -> dict[str, Any]:
    """Grouped-mode rows come back under `groups`; put them where the body had them."""
    groups = data.pop("groups")
    if groups:
        by_kind = iter(groups), iter(data["results"])
        data["results"] = [
            next(by_kind[0] if "count" in row and "id" not in row else by_kind[1])
            for row in recorded["results"]
        ]
    return data


@pytest.mark.parametrize(("body", "cls"), BODIES)
def test_to_dict_gives_back_the_recorded_json(body: Any, cls: type[Model]) -> None:
    data = structure(body, cls).to_dict()
    if cls is models.TestExecutionPage:
        data = _groups_back_in_results(data, body)

    _same(data, body, cls.__name__)
    assert json.loads(json.dumps(data)) == data  # plain JSON data


@pytest.mark.parametrize(("body", "cls"), BODIES[::10])
def test_to_json_reads_back_into_an_equal_model(body: Any, cls: type[Model]) -> None:
    model = structure(body, cls)

    assert structure(json.loads(model.to_json()), cls) == model
