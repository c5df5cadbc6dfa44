from __future__ import annotations

import logging

import httpx2
import pytest

import futureagi_async as fa
from futureagi_async import ClientClosedError
from futureagi_async._client import AsyncClient

from .helpers import API_KEY, SECRET_KEY, Script, client_for, get, ok

pytestmark = pytest.mark.anyio


async def test_sends_the_keys_a_user_agent_and_no_authorization() -> None:
    script = Script(ok({"a": 1}))
    client = client_for(script, headers={"Authorization": "Bearer nope"}, auth=("u", "p"))
    assert await get(client) == {"a": 1}
    (request,) = script.requests
    assert request.headers["X-Api-Key"] == API_KEY
    assert request.headers["X-Secret-Key"] == SECRET_KEY
    assert request.headers["User-Agent"].startswith(f"futureagi-async/{fa.__version__}")
    assert "Authorization" not in request.headers
    assert str(request.url) == "http://127.0.0.1:1/simulate/run-tests/?limit=5"


@pytest.mark.parametrize("status", [408, 429, 502, 503, 504])
async def test_transient_statuses_are_retried(status: int) -> None:
    script = Script(httpx2.Response(status, text="busy"), ok([1]))
    assert await get(client_for(script)) == [1]
    assert len(script.requests) == 2


@pytest.mark.parametrize(
    "error",
    [
        httpx2.ConnectError("refused"),
        httpx2.ReadError("reset"),
        httpx2.RemoteProtocolError("dropped mid-body"),
        httpx2.ReadTimeout("slow"),
    ],
)
async def test_connection_failures_are_retried(error: Exception) -> None:
    script = Script(error, ok([1]))
    assert await get(client_for(script)) == [1]


async def test_truncated_json_is_retried_then_reported() -> None:
    cut = httpx2.Response(200, content=b'{"count": 3, "resu')
    assert await get(client_for(Script(cut, ok({"count": 3})))) == {"count": 3}
    script = Script(*[httpx2.Response(200, content=b'{"count": 3, "resu')] * 5)
    with pytest.raises(fa.ResponseDecodeError, match="not valid JSON"):
        await get(client_for(script))
    assert len(script.requests) == 5  # the first try and max_retries=4


async def test_plain_500_is_not_retried() -> None:
    script = Script(httpx2.Response(500, json={"status": False, "detail": "Invalid page."}))
    with pytest.raises(fa.ServerError, match="Invalid page") as info:
        await get(client_for(script))
    assert info.value.status_code == 500
    assert len(script.requests) == 1


async def test_exhausted_retries_raise_the_last_typed_error() -> None:
    html = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    script = Script(*[httpx2.Response(502, content=html)] * 5)
    with pytest.raises(fa.ServerError) as info:
        await get(client_for(script))
    assert info.value.status_code == 502
    assert "502 Bad Gateway" in info.value.message


async def test_exhausted_connection_retries_raise_api_connection_error() -> None:
    script = Script(*[httpx2.ConnectError("refused")] * 5)
    with pytest.raises(fa.APIConnectionError, match="refused"):
        await get(client_for(script))
    script = Script(*[httpx2.ReadTimeout("slow")] * 5)
    with pytest.raises(fa.APITimeoutError):
        await get(client_for(script))


async def test_retry_after_beyond_the_cap_ends_retries_at_once() -> None:
    body = {
        "status": False,
        "result": {"code": "RATE_LIMITED", "message": "slow down", "retry_after": 37},
    }
    script = Script(httpx2.Response(429, json=body, headers={"Retry-After": "3600"}))
    with pytest.raises(fa.RateLimitError) as info:
        await get(client_for(script))
    assert info.value.retry_after == 3600.0
    assert len(script.requests) == 1


async def test_redirects_are_reported_not_followed() -> None:
    script = Script(httpx2.Response(301, headers={"Location": "/simulate/run-tests/"}))
    with pytest.raises(fa.APIStatusError, match="unexpected redirect") as info:
        await get(client_for(script))
    assert info.value.status_code == 301
    assert len(script.requests) == 1


