"""`futureagi-async`: the parser, the dispatch, and the one place errors become exit codes.

Exit codes: 0 success, 1 a gate threshold failed, 2 a usage, configuration or API error,
130 interrupted. Errors are one line on stderr; `--debug` shows the traceback. Credentials
are read from flags or the environment and never printed: error messages come from the
library, which builds them from responses only.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any

import anyio
import httpx2

from .._client import AsyncClient
from .._errors import FutureAGIError
from .._version import __version__
from ._gate import UsageError
from ._output import Output

__all__ = ["build_parser", "main"]

Command = Callable[[AsyncClient, argparse.Namespace, Output], Awaitable[int]]


def _common(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Options every command takes, accepted before or after the command name.

    They default to SUPPRESS so a subcommand's parser cannot overwrite a value the top-level
    parser already read.
    """
    default = None if top else argparse.SUPPRESS
    group = parser.add_argument_group("connection")
    group.add_argument(
        "--api-key", default=default, help="API key (default: $FI_API_KEY); never printed"
    )
    group.add_argument(
        "--secret-key", default=default, help="secret key (default: $FI_SECRET_KEY); never printed"
    )
    group.add_argument(
        "--base-url", default=default, help="API base URL (default: $FI_BASE_URL or production)"
    )
    group.add_argument(
        "--max-concurrency",
        type=int,
        default=default,
        help="requests in flight at most, client-wide (default 32)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="show tracebacks",
    )


def _formats(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--json", dest="fmt", action="store_const", const="json", help="one JSON document"
    )
    group.add_argument(
        "--jsonl", dest="fmt", action="store_const", const="jsonl", help="one JSON object a line"
    )
    parser.set_defaults(fmt="table")


def _limit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--limit", type=int, default=None, help="stop after N items")


def build_parser() -> argparse.ArgumentParser:
    from . import _demo, _exporting, _fake_server, _gating, _reads

    parser = argparse.ArgumentParser(
        prog="futureagi-async",
        description="Read, export and gate on Future AGI simulation results.",
        epilog="`futureagi-async demo` tries everything offline against the built-in fake.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _common(parser, top=True)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(
        sub: Any, name: str, help: str, run: Command | None, *, fmt: bool = True
    ) -> argparse.ArgumentParser:
        p: argparse.ArgumentParser = sub.add_parser(name, help=help, description=help)
        _common(p, top=False)
        if fmt:
            _formats(p)
        p.set_defaults(run=run)
        return p

    run_tests = commands.add_parser("run-tests", help="run tests (list, get)")
    rt = run_tests.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = command(rt, "list", "list run tests, newest first", _reads.run_tests_list)
    p.add_argument("--search", help="match the name or the agent's name")
    p.add_argument("--type", choices=["agent_definition", "prompt"], help="simulation type")
    _limit(p)
    p = command(rt, "get", "one run test with its scenarios and evals", _reads.run_tests_get)
    p.add_argument("id", metavar="RUN_TEST_ID")

    calls = commands.add_parser("calls", help="calls across every execution of a run test")
    cl = calls.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = command(cl, "list", "every call of a run test, newest activity first", _reads.calls_list)
    p.add_argument("run_test_id", metavar="RUN_TEST_ID")
    p.add_argument("--search", help="match the scenario or call fields")
    p.add_argument("--status", help="exact call status, e.g. completed")
    _limit(p)

    executions = commands.add_parser("executions", help="one execution's call grid")
    ex = executions.add_subparsers(dest="action", metavar="ACTION", required=True)
    p = command(ex, "calls", "every call of one test execution", _reads.executions_calls)
    p.add_argument("id", metavar="TEST_EXECUTION_ID")
    p.add_argument("--search", help="free-text search")
    p.add_argument(
        "--filter",
        action="append",
        metavar="FILTER",
        help="COLUMN=VALUE (text equals) or one filter as JSON; repeatable",
    )
    _limit(p)

    p = command(
        commands,
        "runs",
        "SDK run records: `runs NAME` (one row per execution with its pass rates) "
        "or `runs call CALL_EXECUTION_ID`",
        _reads.runs,
    )
    p.add_argument("target", nargs="+", metavar="NAME | call ID")
    p.add_argument("--eval", action="append", metavar="NAME", help="only this eval; repeatable")
    _limit(p)

    _exporting.add_parser(command(commands, "export", _exporting.HELP, _exporting.run, fmt=False))
    _gating.add_parser(command(commands, "gate", _gating.HELP, _gating.run, fmt=False))
    _fake_server.add_parser(command(commands, "fake-server", _fake_server.HELP, None, fmt=False))
    _demo.add_parser(command(commands, "demo", _demo.HELP, None, fmt=False))
    return parser


def _make_client(args: argparse.Namespace, http_client: httpx2.AsyncClient | None) -> AsyncClient:
    return AsyncClient(
        args.api_key or None,
        args.secret_key or None,
        base_url=args.base_url or None,
        max_concurrency=args.max_concurrency,
        http_client=http_client,
    )


async def _run_command(
    run: Command, args: argparse.Namespace, http_client: httpx2.AsyncClient | None
) -> int:
    async with _make_client(args, http_client) as client:
        return await run(client, args, Output(args.fmt if hasattr(args, "fmt") else "table"))


def _leaf(exc: BaseException) -> BaseException:
    """The one real error inside nested task-group groups, for a one-line message."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]
    return exc


def _error_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    name = type(exc).__name__
    return f"error: {text[0] if text else name}" + (
        "" if isinstance(exc, UsageError | FutureAGIError) else f" ({name})"
    )


def main(
    argv: Sequence[str] | None = None, *, http_client: httpx2.AsyncClient | None = None
) -> int:
    """Run the command line; returns the exit code (the console script exits with it).

    `http_client` lets tests and embedders route every request through their own
    `httpx2.AsyncClient` (an ASGI transport, say); the CLI never closes it.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    args.fmt = getattr(args, "fmt", "table")
    for name in ("api_key", "secret_key", "base_url", "max_concurrency"):
        setattr(args, name, getattr(args, name, None))
    debug = bool(getattr(args, "debug", False)) or bool(os.environ.get("FUTUREAGI_DEBUG"))
    try:
        if args.run is not None:
            return anyio.run(partial(_run_command, args.run, args, http_client))
        return int(args.main(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BaseException as raw:
        exc = _leaf(raw)
        if isinstance(exc, KeyboardInterrupt):
            print("interrupted", file=sys.stderr)
            return 130
        if isinstance(exc, SystemExit | GeneratorExit) or not isinstance(exc, Exception):
            raise
        if debug:
            traceback.print_exception(raw)
        known = isinstance(exc, UsageError | FutureAGIError | ValueError | OSError)
        print(_error_line(exc), file=sys.stderr)
        if not known and not debug:
            print("(this looks like a bug; rerun with --debug for the traceback)", file=sys.stderr)
        return 2
