"""`futureagi-async`: the parser, the dispatch, and the one place errors become exit codes.

Exit codes: 0 success, 1 a gate threshold failed, 2 a usage, configuration or API error,
130 interrupted (Ctrl-C), 143 terminated (SIGTERM), each said in one word on stderr. A
reader that stops early (`... | head -1`) ends the command quietly with 0, whatever the
format: whether writing notices the closed pipe depends on how much was still unwritten
when it closed, so no other code could be given consistently.
Errors are one line on stderr; `--debug` shows the traceback. Credentials are read from
flags or the environment and never printed: error messages come from the library, which
builds them from responses only.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import signal
import sys
import traceback
from collections.abc import Sequence
from functools import partial

import anyio
import httpx2

from .._client import AsyncClient
from .._config import ENV_API_KEY, ENV_SECRET_KEY
from .._errors import ConfigurationError, FutureAGIError
from .._version import __version__
from ._arguments import Command, add_top_level
from ._errors import UsageError
from ._output import Output

__all__ = ["build_parser", "main"]

#: A reader that went away (`| head -1`): not an error, and the same for every format.
EXIT_BROKEN_PIPE = 0
#: What a shell reports for a process ended by SIGTERM (128 + 15).
EXIT_TERMINATED = 143


def build_parser() -> argparse.ArgumentParser:
    from .commands import ALL

    parser = argparse.ArgumentParser(
        prog="futureagi-async",
        description="Read, export and gate on Future AGI simulation results.",
        epilog="`futureagi-async demo` tries everything offline against the built-in fake.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    add_top_level(parser)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for command in ALL:
        command.register(commands)
    return parser


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse; a mistake is reported with the usage of the command it was made in."""
    parser = build_parser()
    args, extras = parser.parse_known_args(argv)
    leaf: argparse.ArgumentParser = getattr(args, "command_parser", parser)
    if extras:
        leaf.error(f"unrecognized arguments: {' '.join(extras)}")
    check = getattr(args, "check", None)
    problem = check(args) if check is not None else None
    if problem:
        leaf.error(problem)
    return args


#: The library's argument names, as the command line spells them.
_FLAGS = {
    "api_key": "--api-key",
    "secret_key": "--secret-key",
    "base_url": "--base-url",
    "max_concurrency": "--max-concurrency",
}


def _for_the_command_line(exc: ConfigurationError, args: argparse.Namespace) -> UsageError:
    """The library names its Python arguments; a command line user needs the flags."""
    missing = [
        f"{flag} (or set {env})"
        for flag, value, env in (
            ("--api-key", args.api_key, ENV_API_KEY),
            ("--secret-key", args.secret_key, ENV_SECRET_KEY),
        )
        if not (value or os.environ.get(env))
    ]
    if missing:
        return UsageError(
            "missing credentials: pass "
            + " and ".join(missing)
            + "; the keys are in the Future AGI dashboard under Settings"
        )
    names = "|".join(_FLAGS)
    return UsageError(re.sub(rf"\b({names})\b", lambda m: _FLAGS[m.group(1)], str(exc)))


def _make_client(args: argparse.Namespace, http_client: httpx2.AsyncClient | None) -> AsyncClient:
    try:
        return AsyncClient(
            args.api_key or None,
            args.secret_key or None,
            base_url=args.base_url or None,
            max_concurrency=args.max_concurrency,
            http_client=http_client,
        )
    except ConfigurationError as exc:
        raise _for_the_command_line(exc, args) from exc


class Terminated(Exception):
    """SIGTERM arrived: the command was cancelled (an export says what it saved first)."""


async def _cancel_on_sigterm(scope: anyio.CancelScope, terminated: list[bool]) -> None:
    try:
        receiver = anyio.open_signal_receiver(signal.SIGTERM)
    except (AttributeError, NotImplementedError):  # no SIGTERM to receive (Windows)
        return
    with receiver as signals:
        async for _ in signals:
            terminated.append(True)
            scope.cancel()
            return


async def _run_command(
    run: Command, args: argparse.Namespace, http_client: httpx2.AsyncClient | None
) -> int:
    terminated: list[bool] = []
    code = 0
    async with _make_client(args, http_client) as client, anyio.create_task_group() as tasks:
        tasks.start_soon(_cancel_on_sigterm, tasks.cancel_scope, terminated)
        code = await run(client, args, Output(args.fmt, wide=getattr(args, "wide", False)))
        tasks.cancel_scope.cancel()
    if terminated:
        raise Terminated
    return code


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


def _quiet_stdout() -> None:
    """The reader went away: send what is still buffered nowhere, so exit stays silent."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (an embedding, a test)
        pass


def _writable_streams() -> None:
    """Text the API sent can hold a lone surrogate (a message cut mid-emoji), which UTF-8
    cannot encode: print it as `\\ud83d` rather than fail on it (JSON output escapes it
    itself)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(OSError, ValueError):  # a stream that cannot change
                reconfigure(errors="backslashreplace")


def _dispatch(args: argparse.Namespace, http_client: httpx2.AsyncClient | None) -> int:
    if args.run is not None:
        code = anyio.run(partial(_run_command, args.run, args, http_client))
    else:
        code = int(args.main(args))
    sys.stdout.flush()  # here, so a closed pipe is seen now and not at interpreter exit
    return code


def main(
    argv: Sequence[str] | None = None, *, http_client: httpx2.AsyncClient | None = None
) -> int:
    """Run the command line; returns the exit code (the console script exits with it).

    `http_client` lets tests and embedders route every request through their own
    `httpx2.AsyncClient` (an ASGI transport, say); the CLI never closes it.
    """
    _writable_streams()
    try:
        args = _parse(argv)
    except SystemExit as exit_:
        return exit_.code if isinstance(exit_.code, int) else 2
    args.fmt = getattr(args, "fmt", "table")
    for name in ("api_key", "secret_key", "base_url", "max_concurrency"):
        setattr(args, name, getattr(args, name, None))
    debug = bool(getattr(args, "debug", False)) or bool(os.environ.get("FUTUREAGI_DEBUG"))
    try:
        return _dispatch(args, http_client)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BaseException as raw:
        exc = _leaf(raw)
        if isinstance(exc, KeyboardInterrupt):
            print("interrupted", file=sys.stderr)
            return 130
        if isinstance(exc, Terminated):
            print("terminated", file=sys.stderr)
            return EXIT_TERMINATED
        if isinstance(exc, BrokenPipeError):
            _quiet_stdout()
            return EXIT_BROKEN_PIPE
        if isinstance(exc, SystemExit | GeneratorExit) or not isinstance(exc, Exception):
            raise
        if debug:
            traceback.print_exception(raw)
        known = isinstance(exc, UsageError | FutureAGIError | ValueError | OSError)
        print(_error_line(exc), file=sys.stderr)
        if not known and not debug:
            print("(this looks like a bug; rerun with --debug for the traceback)", file=sys.stderr)
        return 2
