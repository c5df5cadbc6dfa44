"""The CLI against the fake: one loopback server for the whole session, credentials in env.

The CLI runs its own event loop (`anyio.run`), so these tests are synchronous and the fake
is served from a thread with a loop of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import anyio
import anyio.to_thread
import pytest

from futureagi_async.cli import main
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, DatasetSpec, FakeAPI

from .helpers import Result, Served


@pytest.fixture(scope="session")
def served() -> Iterator[Served]:
    fake = FakeAPI(DatasetSpec(seed=0))
    ready, stop = threading.Event(), threading.Event()
    urls: list[str] = []

    async def serve() -> None:
        async with fake.serve() as base_url:
            urls.append(base_url)
            ready.set()
            await anyio.to_thread.run_sync(stop.wait)

    thread = threading.Thread(target=anyio.run, args=(serve,), daemon=True)
    thread.start()
    assert ready.wait(30), "the fake did not start"
    yield Served(fake, urls[0])
    stop.set()
    thread.join(30)


@pytest.fixture
def env(served: Served, monkeypatch: pytest.MonkeyPatch) -> Served:
    monkeypatch.setenv("FI_API_KEY", TEST_API_KEY)
    monkeypatch.setenv("FI_SECRET_KEY", TEST_SECRET_KEY)
    monkeypatch.setenv("FI_BASE_URL", served.base_url)
    monkeypatch.delenv("FUTUREAGI_DEBUG", raising=False)
    return served


@pytest.fixture
def cli(env: Served, capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """`cli("runs", name, "--json")` -> Result(code, out, err)."""

    def run(*argv: str, **kwargs: object) -> Result:
        capsys.readouterr()
        code = main(list(argv), **kwargs)  # type: ignore[arg-type]
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
