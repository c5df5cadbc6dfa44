"""The read commands end to end: a loopback fake, credentials from the environment."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from futureagi_async.testing import TEST_SECRET_KEY

from .conftest import Result, Served

Cli = Callable[..., Result]


def _first_run_test(env: Served) -> tuple[str, str]:
    run_test = env.fake.dataset.run_tests[0]
    return run_test.id, run_test.name


def test_run_tests_list_json_and_table(cli: Cli, env: Served) -> None:
    result = cli("run-tests", "list", "--json")
    assert result.code == 0, result.err
    names = [item["name"] for item in json.loads(result.out)]
    assert sorted(names) == sorted(r.name for r in env.fake.dataset.run_tests)

    table = cli("run-tests", "list")
    assert table.code == 0
    assert all(name in table.out for name in names)


def test_run_tests_list_search_and_limit(cli: Cli, env: Served) -> None:
    _, name = _first_run_test(env)
    found = json.loads(cli("run-tests", "list", "--search", name, "--json").out)
    assert [item["name"] for item in found] == [name]
    lines = cli("run-tests", "list", "--limit", "2", "--jsonl").out.splitlines()
    assert len(lines) == 2


def test_run_tests_get(cli: Cli, env: Served) -> None:
    run_test_id, name = _first_run_test(env)
    result = cli("run-tests", "get", run_test_id, "--json")
    assert result.code == 0
    assert json.loads(result.out)["id"] == run_test_id
    table = cli("run-tests", "get", run_test_id)
    assert name in table.out
    assert "helpful_or_not" in table.out


def test_calls_list_by_status(cli: Cli, env: Served) -> None:
    run_test_id, _ = _first_run_test(env)
    result = cli("calls", "list", run_test_id, "--status", "completed", "--jsonl")
    assert result.code == 0
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert rows
    assert {row["status"] for row in rows} == {"completed"}


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


@pytest.mark.parametrize("bad", ["status", "{not json", '{"column_id": "x"}', "=x"])
def test_a_bad_filter_is_a_usage_error(cli: Cli, env: Served, bad: str) -> None:
    execution = env.fake.dataset.executions[0]
    result = cli("executions", "calls", execution.id, "--filter", bad)
    assert result.code == 2
    assert result.err.startswith("error: --filter")
    assert "Traceback" not in result.err


def test_runs_one_row_per_execution_with_pass_rates(cli: Cli, env: Served) -> None:
    run_test_id, name = _first_run_test(env)
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


def test_runs_usage(cli: Cli, env: Served) -> None:
    result = cli("runs", "a", "b", "c")
    assert result.code == 2
    assert result.err.startswith("error: usage")


def test_missing_credentials_is_one_line(
    cli: Cli, env: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FI_API_KEY")
    result = cli("run-tests", "list")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert result.err.startswith("error: missing credentials")


def test_wrong_credentials_never_echo_the_secret(cli: Cli, env: Served) -> None:
    secret = "s3cret-do-not-print"
    result = cli("run-tests", "list", "--secret-key", secret)
    assert result.code == 2
    assert result.err.startswith("error:")
    assert secret not in result.out + result.err
    assert TEST_SECRET_KEY not in result.out + result.err


def test_not_found_and_bad_ids(cli: Cli, env: Served) -> None:
    missing = cli("run-tests", "get", "00000000-0000-4000-8000-000000000000")
    assert missing.code == 2
    assert missing.err.startswith("error:")
    bad = cli("run-tests", "get", "not-a-uuid")
    assert bad.code == 2
    assert "UUID" in bad.err
    assert "Traceback" not in bad.err


def test_debug_shows_the_traceback(cli: Cli, env: Served) -> None:
    result = cli("--debug", "run-tests", "get", "not-a-uuid")
    assert result.code == 2
    assert "Traceback" in result.err


def test_usage_errors_exit_2(cli: Cli, env: Served) -> None:
    assert cli().code == 2
    assert cli("no-such-command").code == 2
    assert cli("run-tests", "list", "--json", "--jsonl").code == 2


def test_flags_after_the_command(cli: Cli, env: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FI_BASE_URL")
    result = cli("run-tests", "list", "--json", "--base-url", env.base_url)
    assert result.code == 0, result.err


def test_http_client_hook_runs_in_process(cli: Cli, env: Served) -> None:
    # No base URL reaches a socket: the injected client routes everything to the app.
    http = env.fake.http_client()
    result = cli(
        "run-tests", "list", "--json", "--base-url", "http://127.0.0.1:9", http_client=http
    )
    assert result.code == 0, result.err
    assert len(json.loads(result.out)) == len(env.fake.dataset.run_tests)
