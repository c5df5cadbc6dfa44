"""The CLI's own error, and the library errors it words for a command line."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .._errors import NotFoundError
from .._extras import install_hint

__all__ = ["UsageError", "install_hint", "naming_a_run_test"]


class UsageError(Exception):
    """Exit 2 with one line on stderr and no traceback.

    Raised for mistakes the user can fix by changing the command: a bad threshold, an
    unknown run test name, a directory holding another export.
    """


@contextmanager
def naming_a_run_test(name: str) -> Iterator[None]:
    """Around a listing by run test name: the API's 404 means the name is wrong."""
    try:
        yield
    except NotFoundError:
        raise UsageError(
            f"no run test named {name!r} (names are exact and case-sensitive; "
            "`futureagi-async run-tests list --search WORD` finds them)"
        ) from None
