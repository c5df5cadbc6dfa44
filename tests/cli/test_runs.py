"""`runs NAME` and `runs call ID`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import Cli, Served, first_run_test


def test_runs_one_row_per_execution_with_pass_rates(cli: Cli, env: Served) -> None:
    run_test_id, name = first_run_test(env)
    result = cli("runs", name, "--json")
    assert result.code == 0
    executions = json.loads(result.out)
    assert len(executions) == len(env.fake.dataset.executions_of(run_test_id))
    table = cli("runs", name)
    assert "is_helpful" in table.out
    assert all(e["execution_id"] in table.out for e in executions)
    assert "%" in table.out


def test_runs_call(cli: Cli, env: Served) -> None:
    call = next(c for c in env.fake.dataset.calls if c.status == "completed" and not c.deleted)
    result = cli("runs", "call", call.id, "--json")
    assert result.code == 0
    assert json.loads(result.out)["call_execution_id"] == call.id
    table = cli("runs", "call", call.id)
    assert call.id in table.out
    assert "helpful_or_not" in table.out


def test_the_table_ties_eval_names_to_the_config_names_calls_carry(cli: Cli, env: Served) -> None:
    _, name = first_run_test(env)
    table = cli("runs", name)
    assert "evals and the config names call rows carry: is_helpful = helpful_or_not" in table.out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["a", "b", "c"], "runs takes one RUN_TEST_NAME"),
        (["call"], "runs call takes one CALL_EXECUTION_ID"),
        (["call", "x", "y"], "runs call takes one CALL_EXECUTION_ID"),
        (["call", "x", "--limit", "2"], "--limit applies to `runs RUN_TEST_NAME` only"),
        (["some name", "--limit", "0"], "argument --limit: must be at least 1, got 0"),
    ],
)
def test_runs_usage(cli: Cli, env: Served, argv: list[str], message: str) -> None:
    result = cli("runs", *argv)
    assert result.code == 2
    assert result.err.startswith("usage: futureagi-async runs [options] RUN_TEST_NAME\n")
    assert "futureagi-async runs [options] call CALL_EXECUTION_ID" in result.err
    assert message in result.err


def test_an_unknown_run_test_is_named(cli: Cli, env: Served) -> None:
    result = cli("runs", "Nope")
    assert result.code == 2
    assert result.err.startswith("error: no run test named 'Nope'")
    assert "http" not in result.err


@pytest.mark.parametrize(
    "argv",
    [
        ("runs", "Billing bot nightly", "--eval", "nope"),
        ("runs", "Billing bot nightly", "--eval", "helpful_or_not", "--eval", "nope", "--json"),
        ("export", "Billing bot nightly", "--eval", "nope"),
    ],
)
def test_an_eval_typo_is_refused_with_the_known_names(
    cli: Cli, argv: tuple[str, ...], tmp_path: Path
) -> None:
    result = cli(*argv, *(("--out", str(tmp_path / "x")) if argv[0] == "export" else ()))

    assert result.code == 2
    assert "no eval named 'nope'" in result.err
    assert "helpful_or_not, tone_quality, customer_sentiment" in result.err
    assert result.out == ""
    assert not (tmp_path / "x").exists()


def test_a_known_eval_still_filters(cli: Cli) -> None:
    result = cli("runs", "Billing bot nightly", "--eval", "helpful_or_not", "--json")
    assert result.code == 0, result.err
    names = {r["name"] for e in json.loads(result.out) for r in e["eval_results"]}
    assert names == {"is_helpful"}


def test_runs_call_refuses_an_eval_typo(cli: Cli, env: Served) -> None:
    run_test = env.fake.dataset.run_tests[0]
    execution = env.fake.dataset.executions_of(run_test.id)[-1]
    call = env.fake.dataset.calls_of(execution.id)[0]
    result = cli("runs", "call", call.id, "--eval", "nope", "--json")
    assert result.code == 2
    assert "no eval named 'nope'" in result.err
