"""Eval results: one call's outputs, and the per-template aggregates of `client.simulation`.

The same eval output arrives in three shapes: transformed on `/simulate/`
(`{value, reason, type, name, error, status, skipped}`), raw on `/sdk/`
(`{output, reason, output_type, name, status, error?, skipped?, timestamp?}`) and the docs'
`{name, output, output_type, reason}`. `EvalOutput` reads all three; a pending eval (`{}` or
`{"status": "pending"}`) is a valid `EvalOutput` full of Nones.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import CaseInsensitiveStrEnum, Model, alias, extra_field

__all__ = [
    "EvalConfigResult",
    "EvalMetric",
    "EvalOutput",
    "EvalOutputType",
    "EvalResult",
    "EvalStatus",
    "ExplanationCluster",
]

_PASSED = "passed"
_FAILED = "failed"


class EvalStatus(CaseInsensitiveStrEnum):
    """Eval statuses seen so far. The API mixes case (`Completed`, `pending`), so compare
    with `EvalStatus.parse(output.status)`, which ignores case."""

    COMPLETED = "Completed"
    FAILED = "Failed"
    PENDING = "pending"
    SKIPPED = "skipped"
    ERROR = "error"


class EvalOutputType(CaseInsensitiveStrEnum):
    """Known `output_type`s; others (and null for skipped evals) occur."""

    PASS_FAIL = "Pass/Fail"
    SCORE = "score"
    NUMERIC = "numeric"
    REASON = "reason"
    CHOICES = "choices"


@attrs.frozen(kw_only=True, repr=False)
class EvalOutput(Model):
    """One eval's verdict on one call.

    `value` is the raw output: "Passed"/"Failed" or a bool for Pass/Fail, a number for
    `score` (0-1) and `numeric`, a string for `reason`, a string, list or object for
    `choices`; None while pending, skipped or errored.
    """

    name: str | None = None
    value: Any = alias("output")
    output_type: str | None = alias("type")
    reason: str | None = None
    status: str | None = None
    # True/False on /simulate/; the raw /sdk/ shape stores the string "error".
    error: bool | str | None = None
    skipped: bool | None = None
    timestamp: datetime | None = None
    extra: dict[str, Any] = extra_field()

    @property
    def passed(self) -> bool | None:
        """True for "Passed"/true, False for "Failed"/false (any case), else None."""
        value = self.value
        if value is True or value is False:
            return value
        if isinstance(value, str):
            folded = value.casefold()
            if folded == _PASSED:
                return True
            if folded == _FAILED:
                return False
        return None

    @property
    def is_pending(self) -> bool:
        """No verdict yet: the stored placeholder, shown as `{}` on /simulate/."""
        if self.status is not None:
            return self.status.casefold() == "pending"
        return self.name is None and self.value is None and self.output_type is None


@attrs.frozen(kw_only=True, repr=False)
class EvalMetric(EvalOutput):
    """An `eval_metrics` entry (/simulate/ endpoints): an `EvalOutput` plus grid details."""

    id: str | None = None
    template_type: str | None = None
    visible: bool | None = None
    error_localizer: bool | None = None
    error_analysis: Any = None
    error_localizer_status: str | None = None
    error_localizer_message: str | None = None
    selected_input_key: str | None = None
    input_data: Any = None
    input_types: Any = None


@attrs.frozen(kw_only=True, repr=False)
class EvalConfigResult(Model):
    """One eval config's aggregate over an execution's completed calls.

    `output` depends on the template: Pass/Fail `{pass, fail, pass_count, fail_count}`
    (percent, 2 dp), score percentiles `{p5 … p100}` (percent), choices `{choice: percent}`,
    or `{}` with `total_cells == 0`. `avg_score` is percent (score templates only).
    """

    name: str | None = None
    id: str | None = None
    total_cells: int | None = None
    output: dict[str, Any] = attrs.Factory(dict)
    avg_score: float | None = None
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class EvalResult(Model):
    """One eval *template*'s aggregates (`client.simulation`). Rates and averages are percent."""

    name: str | None = None
    id: str | None = None
    output_type: str | None = None
    result: list[EvalConfigResult] = attrs.Factory(list)
    total_pass_rate: float | None = None
    total_avg: float | None = None
    total_choices_avg: dict[str, Any] | None = None
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class ExplanationCluster(Model):
    """A theme found in the reasons of one eval config's outputs ("Fix My Agent").

    The docs' `{cluster_name, call_execution_ids, description}` is read into `theme`,
    `member_ids` and `evidence_summary`; the docs' names also work as read-only aliases
    (`cluster.cluster_name is cluster.theme`).
    """

    theme: str | None = alias("cluster_name")
    status: str | None = None
    kind: str | None = None
    issues: list[Any] = attrs.Factory(list)
    triggers: list[Any] = attrs.Factory(list)
    capabilities: list[Any] = attrs.Factory(list)
    application_contexts: list[Any] = attrs.Factory(list)
    evidence_summary: str | None = alias("description")
    guidance: str | None = None
    confidence: str | None = None
    cluster_id: int | None = None
    size: int | None = None
    member_ids: list[str] = alias("call_execution_ids", factory=list)
    representative_ids: list[str] = attrs.Factory(list)
    eval_name: str | None = None
    eval_config_id: str | None = None
    eval_template_id: str | None = None
    extra: dict[str, Any] = extra_field()

    @property
    def cluster_name(self) -> str | None:
        """The docs' name for `theme`."""
        return self.theme

    @property
    def call_execution_ids(self) -> list[str]:
        """The docs' name for `member_ids`."""
        return self.member_ids

    @property
    def description(self) -> str | None:
        """The docs' name for `evidence_summary`."""
        return self.evidence_summary
