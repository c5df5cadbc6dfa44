"""Every recorded error answer becomes its typed error.

Most of these requests cannot come out of the resources (they check ids and parameters
first, see the last tests), so the recorded request itself is sent through the client's
request layer, `client._pipeline.get`, and answered by the same strict replay.
"""

from __future__ import annotations

from typing import Any

import pytest

import futureagi_async as fa

from ._recordings import REPLAY_API_KEY, REPLAY_SECRET_KEY, Recording, ReplayTransport, _all
from .conftest import Connect

pytestmark = pytest.mark.anyio

_REDACTED = "<redacted>"


def _client_args(rec: Recording) -> dict[str, Any] | None:
    """How to build a client that sends this recording's credentials; None if it cannot."""
    api_key, secret_key, authorization, workspace = rec.credentials
    if not api_key or not secret_key or authorization is not None:
        return None  # no or empty keys: refused by the client; Authorization: never sent
    args: dict[str, Any] = {
        "api_key": REPLAY_API_KEY if api_key == _REDACTED else api_key,
        "secret_key": REPLAY_SECRET_KEY if secret_key == _REDACTED else secret_key,
    }
    if workspace is not None:
        args["workspace_id"] = workspace
    return args


_ERRORS = sorted(
    name
    for name, rec in _all().items()
    if rec.method == "GET" and rec.status >= 300 and _client_args(rec) is not None
)


def _expected(rec: Recording) -> type[fa.APIStatusError]:
    if rec.status == 500 and "No TestExecution matches" in str(rec.body_json):
        return fa.NotFoundError  # endpoint 4 reports a missing execution as a 500
    return {
        400: fa.BadRequestError,
        401: fa.AuthenticationError,
        403: fa.PermissionDeniedError,
        404: fa.NotFoundError,
        500: fa.ServerError,
    }.get(rec.status, fa.APIStatusError)


def _as_is(body: Any) -> Any:
    return body


@pytest.mark.parametrize("name", _ERRORS)
async def test_recorded_error_is_typed(
    connect: Connect, strict: ReplayTransport, name: str
) -> None:
    rec = _all()[name]
    args = _client_args(rec)
    assert args is not None
    async with connect(**args) as client:
        with pytest.raises(fa.APIStatusError) as caught:
            await client._pipeline.get(rec.path.lstrip("/"), dict(rec.query), _as_is)
    error = caught.value
    assert type(error) is _expected(rec)
    assert error.status_code == rec.status
    if rec.status < 400:
        assert "redirect" in error.message
    elif isinstance(rec.body_json, dict):
        assert error.body == rec.body_json
        assert error.message == rec.body_json["detail"]
    else:  # the HTML 404: a snippet of the page
        assert "Not Found" in error.message
    assert strict.asked_exactly([name])


def test_every_error_status_is_covered() -> None:
    statuses = {_all()[n].status for n in _ERRORS}
    assert statuses == {301, 400, 401, 404, 500}


async def test_wrong_secret_on_a_resource(connect: Connect) -> None:
    async with connect(secret_key="wrong") as client:
        with pytest.raises(fa.AuthenticationError):
            await client.run_tests.get("4f418cd0-f63a-416d-8089-a9342c1f830e")


async def test_missing_run_test_is_not_found(connect: Connect) -> None:
    async with connect() as client:
        with pytest.raises(fa.NotFoundError):
            await client.run_tests.get("12345678-90ab-cdef-1234-567890abcdef")


@pytest.mark.parametrize(
    "call_id",
    ["12345678-90ab-cdef-1234-567890abcdef", "40252eac-0875-4916-94b1-33d2caa4ace0"],
    ids=["missing", "soft-deleted"],
)
async def test_missing_call_is_not_found(connect: Connect, call_id: str) -> None:
    async with connect() as client:
        with pytest.raises(fa.NotFoundError):
            await client.simulation.call(call_id)


async def test_upper_case_id_is_sent_canonical(connect: Connect) -> None:
    """The backend answers its HTML 404 to an upper-case UUID (e2_uppercase_uuid)."""
    async with connect() as client:
        run_test = await client.run_tests.get("4F418CD0-F63A-416D-8089-A9342C1F830E")
    assert run_test.name == "Billing bot nightly"


async def test_a_shared_clients_authorization_header_never_reaches_the_backend(
    connect: Connect, strict: ReplayTransport
) -> None:
    """With an Authorization header the backend refuses valid keys (recorded 401)."""
    async with connect(http_headers={"Authorization": "Bearer abc.def.ghi"}) as client:
        run_test = await client.run_tests.get("4f418cd0-f63a-416d-8089-a9342c1f830e")
    assert run_test.name == "Billing bot nightly"
    assert strict.asked_exactly(["e2_get"])


@pytest.mark.parametrize("keys", [("", ""), (None, None)], ids=["empty", "none"])
def test_missing_keys_are_refused_before_any_request(
    keys: tuple[str | None, str | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backend answers 401 (e1_empty_keys, e1_no_keys); the client never asks."""
    monkeypatch.delenv("FI_API_KEY", raising=False)
    monkeypatch.delenv("FI_SECRET_KEY", raising=False)
    with pytest.raises(fa.ConfigurationError):
        fa.AsyncClient(*keys)
