"""Building blocks of the parser: option groups every command shares, and checked numbers.

Numbers are checked while parsing, so a bad one is reported by argparse with the usage of
the command it belongs to, exactly like a missing argument.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._client import AsyncClient
    from ._output import Output

__all__ = [
    "Command",
    "Subcommands",
    "add_command",
    "add_connection",
    "add_group",
    "add_limit",
    "add_top_level",
    "at_least",
    "seconds",
]

Command = Callable[["AsyncClient", argparse.Namespace, "Output"], Awaitable[int]]
Subcommands = Any  # argparse's _SubParsersAction, which is private


def at_least(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= `minimum` (one definition, the fake's)."""
    from ..testing.__main__ import whole_number

    return whole_number(minimum)


def seconds(*, zero: bool) -> Callable[[str], float]:
    """An argparse type: a finite number of seconds, above 0 (or from 0 with `zero`)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        low_ok = value >= 0 if zero else value > 0
        if not low_ok or not math.isfinite(value):
            bound = "0 or more" if zero else "more than 0"
            raise argparse.ArgumentTypeError(f"must be {bound} seconds, got {text}")
        return value

    parse.__name__ = "seconds"
    return parse


def add_connection(parser: argparse.ArgumentParser, *, top: bool) -> None:
    """Options every API command takes, accepted before or after the command name.

    Below the top level they default to SUPPRESS, so a subcommand's parser cannot overwrite
    a value the top-level parser already read.
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
        type=at_least(1),
        default=default,
        help="requests in flight at most, client-wide (default 32)",
    )


def _debug(parser: argparse.ArgumentParser, *, top: bool) -> None:
    parser.add_argument(
        "--debug",
        action="store_true",
        default=False if top else argparse.SUPPRESS,
        help="show tracebacks",
    )


def add_top_level(parser: argparse.ArgumentParser) -> None:
    add_connection(parser, top=True)
    _debug(parser, top=True)


def _formats(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--json", dest="fmt", action="store_const", const="json", help="one JSON document"
    )
    group.add_argument(
        "--jsonl", dest="fmt", action="store_const", const="jsonl", help="one JSON object a line"
    )
    parser.set_defaults(fmt="table")


def add_limit(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--limit", type=at_least(1), default=None, metavar="N", help="stop after N items"
    )


def add_group(commands: Subcommands, name: str, help: str) -> Subcommands:
    """A command that only groups actions (`run-tests list`, `run-tests get`)."""
    parent = commands.add_parser(name, help=help, description=help)
    return parent.add_subparsers(dest="action", metavar="ACTION", required=True)


def add_command(
    commands: Subcommands,
    name: str,
    help: str,
    *,
    run: Command | None = None,
    main: Callable[[argparse.Namespace], int] | None = None,
    check: Callable[[argparse.Namespace], str | None] | None = None,
    connection: bool = True,
    formats: bool = True,
    **kwargs: Any,
) -> argparse.ArgumentParser:
    """One command's parser: `run(client, args, out)` talks to the API, `main(args)` not.

    `check(args)` returns what is wrong with a combination of arguments argparse cannot
    express. The parser is kept in the namespace so that such a mistake, or an unknown
    option, is reported with this command's usage, not the top level's.
    """
    parser: argparse.ArgumentParser = commands.add_parser(
        name, help=help, description=help, **kwargs
    )
    if connection:
        add_connection(parser, top=False)
    _debug(parser, top=False)
    if formats:
        _formats(parser)
    if run is not None:
        parser.add_argument(
            "--wide", action="store_true", help="tables show ids whole, however wide they get"
        )
    parser.set_defaults(run=run, main=main, check=check, command_parser=parser)
    return parser
