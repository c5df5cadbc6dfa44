"""The gate's own errors: input it cannot compare, and a missing statistics extra."""

from __future__ import annotations

from .._errors import FutureAGIError

__all__ = ["GateInputError", "StatisticsUnavailableError"]


class GateInputError(FutureAGIError, ValueError):
    """Input the gate refuses rather than pass on: a baseline from another run test or not
    completed, an eval on one side only, a corrupt or foreign baseline file, an assertion
    that does not parse or names an unknown eval or statistic. The message is one line
    naming what is wrong."""


class StatisticsUnavailableError(FutureAGIError, ImportError):
    """Comparing against a baseline needs scipy, which comes with the `gate` extra."""

    def __init__(self) -> None:
        super().__init__(
            "comparing against a baseline needs scipy: pip install 'futureagi-async[gate]'"
        )
