"""The Parquet export: a hive-partitioned dataset that query engines read as one table.

Layout under the export directory, one part file per execution and table:

    calls/run_test=<name>/execution=<id>/part-0.parquet
    executions/run_test=<name>/execution=<id>/part-0.parquet

`run_test` and `execution` are not stored in the files: readers take them from the path
(hive partitioning; the name is percent-encoded, which DuckDB, Polars, pyarrow and Spark
decode). Each part is built in memory and written whole (`ExportTarget.put_many`: one PUT
each on an object store, a rename on disk), so a reader never sees half a file; the names
are fixed per execution, so writing an execution again replaces its parts and never
duplicates rows. The schema is fixed (below and in the README) whatever evals a run test
has: evals are a list column, not a column each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import attrs

from ._convert import unstructure
from ._export_target import ExportTarget
from ._json import dumps
from .models import CallExecution, EvalOutput, SimulationExecution

__all__ = ["CALLS", "EXECUTIONS", "ParquetDataset", "calls_schema", "executions_schema"]

CALLS = "calls"
EXECUTIONS = "executions"
PART = "part-0.parquet"


def _pa() -> Any:
    import pyarrow

    return pyarrow


def calls_schema() -> Any:
    """One row per call. Times are UTC; durations seconds; latencies ms; cost cents."""
    pa = _pa()
    eval_output = pa.struct(
        [
            ("config_id", pa.string()),
            ("name", pa.string()),
            ("output_type", pa.string()),
            ("passed", pa.bool_()),
            ("score", pa.float64()),
            ("value", pa.string()),
            ("reason", pa.string()),
            ("status", pa.string()),
            ("retired", pa.bool_()),
        ]
    )
    return pa.schema(
        [
            ("call_id", pa.string()),
            ("scenario", pa.string()),
            ("scenario_id", pa.string()),
            ("status", pa.string()),
            ("call_type", pa.string()),
            ("started_at", pa.timestamp("us", tz="UTC")),
            ("duration_seconds", pa.float64()),
            ("ended_reason", pa.string()),
            ("overall_score", pa.float64()),
            ("response_time_ms", pa.float64()),
            ("avg_agent_latency_ms", pa.float64()),
            ("cost_cents", pa.float64()),
            ("call_summary", pa.string()),
            ("evals", pa.list_(eval_output)),
            ("transcript", pa.string()),
        ]
    )


def executions_schema() -> Any:
    """One row per execution; `evals` has one entry per eval config, rates in percent."""
    pa = _pa()
    eval_result = pa.struct(
        [
            ("name", pa.string()),
            ("config", pa.string()),
            ("output_type", pa.string()),
            ("pass_rate", pa.float64()),
            ("pass_count", pa.int64()),
            ("fail_count", pa.int64()),
            ("average", pa.float64()),
            ("total_cells", pa.int64()),
        ]
    )
    return pa.schema(
        [
            ("status", pa.string()),
            ("started_at", pa.timestamp("us", tz="UTC")),
            ("completed_at", pa.timestamp("us", tz="UTC")),
            ("total_calls", pa.int64()),
            ("completed_calls", pa.int64()),
            ("failed_calls", pa.int64()),
            ("evals", pa.list_(eval_result)),
        ]
    )


def _json_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return dumps(unstructure(value)).decode()


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _count(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@attrs.frozen
class _Configs:
    """The execution's current eval configs, by id and name; None when not known."""

    names: dict[str, str | None] | None

    @classmethod
    def of(cls, execution: SimulationExecution, *, known: bool) -> _Configs:
        if not known:
            return cls(None)
        return cls(
            {
                config.id or config.name or "": config.name
                for result in execution.eval_results
                for config in result.result
            }
        )

    def name(self, key: str, output: EvalOutput) -> str | None:
        return output.name or (self.names or {}).get(key)

    def retired(self, key: str, name: str | None) -> bool | None:
        if self.names is None:
            return None
        return key not in self.names and name not in self.names.values()


