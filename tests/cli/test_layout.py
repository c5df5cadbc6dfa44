"""Tables on a narrow terminal (issue 22.2): ids shorten (whole with --wide or in --json),
names keep their width, nothing runs past the terminal's edge."""

from __future__ import annotations

import json

import pytest

from .helpers import Cli, Served, first_run_test


@pytest.fixture
def columns(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("COLUMNS", "80")
    return 80


def _fits(text: str, width: int) -> None:
    assert text.strip()
    assert max(len(line) for line in text.splitlines()) <= width


def test_run_tests_list_at_80_columns(cli: Cli, env: Served, columns: int) -> None:
    run_tests = env.fake.dataset.run_tests

    table = cli("run-tests", "list")

    assert table.code == 0, table.err
    _fits(table.out, columns)
    for run_test in run_tests:
        assert run_test.name in table.out  # on one line, not cut into pieces
        assert run_test.id not in table.out
        assert f"{run_test.id[:8]}…" in table.out
    assert "--wide shows them whole" in table.out

    wide = cli("run-tests", "list", "--wide")
    assert all(run_test.id in wide.out for run_test in run_tests)
    listed = json.loads(cli("run-tests", "list", "--json").out)
    assert {item["id"] for item in listed} == {run_test.id for run_test in run_tests}


def test_calls_list_at_80_columns(cli: Cli, env: Served, columns: int) -> None:
    run_test_id, _ = first_run_test(env)

    table = cli("calls", "list", run_test_id, "--limit", "10")

    assert table.code == 0, table.err
    _fits(table.out, columns)
    calls = json.loads(cli("calls", "list", run_test_id, "--limit", "10", "--json").out)
    for call in calls:
        assert call["scenario"] in table.out
        assert f"{call['id'][:8]}…" in table.out


def test_runs_at_120_columns_one_line_per_execution(
    cli: Cli, env: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    _, name = first_run_test(env)

    table = cli("runs", name, "--limit", "3")

    assert table.code == 0, table.err
    lines = table.out.splitlines()
    header = next(line for line in lines if line.startswith("execution"))
    assert all(word in header.split() for word in ("is_helpful", "tone_score", "sentiment"))
    executions = json.loads(cli("runs", name, "--limit", "3", "--json").out)
    prefixes = tuple(e["execution_id"][:8] for e in executions)
    rows = [line for line in lines if line.startswith(prefixes)]
    assert len(rows) == 3  # each execution on one line: nothing folded
    assert all("%" in row for row in rows)
    _fits("\n".join(lines[:-1]), 120)  # all but the legend line, which is prose


def test_a_table_that_fits_keeps_ids_whole(cli: Cli, env: Served) -> None:
    # Piped with no COLUMNS, tables are 200 wide: the ids fit and stay whole.
    run_test_id, _ = first_run_test(env)
    table = cli("run-tests", "list")
    assert run_test_id in table.out
    assert "--wide" not in table.out