async def test_error_envelope_becomes_typed_error() -> None:
    body = {"status": False, "code": "not_found", "detail": "Run test not found"}
    with pytest.raises(fa.NotFoundError, match="Run test not found"):
        await get(client_for(Script(httpx2.Response(404, json=body))))


async def test_unwraps_the_sdk_envelope() -> None:
    assert await get(client_for(Script(ok({"status": True, "result": [1]}))), wrapped=True) == [1]
    with pytest.raises(fa.ResponseDecodeError, match="status"):
        await get(client_for(Script(ok([1]))), wrapped=True)
    false = ok({"status": False, "result": "Validation failed"})
    with pytest.raises(fa.APIStatusError, match="Validation failed"):
        await get(client_for(Script(false)), wrapped=True)


async def test_secrets_stay_out_of_errors_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG, logger="futureagi_async")
    script = Script(httpx2.ConnectError("refused"), httpx2.Response(401, json={"detail": "no"}))
    client = client_for(script)
    with pytest.raises(fa.AuthenticationError) as info:
        await get(client)
    seen = [str(info.value), repr(info.value), repr(client), caplog.text]
    assert caplog.records
    for text in seen:
        assert API_KEY not in text
        assert SECRET_KEY not in text


async def test_closed_client_refuses_requests() -> None:
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(Script(ok({}))))
    client = AsyncClient(API_KEY, SECRET_KEY, base_url="http://127.0.0.1:1", http_client=http)
    await client.aclose()
    assert not http.is_closed  # the caller's pool stays the caller's
    with pytest.raises(ClientClosedError, match="closed"):
        await get(client)


async def test_with_options_shares_the_pool_and_the_closed_state() -> None:
    async with AsyncClient(API_KEY, SECRET_KEY, base_url="http://127.0.0.1:1") as client:
        view = client.with_options(timeout=2.0, max_retries=0)
        assert view._pipeline.shared is client._pipeline.shared
        assert view.config.timeout.read == 2.0
        assert view.config.retry.max_retries == 0
        await view.aclose()
        assert not client.is_closed
    assert view.is_closed


_ODD_PARAMS = [
    {},
    {"limit": "5", "page": "2"},
    {"search": "refund & café / 100% ?#", "filters": '[{"column_id":"x","value":"a b"}]'},
]


@pytest.mark.parametrize("params", _ODD_PARAMS)
@pytest.mark.parametrize("base_url", ["http://127.0.0.1:1", "http://127.0.0.1:1/api/v2"])
async def test_urls_are_built_as_httpx2_builds_them(params: dict[str, str], base_url: str) -> None:
    async with AsyncClient(API_KEY, SECRET_KEY, base_url=base_url) as client:
        pipeline = client._pipeline
        path = "simulate/test-executions/3f6c2a52-8d1e-4c4b-9a57-0c3b1f0e9a11/"
        expected = httpx2.Request("GET", pipeline.config.base_url.join(path), params=params).url
        assert str(httpx2.URL(pipeline.url(path, params))) == str(expected)


async def test_an_http_client_with_params_or_cookies_keeps_them() -> None:
    script = Script(ok({"a": 1}))
    client = client_for(script, params={"tenant": "t1"}, cookies={"lb": "sticky"})
    assert await get(client) == {"a": 1}
    (request,) = script.requests
    assert request.url.params["tenant"] == "t1"
    assert request.url.params["limit"] == "5"
    assert request.headers["Cookie"] == "lb=sticky"
    assert "Authorization" not in request.headers


async def test_a_shared_clients_cookies_and_params_still_apply_without_authorization() -> None:
    script = Script(ok({}))
    client = client_for(
        script, cookies={"session": "s1"}, params={"trace": "1"}, headers={"Authorization": "x"}
    )
    await get(client)
    (request,) = script.requests
    assert request.headers["Cookie"] == "session=s1"
    assert request.url.params["trace"] == "1"
    assert request.url.params["limit"] == "5"
    assert "Authorization" not in request.headers
