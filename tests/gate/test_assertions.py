"""`--assert` expressions: every form, what each measures, and every way one is refused."""

from __future__ import annotations

import pytest

from futureagi_async.gate import (
    Assertion,
    GateInputError,
    can_still_pass,
    check_assertions,
    parse_assertion,
)

from .helpers import outcomes, passes

_EXECUTION = outcomes(
    helpful=passes(0.85, 20),
    tone=[i / 10 for i in range(11)],
    latency=[1000.0 + 100 * i for i in range(11)],
    failed_calls=3,
)


@pytest.mark.parametrize(
    ("text", "actual", "passed"),
    [
        ("is_helpful.pass_rate >= 90", 85.0, False),
        ("is_helpful.pass_rate>=85", 85.0, True),
        ("helpful_or_not.pass_rate > 80%", 85.0, True),
        ("tone_score.p90 >= 0.7", 0.9, True),
        ("tone_score.avg >= 0.6", 0.5, False),
        ("tone_score.min >= 0", 0.0, True),
        ("tone_score.max <= 0.99", 1.0, False),
        ("tone_score.p50 == 0.5", 0.5, True),
        ("tone_quality.p95 < 1", 0.95, True),
        ("latency.p95 <= 1800", 1950.0, False),
        ("latency.avg < 1600", 1500.0, True),
        ("duration.max <= 600", 79.0, True),
        ("failed_calls <= 2", 3.0, False),
    ],
)
def test_every_form_measures_what_it_names(text: str, actual: float, passed: bool) -> None:
    [result] = check_assertions([parse_assertion(text)], _EXECUTION)
    assert result.actual == pytest.approx(actual)
    assert result.passed is passed
    if not passed:
        assert result.reason.endswith(f"not {result.expected}")


def test_runtime_is_the_executions_wall_time() -> None:
    [result] = check_assertions([parse_assertion("runtime <= 900")], _EXECUTION)
    assert result.actual is None  # the outcomes made by hand have no times
    assert not result.passed
    assert result.reason == "runtime: no completed outputs"


def test_an_eval_with_no_outcomes_fails_rather_than_passes() -> None:
    empty = outcomes(helpful=[])
    [result] = check_assertions([parse_assertion("is_helpful.pass_rate >= 0")], empty)
    assert not result.passed
    assert result.reason == "is_helpful.pass_rate: no completed outputs"


def test_labels_name_the_eval_a_config_belongs_to() -> None:
    [result] = check_assertions([parse_assertion("helpful_or_not.pass_rate >= 90")], _EXECUTION)
    assert result.label == "is_helpful.pass_rate"
    assert result.reason == "is_helpful.pass_rate is 85.00%, not >= 90.00%"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("is_helpful.pass_rate", "write SUBJECT.STATISTIC OP NUMBER"),
        ("is_helpful.pass_rate >= ", "write SUBJECT.STATISTIC OP NUMBER"),
        (">= 90", "write SUBJECT.STATISTIC OP NUMBER"),
        ("is_helpful.pass_rate >= ninety", "'ninety' is not a number"),
        ("is_helpful.pass_rate >= nan", "'nan' is not a finite number"),
        ("is_helpful >= 90", "'is_helpful' names no statistic"),
        ("is_helpful.mean >= 90", "unknown statistic 'mean'"),
        ("is_helpful.pass_rate >= 0.9", "not a fraction; write 90"),
        ("is_helpful.pass_rate >= 120", "a percent between 0 and 100"),
        ("tone_score.avg >= 60%", "only a pass_rate is a percent"),
        ("latency.pass_rate >= 90", "latency has no pass rate"),
        ("failed_calls <= 2.5", "failed_calls is a count"),
    ],
)
def test_an_assertion_that_does_not_parse_is_refused(text: str, message: str) -> None:
    with pytest.raises(GateInputError, match=message) as caught:
        parse_assertion(text)
    assert str(caught.value).startswith(f"--assert {text!r}: ")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "is_helpfull.pass_rate >= 90",
            "no eval named 'is_helpfull'.*the subjects are: is_helpful",
        ),
        ("tone_score.pass_rate >= 90", "tone_score is a score eval and has no pass rate"),
        ("is_helpful.avg >= 0.9", "is_helpful is a Pass/Fail eval; its statistic is pass_rate"),
    ],
)
def test_an_assertion_naming_what_the_execution_lacks_is_refused(text: str, message: str) -> None:
    with pytest.raises(GateInputError, match=message):
        check_assertions([parse_assertion(text)], _EXECUTION)


def test_explicit_small_percent_is_taken_as_written() -> None:
    assert parse_assertion("is_helpful.pass_rate >= 0.5%") == Assertion(
        "is_helpful.pass_rate >= 0.5%", "is_helpful", "pass_rate", ">=", 0.5
    )


def _partial(flags: list[bool], **kwargs: object) -> object:
    return outcomes(helpful=flags, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "remaining", "still"),
    [
        # 6 of 10 passed: with 10 more calls at best 16/20 = 80 %.
        ("is_helpful.pass_rate >= 80", 10, True),
        ("is_helpful.pass_rate >= 81", 10, False),
        ("is_helpful.pass_rate <= 29", 10, False),
        ("is_helpful.pass_rate <= 30", 20, True),
        ("failed_calls <= 2", 100, False),  # 3 failed already
        ("failed_calls >= 10", 7, True),
        ("failed_calls >= 10", 6, False),
        ("tone_score.min >= 0.5", 5, False),  # a 0.0 score is in
        ("tone_score.avg >= 0.9", 50, True),
        ("tone_score.avg >= 0.9", 10, False),
        ("latency.max <= 1500", 3, False),
        ("latency.p50 <= 1500", 30, True),
        ("tone_score.p50 == 0.5", 0, True),  # only decided at the end
        ("runtime <= 1", 10, True),
    ],
)
def test_can_still_pass_gives_calls_to_come_their_best(
    text: str, remaining: int, still: bool
) -> None:
    partial = outcomes(
        helpful=[True] * 6 + [False] * 4,
        tone=[i / 10 for i in range(11)],
        latency=[1000.0 + 100 * i for i in range(11)],
        failed_calls=3,
    )
    assert can_still_pass(parse_assertion(text), partial, remaining) is still
