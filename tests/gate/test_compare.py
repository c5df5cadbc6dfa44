"""The comparison on outcomes made by hand: verdicts, the paired and unpaired tests, bad pairs."""

from __future__ import annotations

import random

import pytest
import scipy.stats

from futureagi_async.gate import (
    INCONCLUSIVE,
    NO_REGRESSION,
    PASS_FAIL,
    REGRESSION,
    GateInputError,
    compare_outcomes,
)

from .helpers import outcomes, passes


def test_a_drop_from_90_to_50_percent_on_200_calls_is_a_regression() -> None:
    base = outcomes("base", helpful=passes(0.9, 200), evals={"is_helpful": PASS_FAIL})
    cand = outcomes("cand", helpful=passes(0.5, 200), evals={"is_helpful": PASS_FAIL})
    result = compare_outcomes(base, cand)
    assert result.verdict == REGRESSION
    [helpful] = result.evals
    assert helpful.paired
    assert helpful.difference == pytest.approx(-40.0)
    assert helpful.adjusted_p < 1e-6
    assert "dropped 40.0 points (90.0% -> 50.0%)" in helpful.explanation
    assert result.regressed == (helpful,)


def test_80_vs_70_percent_on_20_calls_is_inconclusive() -> None:
    base = outcomes("base", helpful=passes(0.8, 20), evals={"is_helpful": PASS_FAIL})
    cand = outcomes("cand", helpful=passes(0.7, 20), evals={"is_helpful": PASS_FAIL})
    result = compare_outcomes(base, cand)
    assert result.verdict == INCONCLUSIVE
    [helpful] = result.evals
    assert helpful.min_detectable_drop > 10
    assert helpful.calls_needed is not None
    assert helpful.calls_needed > 20
    assert helpful.explanation.startswith("too few calls to tell: the smallest drop")
    assert f"about {helpful.calls_needed} calls per execution" in helpful.explanation


def test_no_regression_needs_a_sample_that_could_have_seen_one() -> None:
    base = outcomes("base", helpful=passes(0.8, 1000), evals={"is_helpful": PASS_FAIL})
    cand = outcomes("cand", helpful=passes(0.79, 1000), evals={"is_helpful": PASS_FAIL})
    result = compare_outcomes(base, cand, tolerance=10)
    assert result.verdict == NO_REGRESSION
    assert result.evals[0].min_detectable_drop < 10
    assert "would have detected a drop of" in result.evals[0].explanation


def test_a_significant_drop_within_the_tolerance_is_no_regression() -> None:
    base = outcomes(
        "base", helpful=passes(0.85, 4000), scenarios=None, evals={"is_helpful": PASS_FAIL}
    )
    cand = outcomes(
        "cand", helpful=passes(0.80, 4000), scenarios=None, evals={"is_helpful": PASS_FAIL}
    )
    result = compare_outcomes(base, cand, tolerance=10)
    assert result.evals[0].adjusted_p < 0.05
    assert result.verdict == NO_REGRESSION
    assert compare_outcomes(base, cand, tolerance=3).verdict == REGRESSION


def test_an_improvement_is_never_a_regression() -> None:
    base = outcomes("base", helpful=passes(0.5, 300), evals={"is_helpful": PASS_FAIL})
    cand = outcomes("cand", helpful=passes(0.9, 300), evals={"is_helpful": PASS_FAIL})
    result = compare_outcomes(base, cand)
    assert result.evals[0].p_value > 0.99
    assert result.verdict != REGRESSION


def test_paired_by_scenario_uses_mcnemar_on_discordant_pairs() -> None:
    base_flags = passes(0.9, 100)
    cand_flags = list(base_flags)
    for i in range(0, 40, 4):  # 10 calls that passed now fail, nothing else changes
        if cand_flags[i]:
            cand_flags[i] = False
    base = outcomes("base", helpful=base_flags, scenarios=100, evals={"is_helpful": PASS_FAIL})
    cand = outcomes("cand", helpful=cand_flags, scenarios=100, evals={"is_helpful": PASS_FAIL})
    [helpful] = compare_outcomes(base, cand).evals
    worse = sum(b and not c for b, c in zip(base_flags, cand_flags, strict=True))
    assert helpful.paired
    assert helpful.test == "McNemar exact, 100 pairs by scenario"
    expected = scipy.stats.binomtest(worse, worse, 0.5, alternative="greater").pvalue
    assert helpful.p_value == pytest.approx(expected)
    # The same counts, unpaired, tell far less: pairing is what finds this drop.
    unpaired = compare_outcomes(
        outcomes("base", helpful=base_flags, scenarios=None, evals={"is_helpful": PASS_FAIL}),
        outcomes("cand", helpful=cand_flags, scenarios=None, evals={"is_helpful": PASS_FAIL}),
    ).evals[0]
    assert not unpaired.paired
    assert unpaired.test == "Fisher exact"
    assert unpaired.p_value > helpful.p_value


def test_different_scenarios_fall_back_to_fisher() -> None:
    base = outcomes("base", helpful=passes(0.9, 50), scenarios=5, evals={"is_helpful": PASS_FAIL})
    cand = outcomes("cand", helpful=passes(0.6, 50), scenarios=7, evals={"is_helpful": PASS_FAIL})
    [helpful] = compare_outcomes(base, cand).evals
    assert not helpful.paired
    table = [[45, 5], [30, 20]]
    expected = scipy.stats.fisher_exact(table, alternative="greater").pvalue
    assert helpful.p_value == pytest.approx(expected)


