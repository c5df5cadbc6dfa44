"""Eval outputs: the items the /simulate/ views transform, and the aggregates of
`/sdk/api/v1/simulation/runs/`.

Both are computed from the same raw stored outputs, so `client.simulation`'s pass rates always
match the rows `client.run_tests.call_executions` and `client.test_executions.calls` show.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from ._records import CallRecord, EvalConfigRecord

__all__ = ["UnsupportedOutputType", "eval_results", "metric_item", "output_item", "passes"]

_PERCENTILES = (5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100)


class UnsupportedOutputType(Exception):
    """The backend's aggregation crashes (a 500) on types it does not know."""


def _value(stored: dict[str, Any]) -> Any:
    output = stored.get("output")
    if stored.get("output_type") == "choices":
        if isinstance(output, dict):
            output = output.get("choices", output.get("choice"))
        if not isinstance(output, list):
            output = [output]
    return output


def _common(stored: dict[str, Any]) -> dict[str, Any]:
    status = stored.get("status")
    error = stored.get("error") in (True, "error") or status == "error"
    return {
        "value": _value(stored),
        "reason": stored.get("reason", ""),
        "type": stored.get("output_type", "") if stored.get("status") != "skipped" else None,
        "name": stored.get("name"),
        "error": error,
        "status": status or ("error" if error else "completed"),
        "skipped": bool(stored.get("skipped", status == "skipped")),
    }


def output_item(stored: dict[str, Any]) -> dict[str, Any]:
    """`eval_outputs[id]` on /simulate/: `{}` for a pending placeholder."""
    if stored.get("status") == "pending":
        return {}
    return _common(stored)


def metric_item(
    config_id: str, stored: dict[str, Any], *, template_type: str | None
) -> dict[str, Any]:
    """`eval_metrics[id]`: the output item with its config id and the view's `template_type`."""
    if stored.get("status") == "pending":
        return {}
    item = _common(stored)
    return {
        "id": config_id,
        "name": item["name"],
        "value": item["value"],
        "reason": item["reason"],
        "type": item["type"],
        "template_type": template_type,
        "visible": True,
        "error": item["error"],
        "status": item["status"],
        "skipped": item["skipped"],
        "error_localizer": False,
    }


def passes(output: Any) -> bool | None:
    """Pass/Fail counting: `passed`/`failed` (any case) and booleans; anything else is neither."""
    if isinstance(output, bool):
        return output
    if isinstance(output, str) and output.lower() in ("passed", "failed"):
        return output.lower() == "passed"
    return None


def _pct(part: float, whole: float) -> float:
    return round(part * 100 / whole, 2) if whole else 0.0


def _percentile(sorted_values: Sequence[float], q: int) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    pos = (len(sorted_values) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    value = sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo)
    return round(value, 2)


def eval_results(
    calls: Iterable[CallRecord], configs: Sequence[EvalConfigRecord], eval_names: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """One entry per template over completed calls with outputs; raises on unknown types."""
    counted = [c for c in calls if c.status == "completed" and c.eval_outputs]
    for call in counted:
        for stored in call.eval_outputs.values():
            if stored.get("output") is not None and stored.get("output_type") not in (
                "Pass/Fail",
                "score",
                "choices",
            ):
                raise UnsupportedOutputType(stored.get("output_type"))
    by_template: dict[str, list[EvalConfigRecord]] = {}
    for config in configs:
        if eval_names and config.name not in eval_names:
            continue
        by_template.setdefault(config.template.id, []).append(config)
    results = []
    for group in by_template.values():
        template = group[0].template
        entry: dict[str, Any] = {
            "name": template.name,
            "id": template.id,
            "output_type": template.output_type,
            "result": [],
        }
        all_values: list[Any] = []
        for config in group:
            values = [
                c.eval_outputs[config.id]["output"]
                for c in counted
                if c.eval_outputs.get(config.id, {}).get("output") is not None
            ]
            all_values.extend(values)
            stats: dict[str, Any] = {
                "name": config.name,
                "id": config.id,
                "total_cells": len(values),
                "output": _stats(template.output_type, values) if values else {},
            }
            if template.output_type == "score" and values:
                stats["avg_score"] = round(sum(values) * 100 / len(values), 2)
            entry["result"].append(stats)
        if template.output_type == "Pass/Fail":
            verdicts = [passes(v) for v in all_values]
            entry["total_pass_rate"] = _pct(verdicts.count(True), len(all_values))
        elif template.output_type == "score":
            entry["total_avg"] = _pct(sum(all_values), len(all_values))
        elif template.output_type == "choices":
            entry["total_choices_avg"] = _total_choices(entry["result"])
        results.append(entry)
    return results


def _stats(output_type: str, values: list[Any]) -> dict[str, Any]:
    if output_type == "Pass/Fail":
        verdicts = [passes(v) for v in values]
        n_pass, n_fail = verdicts.count(True), verdicts.count(False)
        return {
            "pass": _pct(n_pass, len(values)),
            "fail": _pct(n_fail, len(values)),
            "pass_count": n_pass,
            "fail_count": n_fail,
        }
    if output_type == "score":
        ordered = sorted(v * 100 for v in values)
        return {f"p{q}": _percentile(ordered, q) for q in _PERCENTILES}
    return _choices(values)


def _choices(values: list[Any]) -> dict[str, float]:
    """Percentages by `str(value)`, as the backend counts: a stored list is one choice
    `"['Bad']"`, apart from `"Bad"`; a stored `{"choice": ...}` is its Python repr."""
    counts: dict[str, int] = {}
    for value in values:
        counts[str(value)] = counts.get(str(value), 0) + 1
    return {choice: _pct(n, len(values)) for choice, n in counts.items()}


def _total_choices(per_config: list[dict[str, Any]]) -> dict[str, float]:
    """The backend's weighting: the first config's choices, each averaged over all configs
    by their cell counts (a choice only a later config produced is left out)."""
    cells = sum(c["total_cells"] for c in per_config)
    total: dict[str, float] = {}
    for choice in per_config[0]["output"] if per_config else ():
        weighted = sum(c["output"].get(choice, 0) / 100 * c["total_cells"] for c in per_config)
        total[choice] = round(weighted / cells * 100, 2) if cells else 0
    return total
