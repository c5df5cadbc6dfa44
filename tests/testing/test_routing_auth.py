"""Routing and authentication, in process."""

from __future__ import annotations

import httpx2
import pytest

from futureagi_async.testing import FakeAPI

pytestmark = pytest.mark.anyio

RT = "/simulate/run-tests/"


async def test_non_uuid_path_is_html_404_before_auth(fake: FakeAPI) -> None:
    async with fake.http_client(headers={}) as http:
        for path in (
            "/simulate/run-tests/not-a-uuid/",
            f"/simulate/run-tests/{fake.dataset.run_tests[0].id.upper()}/",
            "/simulate/test-executions/123/",
            "/nowhere/",
        ):
            r = await http.get(path)
            assert r.status_code == 404, path
            assert r.headers["content-type"].startswith("text/html")


async def test_missing_slash_redirects_keeping_the_query(http: httpx2.AsyncClient) -> None:
    r = await http.get("/simulate/run-tests", params={"limit": "2", "search": "a b"})
    assert r.status_code == 301
    assert r.headers["location"] == "/simulate/run-tests/?limit=2&search=a+b"
    r = await http.get("/sdk/api/v1/simulation/runs")
    assert r.headers["location"] == "/sdk/api/v1/simulation/runs/"


async def test_other_methods_get_405_after_auth(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    r = await http.post(RT)
    assert r.status_code == 405
    body = r.json()
    assert (body["type"], body["code"]) == ("api_error", "method_not_allowed")
    assert body["message"] == 'Method "POST" not allowed.'
    async with fake.http_client(headers={}) as anonymous:
        assert (await anonymous.delete(RT)).status_code == 401


@pytest.mark.parametrize(
    ("headers", "code", "message"),
    [
        ({}, "not_authenticated", "Authentication credentials were not provided."),
        ({"X-Api-Key": "", "X-Secret-Key": ""}, "not_authenticated", None),
        ({"X-Api-Key": "test-api-key"}, "not_authenticated", None),
        (
            {"X-Api-Key": "test-api-key", "X-Secret-Key": "wrong"},
            "authentication_failed",
            "Invalid API key or secret key",
        ),
    ],
)
async def test_401s(fake: FakeAPI, headers: dict[str, str], code: str, message: str | None) -> None:
    async with fake.http_client(headers=headers) as http:
        for path in (RT, "/sdk/api/v1/simulation/runs/"):
            # Bad params too: auth runs before validation.
            r = await http.get(path, params={"page": "x", "bogus": "1"})
            assert r.status_code == 401
            assert r.headers["www-authenticate"] == "ApiKey"
            body = r.json()
            assert body["type"] == "authentication_error"
            assert body["code"] == code
            if message:
                assert body["message"] == message
            assert body["details"] == {"detail": [body["message"]]}
            assert "attr" not in body


async def test_authorization_header_overrides_valid_keys(fake: FakeAPI) -> None:
    async with fake.http_client(headers={**fake.headers, "Authorization": "Bearer x"}) as http:
        r = await http.get(RT)
    assert r.status_code == 401
    assert r.json()["message"].startswith("Invalid Token parsed: ")


async def test_custom_credentials() -> None:
    fake = FakeAPI(api_key="k", secret_key="s")
    async with fake.http_client() as http:
        assert (await http.get(RT)).status_code == 200
    async with fake.http_client(headers={"X-Api-Key": "test-api-key", "X-Secret-Key": "s"}) as http:
        assert (await http.get(RT)).status_code == 401


async def test_workspace_header_and_param(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    ok = {"X-Workspace-Id": fake.dataset.workspace_id}
    assert (await http.get(RT, headers=ok)).status_code == 200
    # Another workspace is ignored: the key answers for its own.
    r = await http.get(RT, headers={"X-Workspace-Id": "5e0e5e0e-0000-4000-8000-000000000000"})
    assert r.status_code == 200
    # The detail views ignore unknown params; the strict list calls `workspace_id` unknown.
    run_test = fake.dataset.run_tests[0].id
    r = await http.get(f"{RT}{run_test}/", params={"workspace_id": "nope"})
    assert r.status_code == 200
    r = await http.get(RT, params={"workspace_id": fake.dataset.workspace_id})
    assert r.status_code == 400
    assert r.json()["details"] == {"workspace_id": ["Unknown field."]}