def test_scores_use_mann_whitney_and_never_say_pass_rate() -> None:
    rng = random.Random(1)
    base = outcomes("base", tone=[min(1, max(0, rng.gauss(0.8, 0.1))) for _ in range(150)])
    cand = outcomes("cand", tone=[min(1, max(0, rng.gauss(0.5, 0.1))) for _ in range(150)])
    result = compare_outcomes(base, cand)
    tone = next(e for e in result.evals if e.name == "tone_score")
    assert tone.test == "Mann-Whitney U"
    assert tone.statistic == "mean score"
    assert tone.verdict == REGRESSION
    assert "pass rate" not in tone.explanation
    assert tone.baseline_interval is not None
    assert tone.baseline_interval[0] < tone.baseline_value < tone.baseline_interval[1]  # type: ignore[operator]
    # is_helpful has no outcomes on either side: nothing to tell.
    helpful = next(e for e in result.evals if e.name == "is_helpful")
    assert helpful.verdict == INCONCLUSIVE
    assert "no completed outputs on one side" in helpful.explanation


def test_p_values_are_adjusted_across_evals() -> None:
    base = outcomes("base", helpful=passes(0.9, 60), tone=[0.8] * 30 + [0.7] * 30)
    cand = outcomes("cand", helpful=passes(0.75, 60), tone=[0.8] * 30 + [0.6] * 30)
    result = compare_outcomes(base, cand)
    raw = [e.p_value for e in result.evals]
    expected = scipy.stats.false_discovery_control(raw, method="bh")
    assert [e.adjusted_p for e in result.evals] == pytest.approx(list(expected))
    assert all(e.adjusted_p >= e.p_value for e in result.evals)
    by = compare_outcomes(base, cand, correction="by")
    assert all(b.adjusted_p >= a.adjusted_p for a, b in zip(result.evals, by.evals, strict=True))


def test_the_report_dict_is_json_ready() -> None:
    base = outcomes("base", helpful=passes(0.8, 20))
    cand = outcomes("cand", helpful=passes(0.7, 20))
    report = compare_outcomes(base, cand).to_dict()
    assert report["verdict"] == INCONCLUSIVE
    assert report["evals"][0]["baseline"]["interval"] is not None
    assert report["evals"][1]["min_detectable_drop"] is None  # tone: no outcomes, infinite


@pytest.mark.parametrize(
    ("base_kwargs", "cand_kwargs", "message"),
    [
        ({"run_test_name": "Other"}, {}, "is from run test 'Other', not 'Nightly'"),
        ({"status": "failed"}, {}, "baseline execution base is failed, not completed"),
        ({"evals": {"is_helpful": PASS_FAIL}}, {}, "eval 'tone_score' is only in the candidate"),
        ({}, {"evals": {"is_helpful": PASS_FAIL}}, "eval 'tone_score' is only in the baseline"),
        (
            {"evals": {"is_helpful": PASS_FAIL, "tone_score": PASS_FAIL}},
            {},
            "eval 'tone_score' is pass/fail in the baseline but score in the candidate",
        ),
    ],
)
def test_pairs_that_cannot_be_compared_are_refused(
    base_kwargs: dict[str, object], cand_kwargs: dict[str, object], message: str
) -> None:
    base = outcomes("base", helpful=passes(0.8, 10), **base_kwargs)  # type: ignore[arg-type]
    cand = outcomes("cand", helpful=passes(0.8, 10), **cand_kwargs)  # type: ignore[arg-type]
    with pytest.raises(GateInputError, match=message):
        compare_outcomes(base, cand)


def test_the_candidate_cannot_be_its_own_baseline() -> None:
    same = outcomes("same", helpful=passes(0.8, 10))
    with pytest.raises(GateInputError, match="the baseline is the candidate itself"):
        compare_outcomes(same, same)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"alpha": 0}, "alpha must be between 0 and 1"),
        ({"alpha": 1.5}, "alpha must be between 0 and 1"),
        ({"tolerance": 0}, "tolerance must be more than 0"),
        ({"tolerance": 100}, "tolerance must be more than 0"),
        ({"correction": "holm"}, "correction must be 'bh' or 'by'"),
    ],
)
def test_bad_settings_are_refused(settings: dict[str, object], message: str) -> None:
    base = outcomes("base", helpful=passes(0.8, 10))
    cand = outcomes("cand", helpful=passes(0.8, 10))
    with pytest.raises(GateInputError, match=message):
        compare_outcomes(base, cand, **settings)  # type: ignore[arg-type]


def test_a_b_of_independent_draws_rarely_alarms() -> None:
    """A small in-suite version of the calibration (`nox -s gate-calibration` runs 1,000)."""
    rng = random.Random(7)
    alarms = 0
    for _ in range(100):
        base = outcomes("base", helpful=[rng.random() < 0.8 for _ in range(100)])
        cand = outcomes("cand", helpful=[rng.random() < 0.8 for _ in range(100)])
        alarms += compare_outcomes(base, cand).verdict == REGRESSION
    assert alarms <= 10
