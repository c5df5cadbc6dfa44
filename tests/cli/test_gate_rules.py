"""The gate's decisions on plain values: thresholds, exit codes, JUnit, JSON. No network."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from futureagi_async.cli._errors import UsageError
from futureagi_async.cli._gate_rules import (
    EXIT_FAILED,
    EXIT_INCONCLUSIVE,
    EXIT_PASSED,
    FailedCall,
    GateReport,
    Thresholds,
    failed_calls,
    junit_xml,
    parse_thresholds,
    report_json,
    threshold_assertions,
)
from futureagi_async.gate import (
    PASS_FAIL,
    SCORE,
    CallOutcome,
    ExecutionOutcomes,
    check_assertions,
    compare_outcomes,
    parse_assertion,
)


def _outcomes(execution_id: str = "e1", *, rate: float = 0.8, n: int = 10) -> ExecutionOutcomes:
    passed = round(rate * n)
    calls = tuple(
        CallOutcome(
            f"{execution_id}-c{i}",
            f"s{i}",
            "completed",
            evals={"a": i < passed, "b": i < n - 2, "s": 0.5},
            scenario=f"Scenario {i}",
            reasons={} if i < passed else {"a": f"reason {i}"},
        )
        for i in range(n)
    )
    return ExecutionOutcomes(
        execution_id,
        "rt",
        "completed",
        {"a": PASS_FAIL, "b": PASS_FAIL, "s": SCORE},
        calls,
        aliases={"a_cfg": "a"},
    )


def test_parse_thresholds() -> None:
    assert parse_thresholds(["90"]) == Thresholds(90.0, {})
    assert parse_thresholds(["90%", "is_helpful=95", " tone = 50 "]) == Thresholds(
        90.0, {"is_helpful": 95.0, "tone": 50.0}
    )
    assert parse_thresholds(["80", "85"]).default == 85.0
    assert parse_thresholds([]).empty


@pytest.mark.parametrize("spec", ["0.9", "1", "1.0", "is_helpful=0.95", ".5"])
def test_a_rate_that_looks_like_a_fraction_is_refused(spec: str) -> None:
    with pytest.raises(UsageError, match=r"the rate is a percent, e\.g\. 90"):
        parse_thresholds([spec])


def test_an_explicit_percent_below_one_is_taken_as_written() -> None:
    assert parse_thresholds(["0.9%", "x=1%", "y=0"]) == Thresholds(0.9, {"x": 1.0, "y": 0.0})


@pytest.mark.parametrize("spec", ["abc", "101", "-1", "=90", "x=", "nan", "x=inf"])
def test_parse_thresholds_rejects(spec: str) -> None:
    with pytest.raises(UsageError, match="--min-pass-rate"):
        parse_thresholds([spec])


def test_the_default_threshold_covers_pass_fail_evals_and_names_override_it() -> None:
    outcomes = _outcomes()
    assertions = threshold_assertions(parse_thresholds(["90", "a_cfg=75"]), outcomes)
    assert [a.text for a in assertions] == ["b.pass_rate >= 90", "a_cfg.pass_rate >= 75"]
    results = check_assertions(assertions, outcomes)
    assert [r.passed for r in results] == [False, True]
    assert results[1].label == "a.pass_rate"


def test_a_default_threshold_with_no_pass_fail_eval_is_refused() -> None:
    outcomes = ExecutionOutcomes("e1", "rt", "completed", {"s": SCORE}, ())
    with pytest.raises(UsageError, match="applies to Pass/Fail evals, and execution e1 has none"):
        threshold_assertions(parse_thresholds(["90"]), outcomes)


def _report(
    *texts: str, status: str = "completed", comparison_rate: float | None = None
) -> GateReport:
    outcomes = _outcomes()
    results = check_assertions([parse_assertion(t) for t in texts], outcomes)
    comparison = None
    if comparison_rate is not None:
        baseline = _outcomes("base", rate=comparison_rate, n=10)
        comparison = compare_outcomes(baseline, outcomes)
    return GateReport("rt", "e1", status, results, comparison)


def test_exit_codes() -> None:
    assert _report("a.pass_rate >= 80").exit_code == EXIT_PASSED
    assert _report("a.pass_rate >= 90").exit_code == EXIT_FAILED
    assert _report("a.pass_rate >= 80", status="failed").exit_code == EXIT_FAILED
    inconclusive = _report("a.pass_rate >= 80", comparison_rate=0.9)
    assert inconclusive.verdict == "inconclusive"
    assert inconclusive.exit_code == EXIT_INCONCLUSIVE
    assert inconclusive.summary_line().startswith("gate inconclusive")
    # A failed assertion outweighs an inconclusive comparison.
    assert _report("a.pass_rate >= 90", comparison_rate=0.9).exit_code == EXIT_FAILED


def test_the_execution_must_have_completed() -> None:
    report = _report("a.pass_rate >= 10", status="failed")
    assert report.failure_lines()[0] == "execution status is failed, not completed"


def test_failed_calls_are_capped_per_eval() -> None:
    found = failed_calls(_outcomes(rate=0.5), ["a", "s"], limit=3)
    assert [(f.eval_name, f.reason) for f in found] == [
        ("a", "reason 5"),
        ("a", "reason 6"),
        ("a", "reason 7"),
    ]


def test_junit_xml() -> None:
    report = _report("a.pass_rate >= 70", "b.pass_rate >= 90", comparison_rate=0.9)
    xml = junit_xml(report, [FailedCall("c1", "Billing", "b", "hung up")])
    suite = ET.fromstring(xml)
    assert suite.get("tests") == "6"  # status, two assertions, three compared evals
    assert suite.get("failures") == "1"
    assert suite.get("skipped") == "2"  # s: identical scores, so any drop would show
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases["a.pass_rate >= 70"].find("failure") is None
    failure = cases["b.pass_rate >= 90"].find("failure")
    assert failure is not None
    assert failure.get("message") == "b.pass_rate is 80.00%, not >= 90.00%"
    assert failure.text == "Billing: hung up"
    skipped = cases["a: vs baseline"].find("skipped")
    assert skipped is not None
    assert (skipped.get("message") or "").startswith("inconclusive: too few calls to tell")


def test_report_json() -> None:
    document = report_json(_report("a.pass_rate >= 70", comparison_rate=0.9))
    assert document["exit_code"] == EXIT_INCONCLUSIVE
    assert document["verdict"] == "inconclusive"
    assert document["assertions"][0] == {
        "assertion": "a.pass_rate >= 70",
        "check": "a.pass_rate",
        "value": 80.0,
        "unit": "%",
        "count": 10,
        "passed": True,
        "reason": None,
    }
    assert [e["eval"] for e in document["comparison"]["evals"]] == ["a", "b", "s"]
