"""Tools for agents over the Model Context Protocol (the `mcp` extra).

    futureagi-async mcp                 # stdio, for a desktop or IDE agent
    futureagi-async mcp --http 8765     # streamable HTTP on 127.0.0.1:8765/mcp

or in Python, over a client you already have:

    from futureagi_async.mcp import build_server
    server = build_server(client)       # an mcp.server.mcpserver.MCPServer
"""

from __future__ import annotations

try:
    import mcp as _mcp  # noqa: F401
except ImportError as exc:  # pragma: no cover - exercised without the extra installed
    from .._errors import ConfigurationError

    raise ConfigurationError(
        "the MCP server needs the `mcp` extra: pip install 'futureagi-async[mcp]' "
        "(from a clone: pip install -e '.[mcp]')"
    ) from exc

from ._server import build_server

__all__ = ["build_server"]
