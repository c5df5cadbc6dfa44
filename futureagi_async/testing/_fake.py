"""`FakeAPI`: one dataset, one app, its knobs and its observations, in one handle."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import httpx2

from ._app import App
from ._faults import Faults
from ._generate import generate
from ._limits import RateLimiter, check_rate_limit
from ._records import CallRecord, DatasetSpec
from ._server import serve_app
from ._stats import Stats
from ._store import Dataset
from ._transport import InProcessTransport
from ._types import DIALECTS, Dialect
from ._views import ViewOptions

if TYPE_CHECKING:
    from .._client import AsyncClient

__all__ = ["BASE_URL", "TEST_API_KEY", "TEST_SECRET_KEY", "FakeAPI"]

TEST_API_KEY = "test-api-key"
TEST_SECRET_KEY = "test-secret-key"
#: The base URL in-process clients use: loopback, so the client accepts plain http.
BASE_URL = "http://127.0.0.1"


class FakeAPI:
    """The fake Future AGI Simulate API over a seeded dataset.

    `dialect="backend"` answers as the running backend does, quirks included; `"docs"`
    serves the shapes of the published pages instead. `fixed_row_groups=True` answers
    `row_groups` with grouped rows, as the backend's code intends; the running backend
    answers them with a 500 and so does the fake by default.

    `rate_limit=N` answers past N requests per `rate_window` seconds (a fixed window aligned
    to the clock, as the backend's per-organisation limit) with the backend's 429; see
    `_limits`.
    """

    def __init__(
        self,
        spec: DatasetSpec | None = None,
        *,
        dialect: Dialect = "backend",
        api_key: str = TEST_API_KEY,
        secret_key: str = TEST_SECRET_KEY,
        latency: float = 0.0,
        jitter: float = 0.0,
        faults: Faults | None = None,
        link_scheme: str = "http",
        fixed_row_groups: bool = False,
        rate_limit: int | None = None,
        rate_window: float = 60.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        if dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {DIALECTS}, not {dialect!r}")
        check_rate_limit(rate_limit, rate_window)
        self.spec = spec or DatasetSpec()
        self.dataset: Dataset = generate(self.spec)
        if clock is not None:
            self.dataset.monotonic = clock
        self.stats = Stats()
        self.faults = faults or Faults()
        self.api_key, self.secret_key = api_key, secret_key
        self.app = App(
            dataset=self.dataset,
            options=ViewOptions(dialect=dialect, fixed_row_groups=fixed_row_groups),
            api_key=api_key,
            secret_key=secret_key,
            latency=latency,
            jitter=jitter,
            faults=self.faults,
            stats=self.stats,
            link_scheme=link_scheme,
            limiter=None if rate_limit is None else RateLimiter(rate_limit, float(rate_window)),
        )

    @property
    def clock(self) -> Callable[[], float]:
        """The monotonic clock (seconds) live executions run on; `time.monotonic` unless
        given. Set it to a callable a test drives, and no test needs to sleep."""
        return self.dataset.monotonic

    @clock.setter
    def clock(self, clock: Callable[[], float]) -> None:
        self.dataset.monotonic = clock

    def run_execution(
        self,
        run_test_name: str,
        *,
        calls: int = 25,
        seconds: float = 60.0,
        pass_rate: float = 0.8,
        fail_ratio: float = 0.05,
        seed: int | None = None,
        rerun_ratio: float = 0.05,
    ) -> str:
        """Start a new execution of the run test named `run_test_name`; its id.

        Its state is a function of the time on `clock` since now, the same through every
        endpoint: `calls` calls are created over the first part of `seconds` and go
        `pending` → `queued` → `ongoing` (the transcript and duration growing) →
        `analyzing` → `completed`, or `failed` (a share `fail_ratio`) when the line drops.
        Evals read `{"status": "pending"}` (`{}` on /simulate/) until the analysis ends,
        some a little after it; then a Pass/Fail eval passes with probability `pass_rate`
        and scores are drawn around it. A share `rerun_ratio` of voice calls is rerun once
        after it was final (a snapshot row of the first run, then the call runs again).
        The execution goes `pending` → `running` → `evaluating` → `completed`, the last
        event exactly `seconds` after the start. `seed` fixes every draw.
        """
        return self.dataset.run_execution(
            run_test_name,
            calls=calls,
            seconds=seconds,
            pass_rate=pass_rate,
            fail_ratio=fail_ratio,
            rerun_ratio=rerun_ratio,
            seed=seed,
        )

    @property
    def headers(self) -> dict[str, str]:
        """The credential headers this fake accepts."""
        return {"X-Api-Key": self.api_key, "X-Secret-Key": self.secret_key}

    def transport(self) -> httpx2.ASGITransport:
        """An in-process transport: no sockets, any backend. A request's read timeout
        bounds the wait for the answer, as on a socket (`httpx2.ReadTimeout`)."""
        return InProcessTransport(app=self.app)

    def client(self, **kwargs: Any) -> AsyncClient:
        """The library's `AsyncClient`, in-process, with this fake's credentials.

        Keyword arguments go to `AsyncClient` (`max_retries=`, `max_concurrency=`, ...), and
        override this fake's: `fake.client(api_key="nope")` is how to test a 401. Use it as
        `async with fake.client() as client:`. Its in-process pool holds no sockets, so there
        is nothing else to close.
        """
        from .._client import AsyncClient

        kwargs.setdefault("api_key", self.api_key)
        kwargs.setdefault("secret_key", self.secret_key)
        kwargs.setdefault("base_url", BASE_URL)
        if "http_client" not in kwargs:
            kwargs["http_client"] = self.http_client(headers={})
        return AsyncClient(**kwargs)

    def http_client(self, **kwargs: Any) -> httpx2.AsyncClient:
        """A bare httpx2 client wired in-process, credentials set: for raw requests."""
        kwargs.setdefault("base_url", BASE_URL)
        kwargs.setdefault("headers", self.headers)
        return httpx2.AsyncClient(transport=self.transport(), **kwargs)

    def add_calls(self, execution_id: str, n: int) -> list[CallRecord]:
        """Add `n` new completed calls to an execution; they sort first (newest `updated_at`)."""
        return self.dataset.add_calls(execution_id, n)

    def remove_calls(self, execution_id: str, n: int) -> list[CallRecord]:
        """Remove the `n` newest calls of an execution from every view."""
        return self.dataset.remove_calls(execution_id, n)

    @asynccontextmanager
    async def serve(self, *, port: int = 0, log_level: str = "critical") -> AsyncIterator[str]:
        """Serve on a real loopback port; yields `http://127.0.0.1:PORT`. Any backend."""
        async with serve_app(self.app, port=port, log_level=log_level) as base_url:
            yield base_url
