"""The error envelopes and the strict-parameter regimes of each view."""

from __future__ import annotations

import httpx2
import pytest

from futureagi_async.testing import FakeAPI

pytestmark = pytest.mark.anyio

RT = "/simulate/run-tests/"
SDK = "/sdk/api/v1/simulation/runs/"
MESSAGE_KEYS = ("detail", "message", "error", "result")


def _same_message(body: dict[str, object]) -> str:
    messages = {body[k] for k in MESSAGE_KEYS}
    assert len(messages) == 1
    (message,) = messages
    assert isinstance(message, str)
    return message


async def test_validation_envelope_exactly(http: httpx2.AsyncClient) -> None:
    r = await http.get(RT, params={"page": "x"})
    assert r.status_code == 400
    assert list(r.json()) == [
        "status",
        "type",
        "code",
        "detail",
        "message",
        "error",
        "result",
        "attr",
        "details",
    ]
    assert r.json() == {
        "status": False,
        "type": "validation_error",
        "code": "invalid",
        "detail": "page: A valid integer is required.",
        "message": "page: A valid integer is required.",
        "error": "page: A valid integer is required.",
        "result": "page: A valid integer is required.",
        "attr": "page",
        "details": {"page": ["A valid integer is required."]},
    }


async def test_several_fields_are_joined_and_first_code_wins(http: httpx2.AsyncClient) -> None:
    r = await http.get(RT, params={"simulation_type": "nope", "page": "0", "limit": "x"})
    body = r.json()
    assert body["code"] == "invalid_choice"
    assert _same_message(body) == (
        'simulation_type: "nope" is not a valid choice.; '
        "page: Ensure this value is greater than or equal to 1.; "
        "limit: A valid integer is required."
    )
    assert body["attr"] == "simulation_type"
    assert list(body["details"]) == ["simulation_type", "page", "limit"]


@pytest.mark.parametrize("path_kind", ["list", "execution"])
async def test_unknown_param_hides_other_errors(
    fake: FakeAPI, http: httpx2.AsyncClient, path_kind: str
) -> None:
    path = (
        RT if path_kind == "list" else f"/simulate/test-executions/{fake.dataset.executions[0].id}/"
    )
    r = await http.get(path, params={"page": "x", "foo": "1", "bar": "2"})
    assert r.status_code == 400
    assert r.json()["details"] == {"foo": ["Unknown field."], "bar": ["Unknown field."]}


async def test_empty_value_counts_as_absent(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    assert (await http.get(RT, params={"page": "", "foo": ""})).status_code == 200
    execution = fake.dataset.executions[0].id
    r = await http.get(SDK, params={"execution_id": execution, "summary": "", "page": ""})
    assert r.status_code == 200


async def test_the_run_test_detail_views_ignore_unknown_params(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    run_test = fake.dataset.run_tests[0].id
    assert (await http.get(f"{RT}{run_test}/", params={"x": "1"})).status_code == 200
    r = await http.get(f"{RT}{run_test}/call-executions/", params={"x": "1"})
    assert r.status_code == 200


async def test_sdk_variant_reports_everything(http: httpx2.AsyncClient) -> None:
    r = await http.get(SDK, params={"execution_id": "nope", "summary": "maybe", "foo": "1"})
    assert r.status_code == 400
    body = r.json()
    assert _same_message(body) == "Validation failed"
    assert body["code"] == "invalid"
    assert body["type"] == "validation_error"
    assert (
        body["details"]
        == body["errors"]
        == {
            "execution_id": ["Must be a valid UUID."],
            "summary": ["Must be a valid boolean."],
            "foo": ["Unknown field."],
        }
    )


async def test_sdk_needs_a_selector(http: httpx2.AsyncClient) -> None:
    r = await http.get(SDK, params={"eval_name": "x", "page": "2"})
    assert r.json()["details"] == {
        "non_field_errors": [
            "At least one of 'run_test_name', 'execution_id', or 'call_execution_id' is required."
        ]
    }
    assert "attr" not in r.json()


@pytest.mark.parametrize("value", ["true", "True", "TRUE", "t", "yes", "on", "1", "off", "N"])
async def test_sdk_summary_booleans(fake: FakeAPI, http: httpx2.AsyncClient, value: str) -> None:
    r = await http.get(
        SDK, params={"execution_id": fake.dataset.executions[0].id, "summary": value}
    )
    assert r.status_code == 200


async def test_view_level_errors_have_no_details(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    r = await http.get(f"{RT}{missing}/")
    assert r.status_code == 404
    body = r.json()
    assert (body["type"], body["code"], _same_message(body)) == (
        "not_found",
        "not_found",
        "Run test not found",
    )
    assert "details" not in body
    assert "attr" not in body
    r = await http.get(f"/simulate/test-executions/{missing}/")
    assert r.status_code == 500
    assert r.json()["code"] == "server_error"
    assert _same_message(r.json()) == (
        "Failed to retrieve test execution: No TestExecution matches the given query."
    )
    for params, message in (
        ({"execution_id": missing}, "Test execution not found."),
        ({"call_execution_id": missing}, "Call execution not found."),
        ({"run_test_name": "nobody"}, "Run test not found."),
    ):
        r = await http.get(SDK, params=params)
        assert r.status_code == 404
        assert _same_message(r.json()) == message


async def test_rate_limit_envelopes(fake: FakeAPI) -> None:
    fresh = FakeAPI()
    fresh.faults.push("429")
    fresh.faults.push("429-envelope")
    async with fresh.http_client() as http:
        flat = await http.get(RT)
        middleware = await http.get(RT)
    assert flat.status_code == middleware.status_code == 429
    assert flat.headers["retry-after"] == middleware.headers["retry-after"] == "1"
    assert flat.json()["type"] == "rate_limit"
    _same_message(flat.json())
    assert middleware.json() == {
        "status": False,
        "result": {
            "code": "RATE_LIMITED",
            "message": "Rate limit exceeded: 60 api requests per minute",
            "retry_after": 1,
        },
    }
