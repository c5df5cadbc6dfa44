"""`mcp`: the library's tools for agents, over the Model Context Protocol (the `mcp` extra).

stdio by default, which is how desktop and IDE agents start a server; `--http PORT` serves
streamable HTTP on 127.0.0.1 only, since the server holds this machine's API keys.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from .._arguments import Subcommands, add_command, at_least

if TYPE_CHECKING:
    from ..._client import AsyncClient
    from .._output import Output

__all__ = ["register"]

HELP = "serve MCP tools for agents (stdio; --http PORT for streamable HTTP on 127.0.0.1)"


def register(commands: Subcommands) -> None:
    p = add_command(commands, "mcp", HELP, run=run, formats=False)
    p.add_argument(
        "--http",
        type=at_least(1),
        default=None,
        metavar="PORT",
        help="serve streamable HTTP on http://127.0.0.1:PORT/mcp instead of stdio",
    )


async def run(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    from ...mcp import build_server

    server = build_server(client)
    if args.http is None:
        await server.run_stdio_async()
    else:
        await server.run_streamable_http_async(host="127.0.0.1", port=args.http)
    return 0
