"""`futureagi-async watch`: a running execution followed to its end, on a fake of its own."""

from __future__ import annotations

import io
import json
import re

import pytest

from futureagi_async.cli import main
from futureagi_async.testing import DatasetSpec, FakeAPI

from .helpers import Cli, Served

_NAME = "Billing bot nightly"


def _running(calls: int = 12, seconds: float = 0.4) -> tuple[FakeAPI, str]:
    """A fake of its own (the session's is shared) with an execution that runs `seconds`."""
    fake = FakeAPI(DatasetSpec(run_tests=2, executions_per_run_test=1))
    return fake, fake.run_execution(_NAME, calls=calls, seconds=seconds, seed=3, fail_ratio=0.3)


def test_jsonl_is_one_line_per_finished_call(cli: Cli) -> None:
    fake, eid = _running()
    http = fake.http_client(headers={})
    result = cli("watch", _NAME, "--jsonl", "--poll-interval", "0.02", http_client=http)
    assert result.code == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert len(rows) == 12
    assert {r["id"] for r in rows} == {c.id for c in fake.dataset.calls_of(eid)}
    assert all(r["status"] in ("completed", "failed") for r in rows)


def test_plain_lines_and_a_summary_off_a_terminal(cli: Cli) -> None:
    fake, eid = _running()
    http = fake.http_client(headers={})
    result = cli("watch", "--execution", eid, "--poll-interval", "0.02", http_client=http)
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert len(lines) == 13
    assert lines[-1].startswith(f"execution {eid} ended: 12 calls, ")
    failed = [c for c in fake.dataset.calls_of(eid) if c.status == "failed"]
    assert f"{len(failed)} failed" in lines[-1]
    for call in failed:
        assert f"{call.id} failed: call failed: {call.ended_reason}" in lines


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_live_view_on_a_terminal(env: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    fake, eid = _running()
    screen = _Terminal()
    monkeypatch.setattr("sys.stdout", screen)
    monkeypatch.setenv("COLUMNS", "120")
    code = main(
        ["watch", _NAME, "--poll-interval", "0.02"], http_client=fake.http_client(headers={})
    )
    assert code == 0
    text = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", screen.getvalue())
    assert f"execution {eid} ended: 12 calls finished" in text
    assert "pass rates so far" in text
    assert "latest failures" in text
    assert "just finished" in text


def test_a_run_test_without_executions_is_exit_2(cli: Cli) -> None:
    fake = FakeAPI(DatasetSpec(run_tests=2, executions_per_run_test=0))
    result = cli("watch", _NAME, http_client=fake.http_client(headers={}))
    assert result.code == 2
    assert f"run test {_NAME!r} has no executions yet" in result.err


def test_usage_errors_and_api_errors_are_exit_2(cli: Cli) -> None:
    fake, eid = _running()
    http = fake.http_client(headers={})
    both = cli("watch", _NAME, "--execution", eid, http_client=http)
    assert both.code == 2
    assert "not both" in both.err
    assert cli("watch", http_client=http).code == 2
    assert cli("watch", _NAME, "--poll-interval", "0", http_client=http).code == 2
    missing = cli("watch", "--execution", "00000000-0000-4000-8000-000000000000", http_client=http)
    assert missing.code == 2
    assert "No TestExecution" in missing.err or "not found" in missing.err.lower()


def test_a_timeout_is_exit_2(cli: Cli) -> None:
    fake, _ = _running(seconds=3600)
    result = cli(
        "watch", _NAME, "--poll-interval", "0.02", "--timeout", "0.2",
        http_client=fake.http_client(headers={}),
    )  # fmt: skip
    assert result.code == 2
    assert "timeout=0.2s" in result.err


def test_fake_server_live_starts_executions_to_watch(cli: Cli) -> None:
    from futureagi_async.cli._app import build_parser
    from futureagi_async.testing.__main__ import build_fake

    args = build_parser().parse_args(
        [
            *("fake-server", "--live", "--live-every", "600", "--live-seconds", "0.3"),
            *("--live-calls", "5", "--executions-per-run-test", "1", "--run-tests", "2"),
        ]
    )
    fake = build_fake(args)
    live = [e for e in fake.dataset.executions if fake.dataset.live_execution(e.id)]
    assert len(live) == 1
    result = cli(
        "watch", _NAME, "--jsonl", "--poll-interval", "0.02",
        http_client=fake.http_client(headers={}),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert len(result.out.splitlines()) == 5
