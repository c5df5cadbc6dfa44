"""`dialect="docs"`: the shapes of the published pages instead of the backend's."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx2
import pytest

from futureagi_async.testing import FakeAPI

pytestmark = pytest.mark.anyio

RT = "/simulate/run-tests/"
SDK = "/sdk/api/v1/simulation/runs/"
MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture(scope="module")
def docs() -> FakeAPI:
    return FakeAPI(dialect="docs")


@pytest.fixture
async def http(docs: FakeAPI) -> AsyncIterator[httpx2.AsyncClient]:
    async with docs.http_client() as client:
        yield client


def test_unknown_dialect() -> None:
    with pytest.raises(ValueError, match="dialect"):
        FakeAPI(dialect="nope")  # type: ignore[arg-type]


async def test_list_and_detail(docs: FakeAPI, http: httpx2.AsyncClient) -> None:
    body = (await http.get(RT, params={"limit": "2", "extra": "ignored"})).json()
    assert list(body) == ["count", "next", "previous", "results"]
    item = body["results"][0]
    assert len(item) == 12
    assert isinstance(item["description"], str)
    assert MILLIS.match(item["created_at"])
    detail = (await http.get(f"{RT}{docs.dataset.run_tests[0].id}/")).json()
    assert detail["agent_version"] == docs.dataset.run_tests[0].agent_definition.version_id  # type: ignore[union-attr]
    assert detail["last_run_at"] is not None
    assert not {"organization", "deleted", "deleted_at", "evals"} & set(detail)
    past = (await http.get(RT, params={"page": "99"})).json()
    assert past["results"] == []


async def test_call_executions(docs: FakeAPI, http: httpx2.AsyncClient) -> None:
    rt = docs.dataset.run_tests[0]
    body = (await http.get(f"{RT}{rt.id}/call-executions/")).json()
    assert list(body) == ["count", "next", "previous", "results"]
    row = body["results"][0]
    assert set(row["scenario"]) == {"id", "name"}
    assert "created_at" in row
    for name, item in row["eval_outputs"].items():
        assert set(item) == {"name", "output", "output_type", "reason"}
        assert item["name"] == name
    assert all(not r["is_snapshot"] for r in body["results"])


async def test_execution_object_with_calls(docs: FakeAPI, http: httpx2.AsyncClient) -> None:
    ex = docs.dataset.executions[0]
    body = (await http.get(f"/simulate/test-executions/{ex.id}/")).json()
    assert {"id", "run_test", "run_test_name", "total_calls", "success_rate", "calls"} <= set(body)
    assert "results" not in body
    assert body["id"] == ex.id
    assert len(body["calls"]) == 10
    assert isinstance(body["calls"][0]["scenario"], str)
    missing = await http.get("/simulate/test-executions/00000000-0000-4000-8000-000000000000/")
    assert missing.status_code == 404


async def test_sdk_shapes(docs: FakeAPI, http: httpx2.AsyncClient) -> None:
    ex = docs.dataset.executions[2]
    result = (await http.get(SDK, params={"execution_id": ex.id, "summary": "true"})).json()[
        "result"
    ]
    assert MILLIS.match(result["started_at"])
    for row in result["call_results"]["results"]:
        for item in row["eval_outputs"].values():
            assert set(item) == {"name", "output", "output_type", "reason"}
    summary = result["eval_explanation_summary"]
    if summary:
        (clusters,) = summary.values()
        assert set(clusters[0]) == {"cluster_name", "call_execution_ids", "description"}
    bad = await http.get(SDK)
    assert bad.status_code == 400
    assert "errors" not in bad.json()
