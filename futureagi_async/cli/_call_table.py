"""The call table that `calls list` and `executions calls` share."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ..models import CallExecution
from ._eval_names import verdicts
from ._output import Output

__all__ = ["print_calls"]

_COLUMNS = ["id", "status", "scenario", "duration (s)", "ended reason", "time", "evals"]


def print_calls(
    out: Output, calls: Sequence[CallExecution], current_evals: Collection[str] | None
) -> None:
    out.table(
        f"{len(calls)} call(s)",
        _COLUMNS,
        (
            [
                c.id,
                c.status,
                c.scenario,
                c.duration_seconds if c.duration_seconds is not None else c.duration,
                c.ended_reason,
                c.timestamp or c.start_time,
                verdicts(c.eval_outputs, current_evals),
            ]
            for c in calls
        ),
    )
