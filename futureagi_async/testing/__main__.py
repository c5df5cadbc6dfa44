"""`python -m futureagi_async.testing --port N`: the fake on a loopback port, for benchmarks."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._fake import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI
from ._faults import Faults
from ._records import DatasetSpec
from ._types import ALL_KINDS, DEFAULT_KINDS, DIALECTS

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m futureagi_async.testing", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    p.add_argument("--dialect", choices=DIALECTS, default="backend")
    p.add_argument("--api-key", default=TEST_API_KEY)
    p.add_argument("--secret-key", default=TEST_SECRET_KEY)
    p.add_argument("--latency", type=float, default=0.0, help="seconds added to every reply")
    p.add_argument("--jitter", type=float, default=0.0, help="up to this many seconds more")
    p.add_argument("--link-scheme", default="http")
    p.add_argument("--fault-rate", type=float, default=0.0)
    p.add_argument("--fault-seed", type=int, default=0)
    p.add_argument("--fault-kinds", default=",".join(DEFAULT_KINDS), help=",".join(ALL_KINDS))
    p.add_argument("--retry-after", type=int, default=1)
    spec = DatasetSpec()
    p.add_argument("--seed", type=int, default=spec.seed)
    p.add_argument("--run-tests", type=int, default=spec.run_tests)
    p.add_argument("--executions-per-run-test", type=int, default=spec.executions_per_run_test)
    p.add_argument("--calls-per-execution", type=int, default=spec.calls_per_execution)
    p.add_argument("--transcript-turns", type=int, default=spec.transcript_turns)
    p.add_argument("--eval-configs", type=int, default=spec.eval_configs)
    p.add_argument("--chat-ratio", type=float, default=spec.chat_ratio)
    p.add_argument("--snapshot-ratio", type=float, default=spec.snapshot_ratio)
    p.add_argument("--deleted-ratio", type=float, default=spec.deleted_ratio)
    p.add_argument("--log-level", default="warning")
    return p


def build(args: argparse.Namespace) -> FakeAPI:
    spec = DatasetSpec(
        seed=args.seed,
        run_tests=args.run_tests,
        executions_per_run_test=args.executions_per_run_test,
        calls_per_execution=args.calls_per_execution,
        transcript_turns=args.transcript_turns,
        eval_configs=args.eval_configs,
        chat_ratio=args.chat_ratio,
        snapshot_ratio=args.snapshot_ratio,
        deleted_ratio=args.deleted_ratio,
    )
    faults = Faults(
        rate=args.fault_rate,
        seed=args.fault_seed,
        kinds=tuple(k for k in args.fault_kinds.split(",") if k),
        retry_after=args.retry_after,
    )
    return FakeAPI(
        spec,
        dialect=args.dialect,
        api_key=args.api_key,
        secret_key=args.secret_key,
        latency=args.latency,
        jitter=args.jitter,
        faults=faults,
        link_scheme=args.link_scheme,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """Serve in the foreground until interrupted; prints the base URL once listening."""
    import uvicorn

    from ._server import bind

    args = _parser().parse_args(argv)
    fake = build(args)
    sock = bind(args.host, args.port)
    config = uvicorn.Config(
        fake.app,
        loop="asyncio",
        http="httptools",
        lifespan="off",
        log_level=args.log_level,
        access_log=False,
        timeout_keep_alive=30,
    )
    server = uvicorn.Server(config)
    print(f"http://{args.host}:{sock.getsockname()[1]}", flush=True)
    server.run(sockets=[sock])
    sys.exit(0)


if __name__ == "__main__":
    main()
