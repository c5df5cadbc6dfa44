"""The fake on a real loopback port.

uvicorn (httptools parser) serves it from a thread with its own asyncio loop, so callers on
asyncio and trio alike get a socket without the server sharing their loop. Why uvicorn and
httptools (measured against granian, hypercorn and h11): see the package docstring.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import anyio.to_thread

__all__ = ["serve_app"]


def _config(app: Any, log_level: str) -> Any:
    try:
        import uvicorn
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise RuntimeError("the loopback fake needs the `fake` extra (uvicorn)") from exc
    return uvicorn.Config(
        app,
        loop="asyncio",
        http="httptools",
        lifespan="off",
        log_level=log_level,
        access_log=False,
        # Clients open their own pool; keep connections until they close them.
        timeout_keep_alive=30,
        backlog=2048,
    )


def bind(host: str, port: int) -> socket.socket:
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets whose proto says TCP,
    # and without it Nagle plus delayed ACKs cap each keep-alive connection at ~25 req/s.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.setblocking(False)
    return sock


@asynccontextmanager
async def serve_app(
    app: Any, *, host: str = "127.0.0.1", port: int = 0, log_level: str = "critical"
) -> AsyncIterator[str]:
    """Serve `app` on `host:port` (0 picks a free port) and yield its base URL."""
    import uvicorn

    sock = bind(host, port)
    server = uvicorn.Server(_config(app, log_level))
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as exc:  # surfaced to the caller below
            failure.append(exc)

    thread = threading.Thread(target=run, name="futureagi-fake", daemon=True)
    thread.start()
    try:
        while not server.started:
            if not thread.is_alive():
                raise RuntimeError("the fake server failed to start") from (
                    failure[0] if failure else None
                )
            # Startup is a few ms; poll from a worker thread to keep the caller's loop free.
            await anyio.to_thread.run_sync(thread.join, 0.005)
        bound_port = sock.getsockname()[1]
        yield f"http://{host}:{bound_port}"
    finally:
        server.should_exit = True
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(thread.join)
        sock.close()
