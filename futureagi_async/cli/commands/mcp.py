"""`mcp`: the library's tools for agents, over the Model Context Protocol (the `mcp` extra).

stdio by default, which is how desktop and IDE agents start a server; `--http PORT` serves
streamable HTTP on 127.0.0.1 only, since the server holds this machine's API keys.
"""

from __future__ import annotations

import argparse
import socket
import sys
from typing import TYPE_CHECKING, Any

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
        type=at_least(0),
        default=None,
        metavar="PORT",
        help="serve streamable HTTP on http://127.0.0.1:PORT/mcp instead of stdio "
        "(0 picks a free port); the address is printed to stderr",
    )


async def run(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    from ...mcp import build_server

    server = build_server(client)
    if args.http is None:
        await server.run_stdio_async()
    else:
        await _serve_http(server.streamable_http_app(), args.http)
    return 0


async def _serve_http(app: Any, port: int) -> None:
    """Serve on a socket bound before the address is printed, so a client that read the
    address can connect at once, and `--http 0` can say which port it got."""
    import uvicorn

    sock = socket.create_server(("127.0.0.1", port))
    bound = sock.getsockname()[1]
    print(f"serving MCP on http://127.0.0.1:{bound}/mcp", file=sys.stderr, flush=True)
    config = uvicorn.Config(app, log_level="warning", access_log=False)
    with sock:
        await uvicorn.Server(config).serve(sockets=[sock])
