"""What the CLI tests share: the served fake, a command's result, run tests to use."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import httpx2

from futureagi_async.testing import FakeAPI

__all__ = ["Cli", "FailFor", "Result", "Served", "first_run_test", "run_test_with_calls"]


@attrs.frozen
class Served:
    fake: FakeAPI
    base_url: str


@attrs.frozen
class Result:
    code: int
    out: str
    err: str


#: `cli("runs", name, "--json")` -> Result(code, out, err)
Cli = Callable[..., Result]


def first_run_test(env: Served) -> tuple[str, str]:
    """The id and name of the fake's first run test (its executions have all completed)."""
    run_test = env.fake.dataset.run_tests[0]
    return run_test.id, run_test.name


def run_test_with_calls(env: Served, index: int = 0) -> tuple[str, list[str], int]:
    """A run test's name, its execution ids (oldest first) and how many calls they hold."""
    run_test = env.fake.dataset.run_tests[index]
    executions = env.fake.dataset.executions_of(run_test.id)
    calls = sum(len(env.fake.dataset.calls_of(e.id)) for e in executions)
    return run_test.name, [e.id for e in executions], calls


class FailFor(httpx2.AsyncBaseTransport):
    """The fake, except that requests mentioning `needle` get a 404 (not retried)."""

    def __init__(self, served: Served, needle: str):
        self._inner = served.fake.transport()
        self._needle = needle

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if self._needle in str(request.url):
            return httpx2.Response(404, json={"detail": "Not found."})
        return await self._inner.handle_async_request(request)
