"""The `futureagi-async` command line. It depends on the client; the client never on it."""

from ._app import main

__all__ = ["main"]
