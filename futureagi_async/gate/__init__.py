"""Gate a deploy on a simulation execution: assertions on its numbers, and a comparison
against a baseline that tells a real regression from noise.

The comparison's statistics need scipy (`pip install 'futureagi-async[gate]'`); this package
imports without it, and only a comparison then raises `StatisticsUnavailableError`.

- `await compare(client, baseline="previous" | EXECUTION_ID | Path | outcomes,
  candidate=EXECUTION_ID | outcomes)` fetches what it needs and compares.
- `compare_outcomes(baseline, candidate)` is the same comparison on outcomes already in
  hand (`fetch_outcomes`, `outcomes_from`, `load_baseline`): pure, no I/O.
- `parse_assertion` and `check_assertions` evaluate `is_helpful.pass_rate >= 90` and kin.
- `markdown_summary` and `github_annotations` render them for CI.
"""

from ._api import (
    PREVIOUS,
    Baseline,
    check_run_test,
    compare,
    previous_execution_id,
    resolve_baseline,
)
from ._assertions import (
    Assertion,
    AssertionResult,
    can_still_pass,
    check_assertions,
    parse_assertion,
)
from ._baseline import (
    FORMAT,
    VERSION,
    baseline_from_json,
    baseline_to_json,
    load_baseline,
    save_baseline,
)
from ._compare import (
    INCONCLUSIVE,
    NO_REGRESSION,
    REGRESSION,
    Comparison,
    EvalComparison,
    Verdict,
    check_comparable,
    compare_outcomes,
)
from ._errors import GateInputError, StatisticsUnavailableError
from ._outcomes import (
    PASS_FAIL,
    SCORE,
    CallOutcome,
    EvalKind,
    ExecutionOutcomes,
    fetch_outcomes,
    outcomes_from,
)
from ._report import github_annotations, markdown_summary
from ._stats import Correction

__all__ = [
    "FORMAT",
    "INCONCLUSIVE",
    "NO_REGRESSION",
    "PASS_FAIL",
    "PREVIOUS",
    "REGRESSION",
    "SCORE",
    "VERSION",
    "Assertion",
    "AssertionResult",
    "Baseline",
    "CallOutcome",
    "Comparison",
    "Correction",
    "EvalComparison",
    "EvalKind",
    "ExecutionOutcomes",
    "GateInputError",
    "StatisticsUnavailableError",
    "Verdict",
    "baseline_from_json",
    "baseline_to_json",
    "can_still_pass",
    "check_assertions",
    "check_comparable",
    "check_run_test",
    "compare",
    "compare_outcomes",
    "fetch_outcomes",
    "github_annotations",
    "load_baseline",
    "markdown_summary",
    "outcomes_from",
    "parse_assertion",
    "previous_execution_id",
    "resolve_baseline",
    "save_baseline",
]
