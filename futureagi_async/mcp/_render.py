"""The short text each tool answer carries beside its structured content.

Models read the text first; it says the essentials in a few lines and never more than the
structured answer holds.
"""

from __future__ import annotations

from ._answers import ExecutionComparison, ExecutionSummary, FailedCalls, RunTestList, WaitResult

__all__ = ["comparison", "execution", "failed_calls", "run_tests", "waited"]


def _rate(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"


def run_tests(answer: RunTestList) -> str:
    lines = [
        f"{r['name']} (id {r['id']}, last run {r['last_run_at'] or 'never'})"
        for r in answer["run_tests"]
    ]
    if answer["more"]:
        lines.append(f"... and {answer['more']} more")
    return "\n".join(lines) or "no run tests match"


def execution(answer: ExecutionSummary) -> str:
    name = answer["run_test_name"] or "Run test"
    head = (
        f"{name}: execution {answer['execution_id']} is {answer['status']}, "
        f"{answer['completed_calls']}/{answer['total_calls']} calls completed, "
        f"{answer['failed_calls']} failed"
    )
    evals = []
    for e in answer["evals"]:
        if e["pass_rate"] is not None:
            evals.append(f"- {e['name']}: pass rate {_rate(e['pass_rate'])}")
        elif e["avg_score"] is not None:
            evals.append(f"- {e['name']}: average score {_rate(e['avg_score'])}")
        else:
            evals.append(f"- {e['name']} ({e['output_type']})")
    return "\n".join([head, *evals])


def failed_calls(answer: FailedCalls) -> str:
    lines = [f"{answer['total_failed']} failed calls in execution {answer['execution_id']}"]
    for call in answer["calls"]:
        reasons = "; ".join(f"{f['name']}: {f['reason']}" for f in call["failing_evals"])
        lines.append(f"- {call['scenario']} ({call['status']}): {reasons or call['ended_reason']}")
    if answer["more"]:
        lines.append(f"... and {answer['more']} more")
    return "\n".join(lines)


def comparison(answer: ExecutionComparison) -> str:
    lines = [
        f"{answer['verdict']}: execution {answer['execution_id']} against "
        f"{answer['baseline_execution_id']}"
    ]
    for e in answer["evals"]:
        unit = "%" if e["statistic"] == "pass rate" else ""
        lines.append(
            f"- {e['eval_name']} {e['statistic']}: {_number(e['baseline'])}{unit} -> "
            f"{_number(e['candidate'])}{unit}, p={e['p_value']:.3g}: {e['verdict']}"
        )
    return "\n".join(lines)


def _number(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3g}"


def waited(answer: WaitResult) -> str:
    lines = [execution(answer["execution"]), f"{answer['calls_seen']} calls seen while waiting"]
    for call in answer["recent_failures"]:
        lines.append(
            f"- failed: {call['call_id']} ({', '.join(call['failed_evals']) or call['status']})"
        )
    return "\n".join(lines)
