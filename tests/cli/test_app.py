"""What every command shares: parsing, credentials, errors and exit codes, output."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys

import pytest

from futureagi_async.testing import TEST_SECRET_KEY

from .helpers import Cli, Served, first_run_test


def test_missing_credentials_is_one_line(
    cli: Cli, env: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FI_API_KEY")
    result = cli("run-tests", "list")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert result.err.startswith("error: missing credentials: pass --api-key (or set FI_API_KEY); ")
    assert "api_key" not in result.err


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
    unknown = cli("run-tests", "get", "not-a-uuid")  # not an id, so a name: there is none
    assert unknown.code == 2
    assert "no run test named 'not-a-uuid'" in unknown.err
    bad = cli("executions", "calls", "not-a-uuid")
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


@pytest.mark.parametrize(
    ("argv", "usage"),
    [
        (["run-tests", "list", "--limt", "2"], "usage: futureagi-async run-tests list"),
        (["gate", "x", "--min-passrate", "90"], "usage: futureagi-async gate"),
        (["export", "x", "--formt", "csv"], "usage: futureagi-async export"),
    ],
)
def test_a_typo_shows_the_commands_usage(
    cli: Cli, env: Served, argv: list[str], usage: str
) -> None:
    result = cli(*argv)
    assert result.code == 2
    assert result.err.startswith(usage)
    assert "unrecognized arguments: " + argv[-2] in result.err


@pytest.mark.parametrize("limit", ["0", "-1", "two"])
def test_limit_must_be_positive(cli: Cli, env: Served, limit: str) -> None:
    result = cli("run-tests", "list", "--limit", limit)
    assert result.code == 2
    assert result.err.startswith("usage: futureagi-async run-tests list")
    assert "argument --limit" in result.err


@pytest.mark.parametrize("fmt", [(), ("--json",), ("--jsonl",)])
@pytest.mark.parametrize("reads", [0, 100])
def test_a_closed_pipe_exits_quietly_with_0(env: Served, fmt: tuple[str, ...], reads: int) -> None:
    """`... | head -1` or `head -c 100`: no message and exit 0, for tables and JSON alike,
    whether the reader went before the first write or after a few bytes (issue 22.14)."""
    run_test_id, _ = first_run_test(env)
    argv = [sys.executable, "-m", "futureagi_async", "calls", "list", run_test_id, *fmt]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        assert process.stderr is not None
        if reads:
            assert process.stdout.read(reads)
        process.stdout.close()  # the reader goes away
        err = process.stderr.read()
    assert err == b""
    assert process.returncode == 0


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "futureagi_async", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("futureagi-async ")


def test_settings_errors_name_the_flags(cli: Cli, env: Served) -> None:
    result = cli("run-tests", "list", "--base-url", "http://example.com")
    assert result.code == 2
    assert result.err.startswith("error: --base-url must use https")
    assert "base_url" not in result.err


def test_a_bad_key_from_the_environment_is_blamed_on_the_variable(
    cli: Cli, env: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FI_API_KEY", "x\n")
    result = cli("run-tests", "list")
    assert result.code == 2
    assert result.err.startswith("error: FI_API_KEY must be visible ASCII")
    assert "--api-key" not in result.err
    flag = cli("run-tests", "list", "--api-key", "y\n")
    assert flag.err.startswith("error: --api-key must be visible ASCII")


def test_sigterm_exits_143_with_a_word(env: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    """A server that never answers keeps the command waiting; SIGTERM then ends it, said."""
    with socket.create_server(("127.0.0.1", 0)) as silent:
        monkeypatch.setenv("FI_BASE_URL", f"http://127.0.0.1:{silent.getsockname()[1]}")
        argv = [sys.executable, "-m", "futureagi_async", "run-tests", "list"]
        with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
            silent.settimeout(60)
            connection, _ = silent.accept()  # the command is now waiting for an answer
            with connection:
                process.send_signal(signal.SIGTERM)
                _, err = process.communicate(timeout=60)
    assert process.returncode == 143
    assert err.decode().strip() == "terminated"
