"""`calls list`: a run test's calls across its executions."""

from __future__ import annotations

import json

from .helpers import Cli, Served, first_run_test


def test_calls_list_by_status(cli: Cli, env: Served) -> None:
    run_test_id, _ = first_run_test(env)
    result = cli("calls", "list", run_test_id, "--status", "completed", "--jsonl")
    assert result.code == 0
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert rows
    assert {row["status"] for row in rows} == {"completed"}


def test_a_retired_eval_is_named_and_marked(cli: Cli, env: Served) -> None:
    # Run test 0 had a config removed ("retired_check"); its calls still carry its output,
    # which the execution's pass rates (and the gate) no longer count.
    run_test_id, _ = first_run_test(env)
    table = cli("calls", "list", run_test_id, "--status", "completed", "--limit", "5")
    assert table.code == 0, table.err
    assert "retired_check (retired)" in table.out
    assert "helpful_or_not" in table.out
    assert "helpful_or_not (retired)" not in table.out


def test_a_known_status_is_matched_in_any_case(cli: Cli, env: Served) -> None:
    run_test_id, _ = first_run_test(env)
    lower = cli("calls", "list", run_test_id, "--status", "completed", "--json")
    title = cli("calls", "list", run_test_id, "--status", " Completed", "--json")

    assert title.code == 0, title.err
    assert title.err == ""
    assert json.loads(title.out) == json.loads(lower.out) != []


def test_an_unknown_status_is_warned_about(cli: Cli, env: Served) -> None:
    run_test_id, _ = first_run_test(env)
    result = cli("calls", "list", run_test_id, "--status", "done", "--json")

    assert result.code == 0
    assert json.loads(result.out) == []
    assert "warning: --status 'done' is not a call status seen so far" in result.err
    assert "completed" in result.err
