"""`executions calls`: one execution's grid, with filters."""

from __future__ import annotations

import json

import pytest

from .helpers import Cli, Served


def test_executions_calls_with_filters(cli: Cli, env: Served) -> None:
    execution = env.fake.dataset.executions[0]
    every = json.loads(cli("executions", "calls", execution.id, "--json").out)
    assert len(every) == len(env.fake.dataset.calls_of(execution.id))
    done = cli("executions", "calls", execution.id, "--filter", "status=completed", "--json")
    assert done.code == 0
    assert {row["status"] for row in json.loads(done.out)} == {"completed"}
    raw = json.dumps(
        {
            "column_id": "status",
            "filter_type": "text",
            "filter_op": "equals",
            "filter_value": "failed",
        }
    )
    failed = cli("executions", "calls", execution.id, "--filter", raw, "--json")
    assert {row["status"] for row in json.loads(failed.out)} <= {"failed"}


def test_a_json_filter_in_the_docs_form(cli: Cli, env: Served) -> None:
    execution = env.fake.dataset.executions[0]
    docs = json.dumps(
        {"colId": "status", "filterType": "text", "type": "equals", "filter": "failed"}
    )
    backend = json.dumps(
        {
            "column_id": "status",
            "filter_config": {
                "filter_type": "text",
                "filter_op": "equals",
                "filter_value": "failed",
            },
        }
    )

    by_docs = cli("executions", "calls", execution.id, "--filter", docs, "--json")
    by_backend = cli("executions", "calls", execution.id, "--filter", backend, "--json")

    assert by_docs.code == 0, by_docs.err
    assert json.loads(by_docs.out) == json.loads(by_backend.out)
    assert {row["status"] for row in json.loads(by_docs.out)} <= {"failed"}


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ('{"column_id": "status", "filter_op": "equals"}', "needs filter_type"),
        ('{"colId": "status", "type": "equals"}', "needs filterType"),
        ('{"colId": "status", "filterType": "text"}', "needs type"),
        ('["status"]', "a filter must be a Filter or a dict"),
    ],
)
def test_a_json_filter_missing_a_key_names_it(cli: Cli, env: Served, bad: str, says: str) -> None:
    execution = env.fake.dataset.executions[0]
    result = cli("executions", "calls", execution.id, "--filter", bad)
    assert result.code == 2
    assert says in result.err
    assert '{"colId": "overall_score"' in result.err


@pytest.mark.parametrize("bad", ["status", "{not json", '{"column_id": "x"}', "=x"])
def test_a_bad_filter_is_a_usage_error(cli: Cli, env: Served, bad: str) -> None:
    execution = env.fake.dataset.executions[0]
    result = cli("executions", "calls", execution.id, "--filter", bad)
    assert result.code == 2
    assert result.err.startswith("error: --filter")
    assert "Traceback" not in result.err


def test_an_unknown_filter_column_is_refused_naming_the_known_ones(cli: Cli, env: Served) -> None:
    # The API would ignore it and return every row; the CLI says so instead.
    execution = env.fake.dataset.executions[0]
    result = cli("executions", "calls", execution.id, "--filter", "nosuchcol=x", "--json")
    assert result.code == 2
    assert "unknown filter column 'nosuchcol'" in result.err
    assert "status" in result.err  # one of the columns it does know
    assert result.out == ""
