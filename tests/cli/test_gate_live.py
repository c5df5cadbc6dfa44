"""`gate` on the fake's live executions: the issue's two sample sizes, `--wait` and
`--fail-fast`. Each test has its own fake, on a clock the test moves (no sleeping)."""

from __future__ import annotations

import json
from pathlib import Path

import attrs
import pytest

from futureagi_async.testing import DatasetSpec, FakeAPI

from .helpers import Cli


@pytest.fixture(autouse=True)
def _not_on_github(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


@attrs.define
class Clock:
    """Reads `now`; with `step`, each read moves it on, so an execution runs as it is polled."""

    now: float = 0.0
    step: float = 0.0

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def _fake(clock: Clock) -> tuple[FakeAPI, str]:
    fake = FakeAPI(DatasetSpec(seed=3, run_tests=1, executions_per_run_test=1), clock=clock)
    return fake, fake.dataset.run_tests[0].name


def test_a_drop_from_90_to_50_percent_on_200_calls_exits_as_a_regression(cli: Cli) -> None:
    clock = Clock()
    fake, name = _fake(clock)
    fake.run_execution(name, calls=200, seconds=60, pass_rate=0.9, seed=1, fail_ratio=0)
    fake.run_execution(name, calls=200, seconds=60, pass_rate=0.5, seed=2, fail_ratio=0)
    clock.now = 1e6  # both have finished
    result = cli("gate", name, "--baseline", "previous", http_client=fake.http_client())
    assert result.code == 1, result.err
    assert "is_helpful: regression: pass rate dropped" in result.out
    assert "verdict: regression" in result.out


def test_80_vs_70_percent_on_20_calls_exits_inconclusive(cli: Cli, tmp_path: Path) -> None:
    clock = Clock()
    fake, name = _fake(clock)
    fake.run_execution(name, calls=20, seconds=60, pass_rate=0.8, seed=1, fail_ratio=0)
    fake.run_execution(name, calls=20, seconds=60, pass_rate=0.7, seed=2, fail_ratio=0)
    clock.now = 1e6
    report = tmp_path / "gate.json"
    result = cli(
        "gate",
        name,
        "--baseline",
        "previous",
        "--report-json",
        str(report),
        http_client=fake.http_client(),
    )
    assert result.code == 3, result.out
    assert "verdict: inconclusive" in result.out
    [helpful] = [
        e
        for e in json.loads(report.read_text())["comparison"]["evals"]
        if e["eval"] == "is_helpful"
    ]
    assert helpful["verdict"] == "inconclusive"
    assert helpful["baseline"]["n"] == helpful["candidate"]["n"] == 20


def test_wait_gates_once_the_execution_has_finished(cli: Cli) -> None:
    clock = Clock(step=0.2)
    fake, name = _fake(clock)
    execution_id = fake.run_execution(name, calls=20, seconds=20, pass_rate=0.9, seed=4)
    result = cli(
        "gate",
        name,
        "--assert",
        "failed_calls <= 30",
        "--wait",
        "--poll-interval",
        "0.01",
        http_client=fake.http_client(),
    )
    assert result.code == 0, result.err
    assert f"execution {execution_id} (completed)" in " ".join(result.out.split())


def test_fail_fast_fails_as_soon_as_a_threshold_cannot_be_met(cli: Cli, tmp_path: Path) -> None:
    clock = Clock(step=0.02)
    fake, name = _fake(clock)
    fake.run_execution(name, calls=40, seconds=20, pass_rate=0.3, seed=5)
    report = tmp_path / "gate.json"
    result = cli(
        "gate",
        name,
        "--assert",
        "is_helpful.pass_rate >= 90",
        "--fail-fast",
        "--poll-interval",
        "0.01",
        "--report-json",
        str(report),
        http_client=fake.http_client(),
    )
    assert result.code == 1, result.err
    assert "gate FAILED: is_helpful.pass_rate can no longer be >= 90.00%" in result.out
    assert "calls still to come cannot change that" in result.out
    document = json.loads(report.read_text())
    assert document["status"] != "completed"  # decided while the execution still ran
    assert document["failed_early"].startswith("is_helpful.pass_rate can no longer be")


def test_fail_fast_on_failed_calls(cli: Cli) -> None:
    clock = Clock(step=0.02)
    fake, name = _fake(clock)
    fake.run_execution(name, calls=40, seconds=20, pass_rate=0.8, fail_ratio=0.5, seed=6)
    result = cli(
        "gate",
        name,
        "--assert",
        "failed_calls <= 1",
        "--fail-fast",
        "--poll-interval",
        "0.01",
        http_client=fake.http_client(),
    )
    assert result.code == 1, result.err
    assert "failed_calls can no longer be <= 1: it is 2 after" in result.out


def test_fail_fast_that_never_fires_waits_for_the_end(cli: Cli) -> None:
    clock = Clock(step=0.2)
    fake, name = _fake(clock)
    fake.run_execution(name, calls=20, seconds=20, pass_rate=0.9, seed=7)
    result = cli(
        "gate",
        name,
        "--min-pass-rate",
        "0",
        "--fail-fast",
        "--poll-interval",
        "0.01",
        http_client=fake.http_client(),
    )
    assert result.code == 0, result.err
    assert "(completed)" in result.out
    assert "gate passed" in result.out
