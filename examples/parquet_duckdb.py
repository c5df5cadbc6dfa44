"""Query an exported Parquet dataset with DuckDB: pass rates per scenario across executions.

`futureagi-async export NAME --format parquet` writes a hive-partitioned dataset
(`calls/run_test=<name>/execution=<id>/part-0.parquet`); DuckDB reads every part as one
table, with `run_test` and `execution` taken from the paths. Export more run tests into the
same directory and the same query covers them all.

    futureagi-async export "My run test" -o out --format parquet
    python examples/parquet_duckdb.py out

    python examples/parquet_duckdb.py          # exports from the built-in fake first

Needs `pip install "futureagi-async[cli,parquet]" duckdb`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import attrs

#: Partition values are text: without this DuckDB would guess a type from the values.
_HIVE_TYPES = "{'run_test': VARCHAR, 'execution': VARCHAR}"

PASS_RATES = f"""
SELECT run_test,
       scenario,
       e.name AS eval,
       count(DISTINCT execution) AS executions,
       count(*) AS judged,
       round(100 * avg(e.passed::INTEGER), 1) AS pass_rate
FROM (
    SELECT run_test, execution, scenario, unnest(evals) AS e
    FROM read_parquet($calls, hive_partitioning = true, hive_types = {_HIVE_TYPES})
)
WHERE e.passed IS NOT NULL AND NOT e.retired
GROUP BY ALL
ORDER BY run_test, pass_rate, scenario, eval
"""


@attrs.frozen
class PassRate:
    run_test: str
    scenario: str
    eval: str
    executions: int
    judged: int
    pass_rate: float


def pass_rates(directory: Path) -> list[PassRate]:
    """Pass/Fail verdicts per scenario and eval, over every exported execution."""
    import duckdb

    calls = str(directory / "calls" / "**" / "*.parquet")
    with duckdb.connect() as db:
        rows = db.execute(PASS_RATES, {"calls": calls}).fetchall()
    return [PassRate(*row) for row in rows]


def _export_from_the_fake(directory: Path) -> None:
    from futureagi_async.cli import main as cli
    from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI

    fake = FakeAPI()
    keys = ["--api-key", TEST_API_KEY, "--secret-key", TEST_SECRET_KEY]
    for run_test in fake.dataset.run_tests[:2]:
        argv = ["export", run_test.name, "-o", str(directory), "--format", "parquet"]
        code = cli([*argv, *keys, "--base-url", "http://127.0.0.1"], http_client=fake.client())
        if code:
            raise SystemExit(code)


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(argv[0]) if argv else Path(tmp)
        if not argv:
            _export_from_the_fake(directory)
        rates = pass_rates(directory)
    width = max((len(r.scenario) for r in rates), default=0)
    run_test = None
    for rate in rates:
        if rate.run_test != run_test:
            run_test = rate.run_test
            print(f"\n{run_test}")
        print(
            f"  {rate.scenario:<{width}}  {rate.eval:<16} {rate.pass_rate:5.1f}%  "
            f"({rate.judged} verdicts over {rate.executions} executions)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
