"""`gate --baseline`: every baseline source, every exit code, the reports CI reads, and every
bad input refused with one line and exit 2."""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from futureagi_async.gate import (
    PASS_FAIL,
    SCORE,
    CallOutcome,
    EvalKind,
    ExecutionOutcomes,
    save_baseline,
)

from .helpers import Cli, Served


@pytest.fixture(autouse=True)
def _not_on_github(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the tests that say so run as on GitHub Actions."""
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)


def _run_test(env: Served, index: int = 0) -> tuple[str, list[str]]:
    """A run test's name and its execution ids, oldest first (run test 0's all completed)."""
    run_test = env.fake.dataset.run_tests[index]
    return run_test.name, [e.id for e in env.fake.dataset.executions_of(run_test.id)]


def _strong_baseline(path: Path, name: str, *, evals: dict[str, EvalKind] | None = None) -> Path:
    """A saved baseline far better than the fake's executions: 95 % on 200 calls."""
    calls = tuple(
        CallOutcome(
            f"base-{i}",
            f"scenario-{i % 7}",
            "completed",
            evals={"is_helpful": i % 20 != 0, "tone_score": 0.9},
        )
        for i in range(200)
    )
    default: dict[str, EvalKind] = {"is_helpful": PASS_FAIL, "tone_score": SCORE}
    kinds = evals if evals is not None else default
    save_baseline(ExecutionOutcomes("base-execution", name, "completed", kinds, calls), path)
    return path


def _one_line_error(err: str, needle: str) -> None:
    assert err.startswith("error: "), err
    assert err.count("\n") == 1, err
    assert needle in err
    assert "Traceback" not in err


def test_inconclusive_exits_3_and_says_why(cli: Cli, env: Served) -> None:
    name, _ = _run_test(env)
    result = cli("gate", name, "--baseline", "previous")
    assert result.code == 3, result.err
    assert "verdict: inconclusive" in result.out
    assert "too few calls to tell: the smallest drop this sample could detect is" in result.out
    assert "calls per execution would detect a drop of 10.0 points" in result.out
    assert "gate inconclusive" in result.out


def test_no_regression_exits_0(cli: Cli, env: Served) -> None:
    name, _ = _run_test(env)
    result = cli("gate", name, "--baseline", "previous", "--tolerance", "60")
    assert result.code == 0, result.out
    assert "verdict: no regression" in result.out
    assert "gate passed" in result.out


