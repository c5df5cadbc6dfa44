"""Baseline files: a round trip, and every way a file can be wrong refused by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from futureagi_async.gate import (
    FORMAT,
    GateInputError,
    baseline_from_json,
    baseline_to_json,
    load_baseline,
    save_baseline,
)

from .helpers import outcomes, passes


def test_a_saved_baseline_reads_back_equal(tmp_path: Path) -> None:
    original = outcomes("base", helpful=passes(0.8, 30), tone=[0.5, 0.75, 1.0], latency=[900.0])
    path = tmp_path / "ci" / "baseline.json"
    save_baseline(original, path)
    assert load_baseline(path) == original
    assert not list(tmp_path.glob("ci/*.partial"))
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == FORMAT
    assert document["version"] == 1


def _document(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(baseline_to_json(outcomes("base", helpful=[True])))
    document.update(changes)
    return document


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"format": "futureagi-async/gate-baseline", "vers', "not JSON"),
        (b"\xff\xfe not text", "not JSON"),
        (b"[" * 100_000, "not JSON"),
        (b'{"junit": "report"}', "not a gate baseline"),
        (b"[1, 2]", "not a gate baseline"),
        (
            json.dumps(_document(version=2)).encode(),
            "version 2; this futureagi-async reads version 1",
        ),
        (json.dumps(_document(evals=[])).encode(), "'evals' must be an object"),
        (json.dumps(_document(evals={"x": "choices"})).encode(), "eval 'x' has unknown kind"),
        (json.dumps(_document(calls={})).encode(), "'calls' must be a list"),
        (json.dumps(_document(calls=[1])).encode(), "call 0 is not an object"),
        (json.dumps(_document(calls=[{"evals": {}}])).encode(), "'id' must be a string"),
        (
            json.dumps(_document(calls=[{"id": "c", "evals": {"is_helpful": "yes"}}])).encode(),
            "'is_helpful' is not a pass/fail outcome",
        ),
        (
            json.dumps(_document(calls=[{"id": "c", "evals": {"nope": True}}])).encode(),
            "has an outcome for 'nope', not in 'evals'",
        ),
        (
            json.dumps(_document(calls=[{"id": "c", "evals": {}, "latency_ms": "slow"}])).encode(),
            "'latency_ms' must be a number",
        ),
        (json.dumps(_document(failed_calls=-1)).encode(), "'failed_calls' must be a whole number"),
        (json.dumps(_document(execution_id=None)).encode(), "'execution_id' must be a string"),
        (json.dumps(_document(aliases={"a": "b"})).encode(), "alias 'a' names 'b'"),
    ],
)
def test_a_corrupt_or_foreign_file_is_refused(content: bytes, message: str) -> None:
    with pytest.raises(GateInputError, match=message) as caught:
        baseline_from_json(content, source="b.json")
    assert str(caught.value).startswith("baseline file b.json: ")
    assert "\n" not in str(caught.value)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(GateInputError, match=r"baseline file .*nope\.json: No such file"):
        load_baseline(tmp_path / "nope.json")
