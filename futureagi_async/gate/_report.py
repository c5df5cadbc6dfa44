"""The comparison and the assertions as CI shows them: Markdown for a job summary, and
GitHub Actions workflow commands (`::error`) for annotations."""

from __future__ import annotations

from collections.abc import Sequence

from ._assertions import AssertionResult
from ._compare import REGRESSION, Comparison

__all__ = ["github_annotations", "markdown_summary"]

_ICONS = {"no regression": "✅", "regression": "❌", "inconclusive": "⚠️"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def markdown_summary(
    *,
    title: str,
    assertions: Sequence[AssertionResult] = (),
    comparison: Comparison | None = None,
    status_line: str | None = None,
) -> str:
    """A Markdown section: the assertions, then per eval the comparison and its verdict."""
    lines = [f"### {_cell(title)}", ""]
    if status_line:
        lines += [status_line, ""]
    if assertions:
        lines += ["| check | value | expected | result |", "|---|---|---|---|"]
        lines += [
            f"| `{_cell(r.label)}` | {r.format(r.actual)} | {_cell(r.expected)} | "
            f"{'✅ pass' if r.passed else '❌ fail'} |"
            for r in assertions
        ]
        lines.append("")
    if comparison is not None:
        confidence = f"{1 - comparison.alpha:.0%}"
        lines += [
            f"**{_ICONS[comparison.verdict]} {comparison.verdict}** against baseline "
            f"execution `{comparison.baseline_execution_id}` (tolerance "
            f"{comparison.tolerance:g} points, alpha {comparison.alpha:g}, "
            f"{confidence} intervals)",
            "",
            "| eval | baseline | candidate | difference | p (corrected) | verdict |",
            "|---|---|---|---|---|---|",
        ]
        for e in comparison.evals:
            lines.append(
                f"| `{_cell(e.name)}` ({e.statistic}) | "
                f"{e.format_with_interval(e.baseline_value, e.baseline_interval)} | "
                f"{e.format_with_interval(e.candidate_value, e.candidate_interval)} | "
                f"{e.format_difference()} | {e.adjusted_p:.3g} | "
                f"{_ICONS[e.verdict]} {e.verdict} |"
            )
        lines.append("")
        lines += [f"- `{_cell(e.name)}`: {_cell(e.explanation)}" for e in comparison.evals]
        lines.append("")
    return "\n".join(lines) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_annotations(comparison: Comparison) -> list[str]:
    """One `::error` workflow command per regressed eval."""
    return [
        f"::error title={_escape_property(f'regression: {e.name}')}::"
        + _escape_data(f"{comparison.run_test_name or 'gate'}: {e.name}: {e.explanation}")
        for e in comparison.evals
        if e.verdict == REGRESSION
    ]
