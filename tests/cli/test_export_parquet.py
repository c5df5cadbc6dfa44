"""`export --format parquet`: a hive-partitioned dataset that reads back as one table."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx2
import pytest

from futureagi_async.export import calls_schema, executions_schema

from .helpers import Cli, FailFor, Result, Served, run_test_with_calls

pa = pytest.importorskip("pyarrow")
pa_dataset = pytest.importorskip("pyarrow.dataset")
duckdb = pytest.importorskip("duckdb")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "parquet_duckdb.py"
HIVE = "hive_partitioning = true, hive_types = {'run_test': VARCHAR, 'execution': VARCHAR}"


def _sql(query: str, out: Path, table: str = "calls") -> list[tuple[Any, ...]]:
    source = f"read_parquet('{out / table}/**/*.parquet', {HIVE})"
    with duckdb.connect() as db:
        return db.execute(query.format(source=source)).fetchall()  # type: ignore[no-any-return]


def _export(cli: Cli, name: str, out: Path, *extra: str, **kwargs: object) -> Result:
    return cli("export", name, "-o", str(out), "--format", "parquet", *extra, **kwargs)


def test_the_dataset_reads_back_as_one_table(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, ids, calls = run_test_with_calls(env)
    result = _export(cli, name, tmp_path)
    assert result.code == 0, result.err
    parts = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.parquet"))
    quoted = name.replace(" ", "%20")
    assert parts == sorted(
        f"{table}/run_test={quoted}/execution={i}/part-0.parquet"
        for table in ("calls", "executions")
        for i in ids
    )
    # DuckDB: every call once, partition columns from the paths.
    assert _sql("SELECT count(*), count(DISTINCT call_id) FROM {source}", tmp_path) == [
        (calls, calls)
    ]
    assert _sql("SELECT DISTINCT run_test FROM {source}", tmp_path) == [(name,)]
    assert {e for (e,) in _sql("SELECT DISTINCT execution FROM {source}", tmp_path)} == set(ids)
    # pyarrow: the documented schema, plus the two partition columns.
    table = pa_dataset.dataset(tmp_path / "calls", partitioning="hive").to_table()
    assert table.schema.remove_metadata() == calls_schema().append(
        pa.field("run_test", pa.string())
    ).append(pa.field("execution", pa.string()))
    executions = pa_dataset.dataset(tmp_path / "executions", partitioning="hive").to_table()
    assert executions.num_rows == len(ids)
    assert executions.schema.names[: len(executions_schema())] == executions_schema().names


def test_eval_verdicts_match_the_fake(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, ids, _ = run_test_with_calls(env)
    assert _export(cli, name, tmp_path).code == 0
    rows = _sql(
        "SELECT e.name, count(*) FILTER (e.passed), count(*) FILTER (NOT e.passed) "
        "FROM (SELECT unnest(evals) AS e FROM {source}) GROUP BY 1 ORDER BY 1",
        tmp_path,
    )
    verdicts = {n: (p, f) for n, p, f in rows}
    dataset = env.fake.dataset
    outputs = [
        output
        for i in ids
        for call in dataset.calls_of(i)
        if not call.deleted
        for output in call.eval_outputs.values()
        if output.get("name") == "helpful_or_not"
    ]
    # The fake also stores a bare true/false now and then, as the backend can.
    passed = sum(1 for o in outputs if o.get("output") in ("Passed", True))
    failed = sum(1 for o in outputs if o.get("output") in ("Failed", False))
    assert verdicts["helpful_or_not"] == (passed, failed)


def test_resuming_appends_without_duplicates(cli: Cli, env: Served, tmp_path: Path) -> None:
    name, ids, calls = run_test_with_calls(env)
    http = httpx2.AsyncClient(transport=FailFor(env, ids[0]))
    first = _export(cli, name, tmp_path, "--concurrency", "1", http_client=http)
    assert first.code == 2
    saved = _sql("SELECT count(DISTINCT execution) FROM {source}", tmp_path)[0][0]
    assert 0 < saved < len(ids)
    # An execution written just before the interruption, but not yet in the commit log.
    committed = sorted((tmp_path / "_staging" / "committed").iterdir())
    committed[-1].unlink()

    second = _export(cli, name, tmp_path, "--concurrency", "1")
    assert second.code == 0, second.err
    assert _sql("SELECT count(*), count(DISTINCT call_id) FROM {source}", tmp_path) == [
        (calls, calls)
    ]
    assert _sql("SELECT count(*) FROM {source}", tmp_path, "executions") == [(len(ids),)]
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".partial")]


def test_run_tests_exported_to_one_directory_are_one_table(
    cli: Cli, env: Served, tmp_path: Path
) -> None:
    first, _, first_calls = run_test_with_calls(env, 0)
    second, _, second_calls = run_test_with_calls(env, 2)
    assert _export(cli, first, tmp_path).code == 0
    assert _export(cli, second, tmp_path).code == 0
    counts = dict(_sql("SELECT run_test, count(*) FROM {source} GROUP BY 1", tmp_path))
    assert counts == {first: first_calls, second: second_calls}
    # --overwrite replaces one run test's partitions and leaves the other's alone.
    assert _export(cli, second, tmp_path, "--overwrite").code == 0
    counts = dict(_sql("SELECT run_test, count(*) FROM {source} GROUP BY 1", tmp_path))
    assert counts == {first: first_calls, second: second_calls}


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("example_parquet_duckdb", EXAMPLE)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_duckdb_example_gives_pass_rates_per_scenario(
    cli: Cli, env: Served, tmp_path: Path
) -> None:
    name, ids, _ = run_test_with_calls(env)
    assert _export(cli, name, tmp_path).code == 0
    rates = _example().pass_rates(tmp_path)
    assert rates
    assert {r.run_test for r in rates} == {name}
    assert {r.executions for r in rates} == {len(ids)}
    # The same numbers from pyarrow, without SQL.
    table = pa_dataset.dataset(tmp_path / "calls", partitioning="hive").to_table()
    judged: dict[tuple[str, str], list[bool]] = {}
    for row in table.select(["scenario", "evals"]).to_pylist():
        for output in row["evals"]:
            if output["passed"] is not None and not output["retired"]:
                judged.setdefault((row["scenario"], output["name"]), []).append(output["passed"])
    assert {(r.scenario, r.eval): r.judged for r in rates} == {k: len(v) for k, v in judged.items()}
    for rate in rates:
        verdicts = judged[rate.scenario, rate.eval]
        assert rate.pass_rate == pytest.approx(100 * sum(verdicts) / len(verdicts), abs=0.05)


def test_retired_is_unknown_when_the_export_is_narrowed_to_some_evals(
    cli: Cli, env: Served, tmp_path: Path
) -> None:
    name, _, _ = run_test_with_calls(env)
    everything, narrowed = tmp_path / "all", tmp_path / "some"
    assert _export(cli, name, everything).code == 0
    assert _export(cli, name, narrowed, "--eval", "helpful_or_not").code == 0
    query = "SELECT DISTINCT e.retired FROM (SELECT unnest(evals) AS e FROM {source})"
    assert _sql(query, everything) == [(False,)]
    assert _sql(query, narrowed) == [(None,)]
    # Pending outputs carry no name; the execution's eval list supplies it.
    unnamed = "SELECT count(*) FROM (SELECT unnest(evals) AS e FROM {source}) WHERE e.name IS NULL"
    assert _sql(unnamed, everything) == [(0,)]
