"""`fake-server`: the built-in fake API on a loopback port, to try the CLI or test against."""

from __future__ import annotations

import argparse
import sys
from functools import partial

import anyio

from ._gate import UsageError

__all__ = ["HELP", "add_parser", "build_fake", "main"]

HELP = "serve the built-in fake API on 127.0.0.1 (dataset size, latency, faults, dialect)"


def add_dataset_options(p: argparse.ArgumentParser, *, executions: int, calls: int) -> None:
    p.add_argument("--seed", type=int, default=0, help="dataset seed (default 0)")
    p.add_argument("--run-tests", type=int, default=4, help="run tests (default 4)")
    p.add_argument(
        "--executions",
        type=int,
        default=executions,
        help=f"executions per run test (default {executions})",
    )
    p.add_argument(
        "--calls", type=int, default=calls, help=f"calls per execution (default {calls})"
    )


def add_parser(p: argparse.ArgumentParser) -> None:
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks one)")
    add_dataset_options(p, executions=3, calls=25)
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to each response")
    p.add_argument("--jitter", type=float, default=0.0, help="random extra latency, seconds")
    p.add_argument("--dialect", choices=["backend", "docs"], default="backend")
    p.add_argument(
        "--fault-rate", type=float, default=0.0, help="share of requests that fail (0-1)"
    )
    p.add_argument(
        "--fault-kinds", default=None, help="comma-separated fault kinds, e.g. 503,429,drop"
    )
    p.set_defaults(main=main)


def build_fake(args: argparse.Namespace, *, latency: float | None = None) -> object:
    """A `FakeAPI` from the dataset options; the import stays lazy (the fake is a test aid)."""
    from ..testing import DatasetSpec, FakeAPI, Faults

    for flag, value in (("--run-tests", args.run_tests), ("--executions", args.executions)):
        if value < 1:
            raise UsageError(f"{flag} must be at least 1")
    if args.calls < 0:
        raise UsageError("--calls must be 0 or more")
    spec = DatasetSpec(
        seed=args.seed,
        run_tests=args.run_tests,
        executions_per_run_test=args.executions,
        calls_per_execution=args.calls,
    )
    faults = Faults()
    kinds = getattr(args, "fault_kinds", None)
    rate = getattr(args, "fault_rate", 0.0)
    if rate or kinds:
        if not 0 <= rate <= 1:
            raise UsageError("--fault-rate must be between 0 and 1")
        try:
            faults = Faults(rate=rate, seed=args.seed)
            if kinds:
                faults = Faults(rate=rate, seed=args.seed, kinds=tuple(kinds.split(",")))
        except ValueError as exc:
            raise UsageError(f"--fault-kinds: {exc}") from None
    return FakeAPI(
        spec,
        dialect=getattr(args, "dialect", "backend"),
        latency=args.latency if latency is None else latency,
        jitter=getattr(args, "jitter", 0.0),
        faults=faults,
    )


async def _serve(args: argparse.Namespace) -> int:
    from ..testing import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI

    fake = build_fake(args)
    assert isinstance(fake, FakeAPI)
    async with fake.serve(port=args.port) as base_url:
        lines = [
            f"fake Future AGI API on {base_url} (Ctrl-C to stop)",
            f"  export FI_BASE_URL={base_url}",
            f"  export FI_API_KEY={TEST_API_KEY}",  # the fake's public test keys, not secrets
            f"  export FI_SECRET_KEY={TEST_SECRET_KEY}",
            "run tests:",
            *(
                f"  {r.name!r}  id={r.id}  executions={len(fake.dataset.executions_of(r.id))}"
                for r in fake.dataset.run_tests
            ),
        ]
        print("\n".join(lines), flush=True)
        await anyio.sleep_forever()
    return 0


def main(args: argparse.Namespace) -> int:
    try:
        return anyio.run(partial(_serve, args))
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return 0
