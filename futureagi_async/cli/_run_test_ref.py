"""A run test given on the command line by its id or by its exact name.

`runs`, `export` and `gate` take a name; `run-tests get` and `calls list` take the id the
API needs. Both accept either: a UUID is used as it is, anything else must be the exact
(case-sensitive) name of one run test. Two run tests with that name are refused with their
ids, never picked between.
"""

from __future__ import annotations

import uuid

from .._client import AsyncClient
from ._errors import UsageError

__all__ = ["RUN_TEST_HELP", "run_test_id"]

RUN_TEST_HELP = "a run test's id, or its exact (case-sensitive) name"


async def run_test_id(client: AsyncClient, text: str) -> str:
    """The id of the run test `text` names (an id, or an exact name)."""
    try:
        return str(uuid.UUID(text))
    except ValueError:
        pass
    found = [
        run_test.id
        async for run_test in client.run_tests.list(search=text)
        if run_test.name == text
    ]
    if not found:
        raise UsageError(
            f"no run test named {text!r} (names are exact and case-sensitive; "
            "`futureagi-async run-tests list --search WORD` finds them)"
        )
    if len(found) > 1:
        raise UsageError(
            f"{len(found)} run tests are named {text!r}: pass one of their ids ({', '.join(found)})"
        )
    return found[0]
