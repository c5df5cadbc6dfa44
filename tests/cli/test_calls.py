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
