"""Lone surrogates (`"\\ud83d"`, a message cut mid-emoji) in any text field: a model always
writes itself out (issue 18, defect 4). `to_json()` escapes them, so its output is valid
UTF-8 and reads back to the same data."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from futureagi_async import _json
from futureagi_async._convert import structure
from futureagi_async.models import CallExecution, RunTest, SimulationExecution

# Any text, lone surrogates included (hypothesis leaves them out by default).
TEXT = st.text(st.one_of(st.characters(), st.characters(categories=["Cs"])), max_size=12)


def _bodies() -> st.SearchStrategy[tuple[type[Any], dict[str, Any]]]:
    call = st.fixed_dictionaries(
        {"id": TEXT, "status": TEXT, "customer_name": TEXT},
        optional={
            "transcript": st.lists(st.fixed_dictionaries({"role": TEXT, "content": TEXT})),
            "eval_outputs": st.dictionaries(TEXT, st.fixed_dictionaries({"reason": TEXT})),
            "not_a_field": st.dictionaries(TEXT, TEXT, max_size=3),  # kept in .extra
        },
    )
    run_test = st.fixed_dictionaries({"id": TEXT, "name": TEXT, "description": TEXT})
    execution = st.fixed_dictionaries(
        {"execution_id": TEXT, "status": TEXT},
        optional={"eval_results": st.lists(st.fixed_dictionaries({"name": TEXT}), max_size=3)},
    )
    return st.one_of(
        st.tuples(st.just(CallExecution), call),
        st.tuples(st.just(RunTest), run_test),
        st.tuples(st.just(SimulationExecution), execution),
    )


@settings(max_examples=150, deadline=None)
@given(_bodies())
def test_every_model_writes_itself_out(case: tuple[type[Any], dict[str, Any]]) -> None:
    cls, body = case
    model = structure(body, cls)

    text = model.to_json()

    text.encode("utf-8")  # valid UTF-8: no lone surrogate left unescaped
    assert json.loads(text) == json.loads(_json.dumps(model.to_dict()))
    assert structure(json.loads(text), cls) == model


def test_a_lone_surrogate_is_escaped_not_replaced() -> None:
    call = structure({"id": "a", "customer_name": "cut \ud83d"}, CallExecution)

    assert '"customer_name":"cut \\ud83d"' in call.to_json()
    assert _json.dumps({"k": ["\udfff", {"\ud800": "é"}]}) == (
        '{"k":["\\udfff",{"\\ud800":"é"}]}'.encode()
    )