def _eval_output(key: str, output: EvalOutput, configs: _Configs) -> dict[str, Any]:
    name = configs.name(key, output)
    return {
        "config_id": key,
        "name": name,
        "output_type": output.output_type,
        "passed": output.passed,
        "score": _number(output.value),
        "value": _json_text(output.value),
        "reason": output.reason,
        "status": output.status,
        "retired": configs.retired(key, name),
    }


def call_rows(
    calls: Sequence[CallExecution], configs: _Configs, transcripts: bool
) -> list[dict[str, Any]]:
    return [
        {
            "call_id": call.id,
            "scenario": call.scenario,
            "scenario_id": call.scenario_id,
            "status": call.status,
            "call_type": call.call_type,
            "started_at": call.timestamp or call.start_time,
            "duration_seconds": _number(
                call.duration_seconds if call.duration_seconds is not None else call.duration
            ),
            "ended_reason": call.ended_reason,
            "overall_score": _number(call.overall_score),
            "response_time_ms": _number(call.response_time_ms),
            "avg_agent_latency_ms": _number(call.avg_agent_latency_ms),
            "cost_cents": _number(call.cost_cents),
            "call_summary": call.call_summary,
            "evals": [_eval_output(k, o, configs) for k, o in call.eval_outputs.items()],
            "transcript": _json_text(call.transcript) if transcripts else None,
        }
        for call in calls
    ]


def execution_row(execution: SimulationExecution) -> dict[str, Any]:
    evals = []
    for result in execution.eval_results:
        for config in result.result or []:
            output = config.output
            rate = output.get("pass")
            evals.append(
                {
                    "name": result.name,
                    "config": config.name,
                    "output_type": result.output_type,
                    "pass_rate": _number(rate),
                    "pass_count": _count(output.get("pass_count")),
                    "fail_count": _count(output.get("fail_count")),
                    "average": _number(config.avg_score),
                    "total_cells": _count(config.total_cells),
                }
            )
    return {
        "status": execution.status,
        "started_at": execution.started_at,
        "completed_at": execution.completed_at,
        "total_calls": _count(execution.total_calls),
        "completed_calls": _count(execution.completed_calls),
        "failed_calls": _count(execution.failed_calls),
        "evals": evals,
    }


class ParquetDataset:
    """Writes each execution of one run test as its own pair of part files."""

    def __init__(
        self, target: ExportTarget, run_test: str, *, transcripts: bool, all_evals: bool = True
    ):
        """`all_evals` False: the export was narrowed to some evals, so the execution's
        list of evals says nothing about which configs are retired."""
        _pa()  # fail before any request when the extra is missing
        self.target = target
        self.run_test = run_test
        self._transcripts = transcripts
        self._all_evals = all_evals

    def partition(self, table: str) -> str:
        return self.target.path(table, f"run_test={quote(self.run_test, safe='')}")

    def _part(self, table: str, execution_id: str) -> str:
        return f"{self.partition(table)}/execution={quote(execution_id, safe='')}/{PART}"

    def remove(self) -> None:
        """Drop this run test's partitions (for --overwrite); other run tests stay."""
        for table in (CALLS, EXECUTIONS):
            self.target.remove_tree(self.partition(table))

    def parts(
        self, execution: SimulationExecution, calls: Sequence[CallExecution]
    ) -> dict[str, bytes]:
        """The execution's two part files, by path: written whole, together, by the caller."""
        execution_id = execution.execution_id
        if not execution_id:
            return {}
        configs = _Configs.of(execution, known=self._all_evals)
        pa = _pa()
        return {
            self._part(EXECUTIONS, execution_id): _parquet(
                pa.Table.from_pylist([execution_row(execution)], schema=executions_schema())
            ),
            self._part(CALLS, execution_id): _parquet(
                pa.Table.from_pylist(
                    call_rows(calls, configs, self._transcripts), schema=calls_schema()
                )
            ),
        }


def _parquet(table: Any) -> bytes:
    import pyarrow.parquet as pq

    sink = _pa().BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())
