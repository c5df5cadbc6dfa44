"""`fake-server`: the built-in fake API on a loopback port, to try the CLI or test against.

The command line is the fake's own (`python -m futureagi_async.testing`), so the two
entry points take the same flags and print the same thing.
"""

from __future__ import annotations

import argparse

from .._arguments import Subcommands, add_command

__all__ = ["register"]

HELP = "serve the built-in fake API on 127.0.0.1 (dataset size, latency, faults, dialect)"


def register(commands: Subcommands) -> None:
    from ...testing.__main__ import add_arguments

    p = add_command(commands, "fake-server", HELP, main=main, connection=False, formats=False)
    add_arguments(p)


def main(args: argparse.Namespace) -> int:
    from ...testing.__main__ import serve

    return serve(args)
