"""`FakeAPI`: one dataset, one app, its knobs and its observations, in one handle."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2

from ._app import App
from ._dataset import Call, Dataset, DatasetSpec, generate
from ._faults import Faults
from ._server import serve_app
from ._stats import Stats

__all__ = ["TEST_API_KEY", "TEST_SECRET_KEY", "FakeAPI"]

TEST_API_KEY = "test-api-key"
TEST_SECRET_KEY = "test-secret-key"
DIALECTS = ("backend", "docs")


class FakeAPI:
    """The fake Future AGI Simulate API over a seeded dataset.

    `dialect="backend"` behaves like the real backend (BEHAVIOUR.md); `"docs"` serves the
    shapes of the published pages instead.
    """

    def __init__(
        self,
        spec: DatasetSpec | None = None,
        *,
        dialect: str = "backend",
        api_key: str = TEST_API_KEY,
        secret_key: str = TEST_SECRET_KEY,
        latency: float = 0.0,
        jitter: float = 0.0,
        faults: Faults | None = None,
        link_scheme: str = "http",
    ) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {DIALECTS}, not {dialect!r}")
        self.spec = spec or DatasetSpec()
        self.dataset: Dataset = generate(self.spec)
        self.stats = Stats()
        self.faults = faults or Faults()
        self.api_key, self.secret_key = api_key, secret_key
        self.app = App(
            dataset=self.dataset,
            dialect=dialect,
            api_key=api_key,
            secret_key=secret_key,
            latency=latency,
            jitter=jitter,
            faults=self.faults,
            stats=self.stats,
            link_scheme=link_scheme,
        )

    @property
    def headers(self) -> dict[str, str]:
        """The credential headers this fake accepts."""
        return {"X-Api-Key": self.api_key, "X-Secret-Key": self.secret_key}

    def transport(self) -> httpx2.ASGITransport:
        """An in-process transport: no sockets, any backend."""
        return httpx2.ASGITransport(app=self.app)

    def client(self, **kwargs: Any) -> httpx2.AsyncClient:
        """A raw httpx client wired in-process with the right credentials (for fake tests)."""
        kwargs.setdefault("base_url", "http://127.0.0.1")
        kwargs.setdefault("headers", self.headers)
        return httpx2.AsyncClient(transport=self.transport(), **kwargs)

    def add_calls(self, execution_id: str, n: int) -> list[Call]:
        """Add `n` new completed calls to an execution; they sort first (newest `updated_at`)."""
        return self.dataset.add_calls(execution_id, n)

    def remove_calls(self, execution_id: str, n: int) -> list[Call]:
        """Remove the `n` newest calls of an execution from every endpoint."""
        return self.dataset.remove_calls(execution_id, n)

    @asynccontextmanager
    async def serve(self, *, port: int = 0, log_level: str = "critical") -> AsyncIterator[str]:
        """Serve on a real loopback port; yields `http://127.0.0.1:PORT`. Any backend."""
        async with serve_app(self.app, port=port, log_level=log_level) as base_url:
            yield base_url
