"""Per-client and per-call options: default headers, views, request ids, messages, FI_LOG."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx2
import pytest

import futureagi_async as fa
from futureagi_async import _logs
from futureagi_async._client import AsyncClient

from .helpers import API_KEY, SECRET_KEY, Script, get, ok

pytestmark = pytest.mark.anyio


def client_for(script: Script, **kwargs: object) -> AsyncClient:
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(script))
    return AsyncClient(
        API_KEY,
        SECRET_KEY,
        base_url="http://127.0.0.1:1",
        http_client=http,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_default_headers_go_with_every_request_and_views_add_to_them() -> None:
    script = Script(ok({}), ok({}))
    client = client_for(script, default_headers={"X-Trace": "job-1", "X-Team": "qa"})
    await get(client)
    view = client.with_options(default_headers={"X-Trace": "job-2"}, max_retries=0)
    await get(view)
    first, second = script.requests
    assert (first.headers["X-Trace"], first.headers["X-Team"]) == ("job-1", "qa")
    assert (second.headers["X-Trace"], second.headers["X-Team"]) == ("job-2", "qa")
    assert second.headers["X-Api-Key"] == API_KEY
    assert view.config.retry.max_retries == 0


@pytest.mark.parametrize(
    "name", ["X-Api-Key", "x-secret-key", "Authorization", "X-Workspace-Id", "User-Agent"]
)
def test_default_headers_cannot_replace_the_clients_own(name: str) -> None:
    with pytest.raises(fa.ConfigurationError, match="default_headers may not set"):
        AsyncClient(API_KEY, SECRET_KEY, default_headers={name: "x"})
    client = AsyncClient(API_KEY, SECRET_KEY)
    with pytest.raises(fa.ConfigurationError, match="default_headers may not set"):
        client.with_options(default_headers={name: "x"})


@pytest.mark.parametrize("value", ["a\r\nb", "caf\u00e9", "nul\x00"])
def test_default_header_values_are_checked(value: str) -> None:
    with pytest.raises(fa.ConfigurationError, match="X-Trace"):
        AsyncClient(API_KEY, SECRET_KEY, default_headers={"X-Trace": value})


@pytest.mark.parametrize("value", [0, -1.0, float("nan"), True])
def test_total_timeout_must_be_positive(value: float) -> None:
    with pytest.raises(fa.ConfigurationError, match="total_timeout"):
        AsyncClient(API_KEY, SECRET_KEY, total_timeout=value)
    with pytest.raises(fa.ConfigurationError, match="total_timeout"):
        AsyncClient(API_KEY, SECRET_KEY).with_options(total_timeout=value)


def test_with_options_total_timeout_applies_to_the_view_only() -> None:
    client = AsyncClient(API_KEY, SECRET_KEY, total_timeout=30)
    view = client.with_options(total_timeout=5)
    assert (client.config.total_timeout, view.config.total_timeout) == (30.0, 5.0)


def test_the_http_backend_is_one_of_two() -> None:
    with pytest.raises(fa.ConfigurationError, match="http_backend"):
        AsyncClient(API_KEY, SECRET_KEY, http_backend="curl")  # type: ignore[arg-type]


async def test_status_errors_carry_the_request_id() -> None:
    answer = httpx2.Response(404, json={"detail": "gone"}, headers={"x-request-id": "req-42"})
    with pytest.raises(fa.NotFoundError) as info:
        await get(client_for(Script(answer)))
    assert info.value.request_id == "req-42"
    assert "request id req-42" in str(info.value)
    with pytest.raises(fa.NotFoundError) as info:
        await get(client_for(Script(httpx2.Response(404, json={"detail": "gone"}))))
    assert info.value.request_id is None
    assert "request id" not in str(info.value)


async def test_connection_errors_say_where_and_how_many_retries() -> None:
    script = Script(*[httpx2.ConnectError("All connection attempts failed")] * 3)
    with pytest.raises(fa.APIConnectionError) as info:
        await get(client_for(script, max_retries=2))
    message = str(info.value)
    assert "GET http://127.0.0.1:1/simulate/run-tests/?limit=5" in message
    assert "after 2 retries" in message
    assert info.value.retries == 2


async def test_connection_errors_chain_no_request() -> None:
    script = Script(httpx2.ConnectError("refused"))
    with pytest.raises(fa.APIConnectionError) as info:
        await get(client_for(script, max_retries=0))
    seen: list[BaseException] = []
    error: BaseException | None = info.value
    while error is not None and len(seen) < 10:
        seen.append(error)
        error = error.__cause__ or error.__context__
    assert not any(isinstance(e, httpx2.HTTPError) for e in seen)


@pytest.fixture
def fi_log(monkeypatch: pytest.MonkeyPatch) -> Iterator[logging.Logger]:
    """FI_LOG=info for one test; the handler it adds is removed and the level put back."""
    logger = logging.getLogger("futureagi_async")
    level = logger.level
    monkeypatch.setenv("FI_LOG", "info")
    monkeypatch.setattr(_logs, "_handler", None)
    yield logger
    if _logs._handler is not None:
        logger.removeHandler(_logs._handler)
    logger.setLevel(level)


async def test_fi_log_turns_on_one_line_per_request(
    fi_log: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    script = Script(httpx2.Response(503, text="busy"), ok({}))
    client = client_for(script)
    assert _logs._handler is not None
    assert fi_log.level == logging.INFO
    await get(client)
    lines = [r.getMessage() for r in caplog.records if r.name == "futureagi_async"]
    url = "http://127.0.0.1:1/simulate/run-tests/?limit=5"
    assert any(line.startswith(f"GET {url} -> 503 in ") and "(attempt 1)" in line for line in lines)
    assert any(line.startswith(f"GET {url} -> 200 in ") and "(attempt 2)" in line for line in lines)
    assert any("retry 1" in line for line in lines)
    assert not any(API_KEY in line or SECRET_KEY in line for line in lines)


def test_without_fi_log_nothing_is_configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FI_LOG", raising=False)
    monkeypatch.setattr(_logs, "_handler", None)
    AsyncClient(API_KEY, SECRET_KEY)
    assert _logs._handler is None


def test_an_unknown_fi_log_level_is_warned_about(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FI_LOG", "verbose")
    monkeypatch.setattr(_logs, "_handler", None)
    with pytest.warns(
        RuntimeWarning, match=r"FI_LOG='verbose' is not a log level: use debug or info"
    ):
        AsyncClient(API_KEY, SECRET_KEY)
    assert _logs._handler is None
