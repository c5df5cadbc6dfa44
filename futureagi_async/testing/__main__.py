"""`python -m futureagi_async.testing`: the fake API on a loopback port.

`futureagi-async fake-server` is the same command: both build their parser with
`add_arguments` and run `serve`, so the flags, their checks and the output are one. The
first line printed is the base URL alone (scripts read it); the rest is shell you can paste,
with the keys this fake really accepts.
"""

from __future__ import annotations

import argparse
import math
import shlex
import sys
from collections.abc import Callable, Sequence

from ._fake import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI
from ._faults import Faults
from ._records import DatasetSpec
from ._types import ALL_KINDS, DEFAULT_KINDS, DIALECTS

__all__ = [
    "add_arguments",
    "add_dataset_arguments",
    "build_fake",
    "main",
    "serve",
    "whole_number",
]

_SPEC = DatasetSpec()


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= `minimum` (the CLI's too)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    parse.__name__ = "number"
    return parse


def _real(minimum: float, maximum: float = math.inf) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not (minimum <= value <= maximum and math.isfinite(value)):
            bound = f"from {minimum:g} to {maximum:g}" if maximum < math.inf else f">= {minimum:g}"
            raise argparse.ArgumentTypeError(f"must be {bound}, got {text}")
        return value

    parse.__name__ = "number"
    return parse


def _kinds(text: str) -> tuple[str, ...]:
    kinds = tuple(k.strip() for k in text.split(",") if k.strip())
    unknown = [k for k in kinds if k not in ALL_KINDS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown fault kind(s) {', '.join(unknown)}; known: {', '.join(ALL_KINDS)}"
        )
    return kinds


def add_dataset_arguments(
    p: argparse.ArgumentParser,
    *,
    run_tests: int = _SPEC.run_tests,
    executions_per_run_test: int = _SPEC.executions_per_run_test,
    calls_per_execution: int = _SPEC.calls_per_execution,
    latency: float = 0.0,
) -> None:
    """What the fake serves and how: the dataset, latency, faults and dialect.

    `demo` takes these too, with defaults of its own.
    """
    data = p.add_argument_group("dataset")
    data.add_argument(
        "--seed", type=int, default=_SPEC.seed, metavar="N", help="dataset seed (default 0)"
    )
    for flag, minimum, default in (
        ("--run-tests", 1, run_tests),
        ("--executions-per-run-test", 1, executions_per_run_test),
        ("--calls-per-execution", 0, calls_per_execution),
        ("--transcript-turns", 0, _SPEC.transcript_turns),
        ("--eval-configs", 1, _SPEC.eval_configs),
    ):
        data.add_argument(
            flag,
            type=whole_number(minimum),
            default=default,
            metavar="N",
            help=f"default {default}",
        )
    for name in ("chat_ratio", "snapshot_ratio", "deleted_ratio"):
        data.add_argument(
            f"--{name.replace('_', '-')}",
            type=_real(0, 1),
            default=getattr(_SPEC, name),
            metavar="SHARE",
            help=f"0 to 1 (default {getattr(_SPEC, name):g})",
        )
    behaviour = p.add_argument_group("behaviour")
    behaviour.add_argument(
        "--latency",
        type=_real(0),
        default=latency,
        metavar="SECONDS",
        help=f"seconds added to every response (default {latency:g})",
    )
    behaviour.add_argument(
        "--jitter",
        type=_real(0),
        default=0.0,
        metavar="SECONDS",
        help="up to this many seconds more (default 0)",
    )
    behaviour.add_argument(
        "--dialect",
        choices=DIALECTS,
        default="backend",
        help="backend: as the real backend answers; docs: the published shapes",
    )
    behaviour.add_argument(
        "--fault-rate",
        type=_real(0, 1),
        default=0.0,
        metavar="SHARE",
        help="share of requests that fail, 0 to 1 (default 0)",
    )
    behaviour.add_argument("--fault-seed", type=int, default=0, metavar="N")
    behaviour.add_argument(
        "--fault-kinds",
        type=_kinds,
        default=DEFAULT_KINDS,
        metavar="KINDS",
        help=f"comma-separated, from {','.join(ALL_KINDS)} (default {','.join(DEFAULT_KINDS)})",
    )
    behaviour.add_argument(
        "--retry-after",
        type=whole_number(0),
        default=1,
        metavar="SECONDS",
        help="seconds a 429 asks for (default 1)",
    )
    behaviour.add_argument(
        "--rate-limit",
        type=whole_number(1),
        default=None,
        metavar="N",
        help="answer 429 past N requests per window, as the backend does (default: no limit)",
    )
    behaviour.add_argument(
        "--rate-window",
        type=_real(0.001),
        default=60.0,
        metavar="SECONDS",
        help="the rate limit's fixed window, aligned to the clock (default 60)",
    )


def add_arguments(p: argparse.ArgumentParser) -> None:
    """The whole `fake-server` command line."""
    add_dataset_arguments(p)
    server = p.add_argument_group("server")
    server.add_argument("--host", default="127.0.0.1", help="default 127.0.0.1")
    server.add_argument(
        "--port",
        type=whole_number(0),
        default=8765,
        metavar="N",
        help="default 8765; 0 picks a free port",
    )
    # SUPPRESS: under `futureagi-async`, a top-level --api-key must not be overwritten.
    server.add_argument(
        "--api-key",
        default=argparse.SUPPRESS,
        help=f"the API key the fake accepts (default {TEST_API_KEY})",
    )
    server.add_argument(
        "--secret-key",
        default=argparse.SUPPRESS,
        help=f"the secret key the fake accepts (default {TEST_SECRET_KEY})",
    )
    server.add_argument("--link-scheme", choices=("http", "https"), default="http")
    server.add_argument("--log-level", default="warning", help="uvicorn's (default warning)")
    live = p.add_argument_group("live executions")
    live.add_argument(
        "--live",
        action="store_true",
        help="start a new execution every so often, running in real time (to watch one)",
    )
    live.add_argument(
        "--live-every",
        type=_real(0.1),
        default=120.0,
        metavar="SECONDS",
        help="seconds between two executions' starts (default 120)",
    )
    live.add_argument(
        "--live-seconds",
        type=_real(0.1),
        default=90.0,
        metavar="SECONDS",
        help="how long each execution runs (default 90)",
    )
    live.add_argument(
        "--live-calls",
        type=whole_number(0),
        default=40,
        metavar="N",
        help="calls per execution (default 40)",
    )
    live.add_argument(
        "--live-run-test",
        metavar="NAME",
        help="the run test that runs (default the first: 'Billing bot nightly')",
    )


def build_fake(args: argparse.Namespace) -> FakeAPI:
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
        kinds=args.fault_kinds,
        retry_after=args.retry_after,
    )
    fake = FakeAPI(
        spec,
        dialect=args.dialect,
        api_key=getattr(args, "api_key", None) or TEST_API_KEY,
        secret_key=getattr(args, "secret_key", None) or TEST_SECRET_KEY,
        latency=args.latency,
        jitter=args.jitter,
        faults=faults,
        link_scheme=getattr(args, "link_scheme", "http"),
        rate_limit=getattr(args, "rate_limit", None),
        rate_window=getattr(args, "rate_window", 60.0),
    )
    if getattr(args, "live", False):
        name = args.live_run_test or fake.dataset.run_tests[0].name
        if all(r.name != name for r in fake.dataset.run_tests):
            raise SystemExit(f"--live-run-test: the fake has no run test {name!r}")
        fake.dataset.run_every(
            name, args.live_every, calls=args.live_calls, seconds=args.live_seconds
        )
    return fake


