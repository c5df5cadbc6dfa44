"""How often the gate cries wolf, and how often it catches a real drop: `nox -s gate-calibration`.

On the fake's live executions (`FakeAPI.run_execution`, driven to their end by a clock this
script controls, so nothing sleeps): for each size, `--pairs` A/A pairs (two executions at
the same pass rate, independent draws) and as many pairs whose candidate is `--drop` points
worse (each against the A/A pair's first execution). Every execution is fetched through the
in-process fake, read with `outcomes_from` and compared with `compare_outcomes`, the same
code as `gate --baseline`. Prints a Markdown table: the false-alarm rate (A/A pairs called a
regression, which must stay at or below alpha) and the power (dropped pairs called one).

    python -m tests.gate.calibration [--pairs 1000] [--sizes 100,200,500] [--rate 0.8]
        [--drop 15] [--alpha 0.05] [--tolerance 10]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Sequence

import anyio
import attrs
import scipy.stats

from futureagi_async.gate import (
    PASS_FAIL,
    REGRESSION,
    Comparison,
    ExecutionOutcomes,
    compare_outcomes,
    outcomes_from,
)
from futureagi_async.testing import DatasetSpec, FakeAPI

#: Executions per fake: a fresh fake every few keeps its dataset, and so each request, small.
_PER_FAKE = 40
_FINISHED = 1e9  # seconds: long after any execution's end


@attrs.define
class _Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


async def _executions(size: int, rates: Sequence[float], seed: int) -> list[ExecutionOutcomes]:
    """One finished execution of `size` calls per rate, fetched through the fake."""
    found: list[ExecutionOutcomes] = []
    for start in range(0, len(rates), _PER_FAKE):
        clock = _Clock()
        spec = DatasetSpec(seed=seed, run_tests=1, executions_per_run_test=1, calls_per_execution=1)
        fake = FakeAPI(spec, clock=clock)
        name = fake.dataset.run_tests[0].name
        ids = [
            fake.run_execution(
                name, calls=size, seconds=60.0, pass_rate=rate, seed=seed * 1_000_003 + start + i
            )
            for i, rate in enumerate(rates[start : start + _PER_FAKE])
        ]
        clock.now = _FINISHED
        async with fake.client() as client:
            for execution_id in ids:
                # The SDK's call listing in pages of 500: the same outcomes as the grid that
                # `fetch_outcomes` reads (minus latency, unused here), at a quarter of its cost.
                execution = await client.simulation.execution(execution_id)
                calls = client.simulation.execution_calls(execution_id, page_size=500)
                listed = [call async for call in calls]
                found.append(outcomes_from(execution, listed, run_test_name=name))
    return found


@attrs.frozen
class _Row:
    size: int
    pairs: int
    #: A/A pairs the gate called a regression (any eval), and its Pass/Fail eval alone.
    false_alarms: int
    pass_fail_false_alarms: int
    #: Dropped pairs the gate called a regression, and its Pass/Fail eval alone.
    caught: int
    pass_fail_caught: int
    aa_verdicts: Counter[str]


async def _measure(
    size: int, pairs: int, rate: float, drop: float, alpha: float, tolerance: float
) -> _Row:
    rates = [rate] * (2 * pairs) + [rate - drop / 100] * pairs
    executions = await _executions(size, rates, seed=size)
    same, other, dropped = (
        executions[:pairs],
        executions[pairs : 2 * pairs],
        executions[2 * pairs :],
    )

    def compare(a: ExecutionOutcomes, b: ExecutionOutcomes) -> Comparison:
        return compare_outcomes(a, b, alpha=alpha, tolerance=tolerance)

    aa = [compare(a, b) for a, b in zip(same, other, strict=True)]
    ab = [compare(a, b) for a, b in zip(same, dropped, strict=True)]

    def pass_fail_regressed(comparison: Comparison) -> bool:
        return any(e.kind == PASS_FAIL and e.verdict == REGRESSION for e in comparison.evals)

    return _Row(
        size,
        pairs,
        sum(c.verdict == REGRESSION for c in aa),
        sum(map(pass_fail_regressed, aa)),
        sum(c.verdict == REGRESSION for c in ab),
        sum(map(pass_fail_regressed, ab)),
        Counter(c.verdict for c in aa),
    )


def _share(count: int, total: int) -> str:
    ci = scipy.stats.binomtest(count, total).proportion_ci(method="wilson")
    return f"{count / total:.1%} ({ci.low:.1%}-{ci.high:.1%})"


def _table(rows: Sequence[_Row], *, rate: float, drop: float, alpha: float) -> str:
    lines = [
        f"| calls per execution | A/A: gate says regression (alpha {alpha:g}) | "
        "A/A: pass rate says regression | "
        f"{drop:g}-point drop ({rate:.0%} -> {rate - drop / 100:.0%}): pass rate catches it | "
        "drop: gate catches it | A/A verdicts |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        spread = ", ".join(f"{name} {count}" for name, count in sorted(row.aa_verdicts.items()))
        lines.append(
            f"| {row.size} | {_share(row.false_alarms, row.pairs)} | "
            f"{_share(row.pass_fail_false_alarms, row.pairs)} | "
            f"{_share(row.pass_fail_caught, row.pairs)} | {_share(row.caught, row.pairs)} | "
            f"{spread} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pairs", type=int, default=1000)
    parser.add_argument("--sizes", default="100,200,500")
    parser.add_argument("--rate", type=float, default=0.8, help="the baseline pass rate, 0-1")
    parser.add_argument("--drop", type=float, default=15.0, help="points")
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--tolerance", type=float, default=10.0, help="points")
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",")]
    started = time.perf_counter()
    rows = [
        anyio.run(_measure, size, args.pairs, args.rate, args.drop, args.alpha, args.tolerance)
        for size in sizes
    ]
    print(_table(rows, rate=args.rate, drop=args.drop, alpha=args.alpha))
    print(
        f"\n{args.pairs} pairs per size, tolerance {args.tolerance:g} points, "
        f"{time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    too_many = [row.size for row in rows if row.false_alarms / row.pairs > args.alpha]
    if too_many:
        print(f"false-alarm rate above alpha at {too_many} calls", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
