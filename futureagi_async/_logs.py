"""`FI_LOG=info` or `FI_LOG=debug` turns on the library's logging, as `OPENAI_LOG` does.

Info is one line per request (method, URL, status or failure, elapsed time, attempt) and one
per retry; debug adds the pager's decisions. No line holds a key: credentials travel in
headers, and headers are never logged.
"""

from __future__ import annotations

import logging
import os
import warnings

__all__ = ["ENV_LOG", "setup_logging"]

ENV_LOG = "FI_LOG"

logger = logging.getLogger("futureagi_async")

_LEVELS = {"debug": logging.DEBUG, "info": logging.INFO}
_handler: logging.Handler | None = None


def setup_logging() -> None:
    """Read `FI_LOG` and, once per process, send the library's logs to stderr at that level."""
    global _handler  # one handler per process, however many clients are built
    value = os.environ.get(ENV_LOG, "").strip().lower()
    level = _LEVELS.get(value)
    if level is None and value:
        # Said, not ignored: someone asked for logs and would otherwise see none.
        warnings.warn(
            f"{ENV_LOG}={value!r} is not a log level: use {' or '.join(_LEVELS)}; "
            "the library's logging stays off",
            RuntimeWarning,
            stacklevel=3,
        )
    if level is None or _handler is not None:
        return
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("[%(asctime)s - %(name)s - %(levelname)s] %(message)s"))
    logger.addHandler(_handler)
    logger.setLevel(level)
