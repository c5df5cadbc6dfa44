"""Whatever a user types or a file holds: an assertion or a baseline, else `GateInputError`
(one line), never another exception."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from futureagi_async.gate import (
    GateInputError,
    baseline_from_json,
    baseline_to_json,
    check_assertions,
    parse_assertion,
)

from .helpers import outcomes, passes

_EXECUTION = outcomes(helpful=passes(0.8, 10), tone=[0.5] * 10, latency=[100.0] * 10)
_WORDS = st.sampled_from(
    ["is_helpful", "tone_score", "latency", "duration", "failed_calls", "runtime", "x", ""]
)
_STATS = st.sampled_from(["pass_rate", "avg", "p90", "p5", "min", "", "max"])
_OPS = st.sampled_from([">=", "<=", ">", "<", "==", "=", "=>", " "])
_VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.integers(-5, 200).map(str),
    st.text(max_size=5),
).flatmap(lambda v: st.sampled_from([v, v + "%"]))


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=40),
        st.builds(lambda n, s, o, v: f"{n}.{s} {o} {v}", _WORDS, _STATS, _OPS, _VALUES),
        st.builds(lambda n, o, v: f"{n} {o} {v}", _WORDS, _OPS, _VALUES),
    )
)
def test_an_assertion_parses_or_is_refused_in_one_line(text: str) -> None:
    try:
        assertion = parse_assertion(text)
        check_assertions([assertion], _EXECUTION)
    except GateInputError as exc:
        message = str(exc)
    else:
        return
    assert message.startswith("--assert ")


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def _mutated(document: dict[str, Any], key: str, value: Any) -> bytes:
    changed = dict(document)
    changed[key] = value
    return json.dumps(changed).encode()


_VALID: dict[str, Any] = json.loads(baseline_to_json(_EXECUTION))


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=60),
        _JSON.map(lambda value: json.dumps(value).encode()),
        st.builds(_mutated, st.just(_VALID), st.sampled_from(sorted(_VALID)), _JSON),
    )
)
def test_a_baseline_file_reads_or_is_refused(raw: bytes) -> None:
    try:
        baseline_from_json(raw, source="b.json")
    except GateInputError as exc:
        message = str(exc)
    else:
        return
    assert message.startswith("baseline file b.json: ")
