"""The gate's decisions on plain models: thresholds, pass rates, JUnit. No network."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import pytest

from futureagi_async._convert import structure
from futureagi_async.cli._errors import UsageError
from futureagi_async.cli._gate_rules import (
    FailedCall,
    Thresholds,
    evaluate,
    junit_xml,
    parse_thresholds,
)
from futureagi_async.models import SimulationExecution


def _execution(status: str = "completed", **rates: Any) -> SimulationExecution:
    results = []
    for name, rate in rates.items():
        if isinstance(rate, tuple):  # a score eval: (avg,)
            results.append(
                {
                    "name": name,
                    "output_type": "score",
                    "total_avg": rate[0],
                    "result": [
                        {
                            "name": f"{name}_cfg",
                            "total_cells": 10,
                            "output": {},
                            "avg_score": rate[0],
                        }
                    ],
                }
            )
            continue
        cells = 0 if rate is None else 10
        output = (
            {}
            if rate is None
            else {
                "pass": rate,
                "fail": 100 - rate,
                "pass_count": round(rate / 10),
                "fail_count": 10 - round(rate / 10),
            }
        )
        results.append(
            {
                "name": name,
                "output_type": "Pass/Fail",
                "total_pass_rate": rate,
                "result": [{"name": f"{name}_cfg", "total_cells": cells, "output": output}],
            }
        )
    return structure(
        {"execution_id": "e1", "status": status, "eval_results": results}, SimulationExecution
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


def test_default_threshold_applies_to_pass_fail_evals_only() -> None:
    report = evaluate("rt", _execution(a=95.0, b=80.0, s=(10.0,)), parse_thresholds(["90"]))
    by_name = {c.name: c for c in report.checks}
    assert by_name["a"].passed
    assert not by_name["b"].passed
    assert not by_name["s"].gated
    assert by_name["s"].passed
    assert not report.passed
    assert report.failure_lines() == ["b: pass rate 80.00% < 90%"]


def test_per_eval_thresholds_override_and_reach_scores_and_configs() -> None:
    execution = _execution(a=95.0, b=80.0, s=(60.0,))
    report = evaluate("rt", execution, parse_thresholds(["90", "b=75", "s=50"]))
    assert report.passed
    report = evaluate("rt", execution, parse_thresholds(["b_cfg=85"]))
    [failing] = report.failing
    # b's only config is b: its threshold goes on b's row, not on a second, identical row.
    assert (failing.name, failing.config_names, failing.threshold) == ("b", ("b_cfg",), 85.0)
    assert failing.rate == 80.0
    assert [c.name for c in report.checks].count("b_cfg") == 0
    assert len(report.checks) == len(evaluate("rt", execution, parse_thresholds(["90"])).checks)


def test_a_template_and_its_lone_config_take_one_threshold() -> None:
    execution = _execution(a=95.0, b=80.0)
    with pytest.raises(UsageError, match=r"names 'b' and its only config 'b_cfg'"):
        evaluate("rt", execution, parse_thresholds(["b=75", "b_cfg=85"]))


def test_an_eval_with_no_outputs_fails_its_threshold() -> None:
    report = evaluate("rt", _execution(a=None), parse_thresholds(["0"]))
    [check] = report.checks
    assert check.rate is None
    assert not check.passed
    assert check.reason == "no completed outputs"


def test_the_execution_must_have_completed() -> None:
    report = evaluate("rt", _execution("failed", a=100.0), parse_thresholds(["90"]))
    assert not report.passed
    assert report.failure_lines()[0] == "execution status is failed, not completed"


def test_a_threshold_for_an_unknown_eval_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match=r"no eval named 'is_helpfull'.*its evals are: a, a_cfg"):
        evaluate("rt", _execution(a=95.0), parse_thresholds(["is_helpfull=90"]))


def test_junit_xml() -> None:
    report = evaluate("rt", _execution(a=95.0, b=80.0), parse_thresholds(["90"]))
    xml = junit_xml(
        report,
        [
            FailedCall("c1", "Billing", "b_cfg", "hung up"),
            FailedCall("c2", None, "a_cfg", "not shown: a passed"),
        ],
    )
    suite = ET.fromstring(xml)
    assert suite.get("tests") == "3"
    assert suite.get("failures") == "1"
    failures = {case.get("name"): case.find("failure") for case in suite.iter("testcase")}
    assert failures["execution status"] is None
    assert failures["a"] is None
    failure = failures["b"]
    assert failure is not None
    assert failure.get("message") == "pass rate 80.00% < 90%"
    assert failure.text == "Billing: hung up"