def _banner(fake: FakeAPI, base_url: str, args: argparse.Namespace) -> str:
    lines = [
        base_url,
        "# the fake Future AGI API (Ctrl-C to stop); to point the CLI or the library at it:",
        f"export FI_BASE_URL={shlex.quote(base_url)}",
        f"export FI_API_KEY={shlex.quote(fake.api_key)}",
        f"export FI_SECRET_KEY={shlex.quote(fake.secret_key)}",
        "# run tests:",
        *(
            f"#   {r.name!r}  id={r.id}  executions={len(fake.dataset.executions_of(r.id))}"
            for r in fake.dataset.run_tests
        ),
    ]
    if getattr(args, "live", False):
        name = args.live_run_test or fake.dataset.run_tests[0].name
        lines += [
            f"# live: an execution of {name!r} starts every {args.live_every:g}s and runs "
            f"{args.live_seconds:g}s; follow the latest with:",
            f"#   futureagi-async watch {shlex.quote(name)}",
        ]
    return "\n".join(lines)


def serve(args: argparse.Namespace) -> int:
    """Serve in the foreground until interrupted; prints the banner once listening."""
    import uvicorn

    from ._server import bind

    fake = build_fake(args)
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
    print(_banner(fake, f"http://{args.host}:{sock.getsockname()[1]}", args), flush=True)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m futureagi_async.testing",
        description="Serve the fake Future AGI API on a loopback port.",
    )
    add_arguments(parser)
    sys.exit(serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
