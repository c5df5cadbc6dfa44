"""Which eval a name means, so every table counts the same evals.

An eval *template* (`is_helpful`) aggregates an execution's pass rate; each of its *configs*
(`helpful_or_not`) is what judges a call, so call rows carry config names. A config removed
from the run test keeps its old outputs on calls that ran before: those are marked
"(retired)" and never counted next to the current evals, which is what the gate measures.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

from .._client import AsyncClient
from ..models import EvalOutput, SimulationExecution
from ._errors import UsageError

__all__ = [
    "RETIRED",
    "check_eval_names",
    "config_names",
    "label",
    "legend",
    "refuse_unknown",
    "verdicts",
]

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


def refuse_unknown(wanted: Sequence[str] | None, known: Sequence[str], where: str) -> None:
    """A `--eval` that names no current eval config: the API would silently keep nothing
    (and an export would file every eval under `other_evals`), so refuse it by name, as
    `gate` does, listing the names that work."""
    unknown = [name for name in dict.fromkeys(wanted or ()) if name not in known]
    if unknown and known:
        raise UsageError(
            f"--eval: no eval named {', '.join(map(repr, unknown))} in {where}; "
            f"its evals are: {', '.join(known)} (names are exact)"
        )


async def check_eval_names(
    client: AsyncClient, run_test_name: str, wanted: Sequence[str] | None
) -> None:
    """`refuse_unknown` against the current configs of the run test's latest execution (one
    request, made only when `--eval` was given; no execution yet means nothing to check)."""
    if not wanted:
        return
    async for page in client.simulation.runs(run_test_name, page_size=1).pages():
        refuse_unknown(wanted, config_names(page.items), f"run test {run_test_name!r}")
        break


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
