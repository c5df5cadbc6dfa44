"""`demo`, `fake-server` options, and `python -m futureagi_async`."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from futureagi_async.cli import main
from futureagi_async.cli._fake_server import build_fake
from futureagi_async.cli._gate import UsageError
from futureagi_async.testing import FakeAPI


def test_demo_runs_offline(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(
        ["demo", "--executions", "6", "--calls", "20", "--latency", "0.001", "-o", str(tmp_path)]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "from 6 executions" in out
    assert "Pass rate per eval" in out
    assert "helpful_or_not" in out
    assert "Most common failure reasons" in out
    assert "requests" in out
    assert "faster" in out
    assert (tmp_path / "executions.jsonl").exists()
    assert (tmp_path / "calls.csv").exists()


def _fake_args(**overrides: object) -> argparse.Namespace:
    values: dict[str, object] = {
        "seed": 1,
        "run_tests": 2,
        "executions": 2,
        "calls": 3,
        "latency": 0.0,
        "jitter": 0.0,
        "dialect": "docs",
        "fault_rate": 0.0,
        "fault_kinds": None,
    }
    values.update(overrides)
    return argparse.Namespace(**values)


def test_fake_server_options_build_the_fake() -> None:
    fake = build_fake(_fake_args(fault_rate=0.5, fault_kinds="503,429"))
    assert isinstance(fake, FakeAPI)
    assert len(fake.dataset.run_tests) == 2
    assert len(fake.dataset.executions) == 4
    assert fake.faults.rate == 0.5
    assert fake.faults.kinds == ("503", "429")


@pytest.mark.parametrize(
    "overrides",
    [{"fault_kinds": "teapot"}, {"fault_rate": 2.0}, {"run_tests": 0}, {"calls": -1}],
)
def test_fake_server_rejects_bad_options(overrides: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        build_fake(_fake_args(**overrides))


def test_python_dash_m() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "futureagi_async", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert done.stdout.startswith("futureagi-async ")
