"""Which eval a name means, so every table counts the same evals.

An eval *template* (`is_helpful`) aggregates an execution's pass rate; each of its *configs*
(`helpful_or_not`) is what judges a call, so call rows carry config names. A config removed
from the run test keeps its old outputs on calls that ran before: those are marked
"(retired)" and never counted next to the current evals, which is what the gate measures.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from ..models import EvalOutput, SimulationExecution

__all__ = ["RETIRED", "config_names", "label", "legend", "verdicts"]

RETIRED = " (retired)"


def config_names(executions: Iterable[SimulationExecution]) -> list[str]:
    """The current eval configs (the names call outputs carry), in first-seen order."""
    names = dict.fromkeys(
        config.name
        for execution in executions
        for result in execution.eval_results
        for config in result.result
        if config.name
    )
    return list(names)


def label(name: str, current: Collection[str] | None) -> str:
    """`name`, marked retired when the current configs are known and it is not one."""
    return name if current is None or name in current else name + RETIRED


def verdicts(outputs: Mapping[str, EvalOutput], current: Collection[str] | None) -> str:
    """`pass: helpful_or_not; fail: tone (retired)`: named, so no count hides an eval."""
    by_verdict: dict[bool, list[str]] = {True: [], False: []}
    for key, output in outputs.items():
        if output.passed is not None:
            by_verdict[output.passed].append(label(output.name or key, current))
    parts = [
        f"{word}: {', '.join(names)}"
        for word, names in (("pass", by_verdict[True]), ("fail", by_verdict[False]))
        if names
    ]
    return "; ".join(parts) or "-"


def legend(executions: Iterable[SimulationExecution]) -> str | None:
    """One line tying the templates a table shows to the config names calls carry."""
    pairs = dict.fromkeys(
        f"{result.name} = {', '.join(c.name for c in result.result if c.name)}"
        for execution in executions
        for result in execution.eval_results
        if result.name and any(c.name for c in result.result)
    )
    if not pairs:
        return None
    return "evals and the config names call rows carry: " + "; ".join(pairs)
