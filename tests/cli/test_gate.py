"""`gate` end to end: exit codes, the failure reasons, JUnit, waiting."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from .helpers import Cli, Served, first_run_test


def _completed(env: Served) -> str:
    # Run test 0's executions have all completed (run test 1's latest is still running).
    return env.fake.dataset.run_tests[0].name


def _running(env: Served) -> str:
    return env.fake.dataset.run_tests[1].name


def test_gate_passes(cli: Cli, env: Served) -> None:
    result = cli("gate", _completed(env), "--min-pass-rate", "0")
    assert result.code == 0, result.err
    assert "is_helpful" in result.out
    assert "gate passed" in result.out
    # The table names the config each eval's call outputs carry, as "why calls failed" does.
    header = next(line for line in result.out.splitlines() if "pass rate" in line)
    assert "configs" in header
    row = next(line for line in result.out.splitlines() if "is_helpful" in line)
    assert "helpful_or_not" in row


def test_gate_fails_with_reasons_and_junit(cli: Cli, env: Served, tmp_path: Path) -> None:
    junit = tmp_path / "reports" / "gate.xml"
    result = cli(
        "gate",
        _completed(env),
        "--min-pass-rate",
        "100",
        "--junit",
        str(junit),
        "--max-failures",
        "3",
    )
    assert result.code == 1, result.err
    assert "gate FAILED: is_helpful: pass rate" in result.out
    assert "why calls failed" in result.out
    suite = ET.fromstring(junit.read_text(encoding="utf-8"))
    failing = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert [c.get("name") for c in failing] == ["is_helpful"]
    failure = failing[0].find("failure")
    assert failure is not None
    assert failure.text
    assert len(failure.text.splitlines()) <= 3


def test_per_eval_thresholds(cli: Cli, env: Served) -> None:
    result = cli(
        "gate",
        _completed(env),
        "--min-pass-rate",
        "is_helpful=0",
        "--min-pass-rate",
        "tone_score=100",
    )
    assert result.code == 1
    assert "tone_score: pass rate" in result.out


def test_gate_a_given_execution(cli: Cli, env: Served) -> None:
    run_test = env.fake.dataset.run_tests[0]
    oldest = env.fake.dataset.executions_of(run_test.id)[0]
    result = cli("gate", run_test.name, "--execution", oldest.id, "--min-pass-rate", "0")
    assert result.code == 0
    assert oldest.id in result.out


def test_gate_usage_errors(cli: Cli, env: Served) -> None:
    name = _completed(env)
    assert cli("gate", name).code == 2
    typo = cli("gate", name, "--min-pass-rate", "is_helpfull=90")
    assert typo.code == 2
    assert "no eval named 'is_helpfull'" in typo.err
    assert cli("gate", name, "--min-pass-rate", "ninety").code == 2
    assert cli("gate", "No such run test", "--min-pass-rate", "90").code == 2


def test_a_running_execution_needs_wait(cli: Cli, env: Served) -> None:
    result = cli("gate", _running(env), "--min-pass-rate", "90")
    assert result.code == 2
    assert "--wait" in result.err


def test_wait_gives_up_at_the_timeout(cli: Cli, env: Served) -> None:
    # The fake's running execution never finishes: the gate cannot decide, which is exit 2.
    result = cli(
        "gate",
        _running(env),
        "--min-pass-rate",
        "90",
        "--wait",
        "--timeout",
        "0.2",
        "--poll-interval",
        "0.05",
    )
    assert result.code == 2
    assert "timed out after 0.2s" in result.err


def test_a_fraction_is_refused_and_help_says_percent(cli: Cli, env: Served) -> None:
    result = cli("gate", _completed(env), "--min-pass-rate", "0.9")
    assert result.code == 2
    assert "percent, e.g. 90" in result.err
    assert "gate passed" not in result.out
    help_text = cli("gate", "--help").out
    assert "a percent from 0 to 100 (90 means 90 %" in " ".join(help_text.split())


def test_an_unknown_run_test_is_named(cli: Cli, env: Served) -> None:
    result = cli("gate", "Nope", "--min-pass-rate", "90")
    assert result.code == 2
    assert result.err.startswith("error: no run test named 'Nope'")


def test_bad_numbers_are_refused_with_the_gates_usage(cli: Cli, env: Served) -> None:
    for argv in (["--timeout", "0"], ["--poll-interval", "-1"], ["--max-failures", "-2"]):
        result = cli("gate", _completed(env), "--min-pass-rate", "90", *argv)
        assert result.code == 2
        assert result.err.startswith("usage: futureagi-async gate")
        assert f"argument {argv[0]}" in result.err


def test_gating_by_a_config_name_adds_no_duplicate_row(cli: Cli, env: Served) -> None:
    _, name = first_run_test(env)
    by_config = cli("gate", name, "--min-pass-rate", "helpful_or_not=5")
    by_template = cli("gate", name, "--min-pass-rate", "is_helpful=5")

    assert by_config.code == by_template.code == 0, by_config.err
    assert not any(line.startswith("helpful_or_not") for line in by_config.out.splitlines())
    assert by_config.out == by_template.out
