"""Which event loop a client's pool belongs to, and the error for using it from another.

A pool's connections (and the aiohttp session, and anyio's primitives) are bound to the loop
that opened them. A client kept across two `anyio.run` (or `asyncio.run`) calls would hand the
second run connections of a closed loop, and httpcore2 fails with a bare `RuntimeError: Event
loop is closed`. The client notes its loop at the first request and refuses any other one with
a `ClientClosedError` that says what to do.
"""

from __future__ import annotations

import asyncio
import sys

from ._errors import ClientClosedError

__all__ = ["LoopGuard"]

OTHER_LOOP = (
    "this client was first used on another event loop (an earlier anyio.run or asyncio.run), "
    "and its connections belong to that loop: make one client per run, e.g. "
    "`async with fa.AsyncClient() as client:` inside the function given to anyio.run"
)


def _current_loop() -> object | None:
    """The running asyncio loop, or trio's token; None outside both."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    trio = sys.modules.get("trio")
    if trio is not None:
        try:
            token: object = trio.lowlevel.current_trio_token()
        except RuntimeError:
            return None
        return token
    return None


class LoopGuard:
    """Remembers the loop of the first request; `check()` refuses any other loop."""

    __slots__ = ("_loop",)

    def __init__(self) -> None:
        self._loop: object | None = None

    def check(self) -> None:
        loop = _current_loop()
        if self._loop is None:
            self._loop = loop
        elif loop is not self._loop:
            raise ClientClosedError(OTHER_LOOP)

    def on_another_loop(self) -> bool:
        """Whether the client was used and the current loop is not that one."""
        return self._loop is not None and _current_loop() is not self._loop
