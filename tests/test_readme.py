"""Every Python snippet in the README runs against the fake.

A snippet that is a whole program (it calls `anyio.run`) runs as `__main__` with the `FI_*`
variables pointing at the fake on a loopback port. Any other snippet is a fragment: it runs
with top-level `await` on both backends, in a namespace holding the quickstart's imports and
what the surrounding prose assumes (`client` on the in-process fake, `names`,
`execution_id`, `write`); its `test_*` functions are called with the pytest plugin's
fixtures, and what it leaves behind is checked where that means something.
Blocks fenced as shell, config (TOML, INI, JSON), SQL or plain text are not run; a fence with
any other language fails the test, so a new kind of block is a decision, not a silent skip.
"""

from __future__ import annotations

import ast
import inspect
import re
from collections.abc import Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import anyio.from_thread
import attrs
import httpx2
import pytest

import futureagi_async as fa
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI

README = Path(__file__).resolve().parent.parent / "README.md"
RUN = frozenset({"python", "py"})
NOT_RUN = frozenset({"sh", "bash", "console", "toml", "ini", "json", "sql", "text", ""})
FENCE = re.compile(r"^```(?P<lang>[\w+-]*)[^\n]*\n(?P<code>.*?)^```[ \t]*$", re.M | re.S)


@attrs.frozen
class Snippet:
    line: int
    lang: str
    code: str

    @property
    def is_program(self) -> bool:
        return "anyio.run(" in self.code

    def compile(self, flags: int = 0) -> Any:
        return compile(self.code, f"{README}:{self.line}", "exec", flags=flags)


def _snippets() -> list[Snippet]:
    text = README.read_text(encoding="utf-8")
    return [
        Snippet(text.count("\n", 0, m.start()) + 1, m["lang"], m["code"])
        for m in FENCE.finditer(text)
    ]


def _params(program: bool) -> Iterator[Any]:
    for snippet in _snippets():
        if snippet.lang in RUN and snippet.is_program is program:
            yield pytest.param(snippet, id=f"README.md:{snippet.line}")


def test_every_fence_is_python_or_not_meant_to_run() -> None:
    snippets = _snippets()
    assert any(s.lang in RUN for s in snippets)
    assert {s.lang for s in snippets} <= RUN | NOT_RUN


@pytest.mark.parametrize("snippet", list(_params(program=True)))
def test_program_snippet_runs(snippet: Snippet, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeAPI()
    with (
        anyio.from_thread.start_blocking_portal() as portal,
        portal.wrap_async_context_manager(fake.serve()) as base_url,
    ):
        monkeypatch.setenv("FI_API_KEY", TEST_API_KEY)
        monkeypatch.setenv("FI_SECRET_KEY", TEST_SECRET_KEY)
        monkeypatch.setenv("FI_BASE_URL", base_url)
        exec(snippet.compile(), {"__name__": "__main__"})
    assert fake.stats.requests_served > 0


@pytest.mark.anyio
@pytest.mark.parametrize("snippet", list(_params(program=False)))
async def test_fragment_snippet_runs(snippet: Snippet, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = FakeAPI()
    monkeypatch.setenv("FI_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("FI_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("FI_BASE_URL", "http://127.0.0.1")
    written: list[tuple[Any, Any]] = []
    async with (
        httpx2.AsyncClient(transport=fake.transport()) as http,
        fa.AsyncClient(base_url="http://127.0.0.1", http_client=http) as client,
    ):
        run_test = fake.dataset.run_tests[0]
        latest = max(fake.dataset.executions_of(run_test.id), key=lambda e: e.created_at)
        namespace: dict[str, Any] = {
            "__name__": "readme_snippet",
            "anyio": anyio,
            "fa": fa,
            "httpx2": httpx2,
            "asynccontextmanager": asynccontextmanager,
            "client": client,
            "names": [r.name for r in fake.dataset.run_tests],
            "execution_id": latest.id,
            "write": lambda execution, calls: written.append((execution, calls)),
        }
        result = eval(snippet.compile(ast.PyCF_ALLOW_TOP_LEVEL_AWAIT), namespace)
        if inspect.iscoroutine(result):
            await result
        await _run_tests(namespace, {"fake_api": fake, "fake_client": client})
        await _check(namespace, written)


async def _run_tests(namespace: dict[str, Any], fixtures: dict[str, Any]) -> None:
    """A snippet that is a pytest module: call its async tests with the plugin's fixtures."""
    for name, test in list(namespace.items()):
        if name.startswith("test_") and inspect.iscoroutinefunction(test):
            await test(**{arg: fixtures[arg] for arg in inspect.signature(test).parameters})


async def _check(namespace: dict[str, Any], written: list[tuple[Any, Any]]) -> None:
    """What a fragment leaves behind, where the README says what it should be."""
    if "lifespan" in namespace:  # the web app's: yields the state with one open client
        async with namespace["lifespan"](None) as state:
            assert isinstance(state["client"], fa.AsyncClient)
    if "records" in namespace:  # bulk export: every execution written with its calls
        assert written
        assert all(calls for _, calls in written)
    if "board" in namespace:  # dashboard: one entry per name, in order
        assert list(namespace["board"]) == namespace["names"]
        assert all(namespace["board"].values())
    if "reasons" in namespace:  # agent gate: (scenario, eval, reason) of failed evals
        assert all(len(reason) == 3 for reason in namespace["reasons"])
        # Only the current configs, as `gate` counts them: none retired from the run test.
        client, execution_id = namespace["client"], namespace["execution_id"]
        execution = await client.simulation.execution(execution_id)
        current = {config.name for result in execution.eval_results for config in result.result}
        assert namespace["reasons"]
        assert {name for _, name, _ in namespace["reasons"]} <= current


def test_the_quickstart_is_type_checked_word_for_word() -> None:
    """mypy --strict covers tests/readme_quickstart.py; it must be the README's quickstart."""
    text = README.read_text(encoding="utf-8")
    quickstart = text[text.index("## Quickstart") :]
    block = FENCE.search(quickstart)
    assert block is not None
    copy = (README.parent / "tests" / "readme_quickstart.py").read_text(encoding="utf-8")
    assert copy.endswith(block["code"])
