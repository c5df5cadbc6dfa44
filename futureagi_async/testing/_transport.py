"""The in-process transport: the fake's app called directly, timed like a socket.

httpx2's `ASGITransport` ignores a request's timeouts, so an in-process client with
`timeout=0.3` against `FakeAPI(latency=2.0)` would wait the whole 2 s. This one bounds the
app's answer by the request's read timeout and raises `httpx2.ReadTimeout` when it fires, as a
socket read would: the app buffers its whole answer, so the wait for the first byte is the wait
for all of them.
"""

from __future__ import annotations

import anyio
import httpx2

__all__ = ["InProcessTransport"]


class InProcessTransport(httpx2.ASGITransport):
    """`ASGITransport` that honours the request's `timeout.read`."""

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        timeouts = request.extensions.get("timeout") or {}
        read = timeouts.get("read")
        if read is None:
            return await super().handle_async_request(request)
        with anyio.move_on_after(read):
            return await super().handle_async_request(request)
        raise httpx2.ReadTimeout(f"no response within timeout.read={read:g}s", request=request)