def test_a_regression_exits_1_with_the_failing_calls(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, _ = _run_test(env)
    baseline = _strong_baseline(tmp_path / "baseline.json", name)
    result = cli("gate", name, "--baseline", str(baseline))
    assert result.code == 1, result.err
    assert "verdict: regression" in result.out
    assert "is_helpful: regression: pass rate dropped" in result.out
    assert "Fisher exact" in result.out  # another set of scenarios: unpaired
    assert "why calls failed" in result.out
    assert "tone_score: regression: mean score dropped" in result.out
    assert "pass rate dropped" not in result.out.split("tone_score: regression")[1].split("\n")[0]


def test_an_assertion_failure_outweighs_an_inconclusive_comparison(cli: Cli, env: Served) -> None:
    name, _ = _run_test(env)
    result = cli("gate", name, "--baseline", "previous", "--assert", "failed_calls <= 0")
    assert result.code == 1
    assert "gate FAILED: failed_calls is 4, not <= 0" in result.out


def test_baseline_by_execution_id_is_paired_by_scenario(cli: Cli, env: Served) -> None:
    name, ids = _run_test(env)
    result = cli("gate", name, "--baseline", ids[0])
    assert result.code == 3, result.err
    assert f"against baseline {ids[0]}" in result.out
    assert "McNemar exact" in result.out


def test_save_baseline_then_gate_on_the_file(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, ids = _run_test(env)
    saved = tmp_path / "ci" / "baseline.json"
    first = cli("gate", name, "--execution", ids[0], "--save-baseline", str(saved))
    assert first.code == 0, first.err
    assert f"baseline saved to {saved}" in first.err
    from_file = cli(
        "gate", name, "--baseline", str(saved), "--report-json", str(tmp_path / "f.json")
    )
    by_id = cli("gate", name, "--baseline", ids[0], "--report-json", str(tmp_path / "i.json"))
    assert from_file.code == by_id.code == 3
    file_report = json.loads((tmp_path / "f.json").read_text(encoding="utf-8"))
    id_report = json.loads((tmp_path / "i.json").read_text(encoding="utf-8"))
    assert file_report["comparison"] == id_report["comparison"]


def test_a_running_execution_is_not_saved_as_a_baseline(
    cli: Cli, env: Served, tmp_path: Path
) -> None:
    name, ids = _run_test(env, 1)
    saved = tmp_path / "baseline.json"
    result = cli(
        "gate",
        name,
        "--execution",
        ids[-1],
        "--save-baseline",
        str(saved),
        "--wait",
        "--timeout",
        "0.1",
        "--poll-interval",
        "0.05",
    )
    assert result.code == 2  # it never finishes: the wait times out, nothing is saved
    assert not saved.exists()


def test_report_json_and_junit(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, _ = _run_test(env)
    baseline = _strong_baseline(tmp_path / "baseline.json", name)
    result = cli(
        "gate",
        name,
        "--baseline",
        str(baseline),
        "--assert",
        "is_helpful.pass_rate >= 50",
        "--report-json",
        str(tmp_path / "r" / "gate.json"),
        "--junit",
        str(tmp_path / "j.xml"),
    )
    assert result.code == 1
    report = json.loads((tmp_path / "r" / "gate.json").read_text(encoding="utf-8"))
    assert report["verdict"] == "regression"
    assert report["exit_code"] == 1
    assert report["assertions"][0]["passed"] is True
    helpful = report["comparison"]["evals"][0]
    assert helpful["eval"] == "is_helpful"
    assert helpful["verdict"] == "regression"
    assert helpful["baseline"]["value"] == pytest.approx(95.0)
    assert 0 <= helpful["adjusted_p"] < 0.05
    assert len(helpful["candidate"]["interval"]) == 2
    assert report["failed_calls"]
    suite = ET.fromstring((tmp_path / "j.xml").read_text(encoding="utf-8"))
    failing = [c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None]
    assert failing == ["is_helpful: vs baseline", "tone_score: vs baseline"]


def test_github_summary_and_annotations(
    cli: Cli, env: Served, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, _ = _run_test(env)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    baseline = _strong_baseline(tmp_path / "baseline.json", name)
    result = cli("gate", name, "--baseline", str(baseline), "--assert", "failed_calls <= 10")
    assert result.code == 1
    annotations = [line for line in result.out.splitlines() if line.startswith("::error")]
    assert len(annotations) == 2  # one per regressed eval
    assert annotations[0].startswith("::error title=regression%3A is_helpful::")
    assert "pass rate dropped" in annotations[0]
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("earlier step\n### futureagi gate: ")  # appended, not replaced
    assert "| `failed_calls` | 4 | <= 10 | ✅ pass |" in text
    assert "**❌ regression** against baseline execution `base-execution`" in text
    assert "| eval | baseline | candidate | difference | p (corrected) | verdict |" in text
    # Inconclusive is no annotation, but the summary still says it.
    inconclusive = cli("gate", name, "--baseline", "previous")
    assert inconclusive.code == 3
    assert "::error" not in inconclusive.out
    assert "⚠️ inconclusive" in summary.read_text(encoding="utf-8")


def test_not_on_github_nothing_is_written(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, _ = _run_test(env)
    baseline = _strong_baseline(tmp_path / "baseline.json", name)
    result = cli("gate", name, "--baseline", str(baseline))
    assert result.code == 1
    assert "::error" not in result.out


def test_bad_baselines_are_one_line_errors(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, ids = _run_test(env)
    other_name, other_ids = _run_test(env, 2)
    result = cli("gate", name, "--baseline", other_ids[0])
    assert result.code == 2
    _one_line_error(result.err, f"is not an execution of run test {name!r}")

    other_file = _strong_baseline(tmp_path / "other.json", other_name)
    result = cli("gate", name, "--baseline", str(other_file))
    assert result.code == 2
    _one_line_error(result.err, f"is from run test {other_name!r}, not {name!r}")

    extra = _strong_baseline(
        tmp_path / "extra.json",
        name,
        evals={"is_helpful": PASS_FAIL, "tone_score": SCORE, "politeness": PASS_FAIL},
    )
    result = cli("gate", name, "--baseline", str(extra))
    assert result.code == 2
    _one_line_error(result.err, "eval 'politeness' is only in the baseline")

    corrupt = tmp_path / "corrupt.json"
    corrupt.write_text('{"format": "futureagi-async/gate-baseline", "calls": [', encoding="utf-8")
    result = cli("gate", name, "--baseline", str(corrupt))
    assert result.code == 2
    _one_line_error(result.err, "not JSON (a corrupt or truncated file?)")

    foreign = tmp_path / "junit.json"
    foreign.write_text('{"tests": 3}', encoding="utf-8")
    result = cli("gate", name, "--baseline", str(foreign))
    assert result.code == 2
    _one_line_error(result.err, "not a gate baseline")

    result = cli("gate", name, "--baseline", str(tmp_path / "missing.json"))
    assert result.code == 2
    _one_line_error(result.err, "No such file")

    result = cli("gate", name, "--baseline", "yesterday")
    assert result.code == 2
    _one_line_error(result.err, "neither 'previous', an execution id, nor an existing")

    result = cli("gate", name, "--execution", ids[0], "--baseline", "previous")
    assert result.code == 2
    _one_line_error(result.err, "has no completed execution before")


def test_without_scipy_a_baseline_names_the_extra(
    cli: Cli, env: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, _ = _run_test(env)
    monkeypatch.setitem(sys.modules, "scipy.stats", None)  # importing it now fails
    result = cli("gate", name, "--baseline", "previous")
    assert result.code == 2
    _one_line_error(result.err, "needs scipy: pip install 'futureagi-async[gate]'")
    # Assertions need no scipy.
    assert cli("gate", name, "--assert", "failed_calls <= 10").code == 0


def test_a_baseline_that_is_not_completed_is_refused(cli: Cli, env: Served) -> None:
    name, ids = _run_test(env, 1)  # the latest is still running
    result = cli("gate", name, "--execution", ids[0], "--baseline", ids[-1])
    assert result.code == 2
    _one_line_error(result.err, "is running, not completed")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--assert", "is_helpful.pass_rate"], "write SUBJECT.STATISTIC OP NUMBER"),
        (["--assert", "is_helpfull.pass_rate >= 90"], "no eval named 'is_helpfull'"),
        (["--assert", "is_helpful.mean >= 90"], "unknown statistic 'mean'"),
        (["--assert", "tone_score.pass_rate >= 90"], "tone_score is a score eval"),
        (["--assert", "is_helpful.pass_rate >= 0.9"], "not a fraction"),
    ],
)
def test_bad_assertions_are_one_line_errors(
    cli: Cli, env: Served, argv: list[str], needle: str
) -> None:
    name, _ = _run_test(env)
    result = cli("gate", name, *argv)
    assert result.code == 2
    _one_line_error(result.err, needle)
    assert "gate passed" not in result.out


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["--tolerance", "0"], "argument --tolerance: must be more than 0"),
        (["--tolerance", "abc"], "argument --tolerance: 'abc' is not a number"),
        (["--alpha", "1.5"], "argument --alpha: must be between 0 and 1"),
    ],
)
def test_bad_settings_are_usage_errors(cli: Cli, env: Served, argv: list[str], needle: str) -> None:
    name, _ = _run_test(env)
    result = cli("gate", name, "--baseline", "previous", *argv)
    assert result.code == 2
    assert result.err.startswith("usage: futureagi-async gate")
    assert needle in result.err
