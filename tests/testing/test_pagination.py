"""Pagination of every view as the backend does it, and links per host and scheme."""

from __future__ import annotations

import math
from typing import Any

import httpx2
import pytest

from futureagi_async.testing import DatasetSpec, FakeAPI

pytestmark = pytest.mark.anyio

RT = "/simulate/run-tests/"
SDK = "/sdk/api/v1/simulation/runs/"


def _calls_path(fake: FakeAPI, i: int = 0) -> str:
    return f"{RT}{fake.dataset.run_tests[i].id}/call-executions/"


def _execution_path(fake: FakeAPI, i: int = 0) -> str:
    return f"/simulate/test-executions/{fake.dataset.executions[i].id}/"


async def test_run_test_list_pages_links_and_past_end(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    r = await http.get(RT, params={"search": "", "limit": "1", "page": "2", "b": ""})
    body = r.json()
    assert body["count"] == 4
    assert (body["total_pages"], body["current_page"]) == (4, 2)
    # Sorted params, `page` replaced; the link to page 1 drops it.
    assert body["next"] == "http://127.0.0.1/simulate/run-tests/?b=&limit=1&page=3&search="
    assert body["previous"] == "http://127.0.0.1/simulate/run-tests/?b=&limit=1&search="
    r = await http.get(RT, params={"limit": "1", "page": "5"})
    assert r.status_code == 500
    assert r.json()["message"] == "Failed to retrieve run tests: Invalid page."
    # 2.0 passes validation, then the paginator rejects it; `last` is not a page here.
    assert (await http.get(RT, params={"page": "2.0"})).status_code == 500
    assert (await http.get(RT, params={"page": "last"})).status_code == 400
    r = await http.get(RT)
    assert r.json()["next"] is None
    assert len(r.json()["results"]) == 4


async def test_run_test_list_empty_has_one_page(http: httpx2.AsyncClient) -> None:
    body = (await http.get(RT, params={"search": "zzz-nothing"})).json()
    assert (body["count"], body["total_pages"], body["results"]) == (0, 1, [])


async def test_links_follow_host_and_scheme() -> None:
    fake = FakeAPI(link_scheme="https")
    async with fake.http_client(base_url="http://api.example:8080") as http:
        body = (await http.get(RT, params={"limit": "1"})).json()
    assert body["next"] == "https://api.example:8080/simulate/run-tests/?limit=1&page=2"


async def test_call_executions_hand_built_pages(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    path = _calls_path(fake)
    first = (await http.get(path, params={"limit": "7"})).json()
    count = first["count"]
    assert first["total_pages"] == math.ceil(count / 7)
    # Page kept in place, last value wins; page 1 drops `page` and leaves a bare `?`.
    r = await http.get(path + "?page=2&limit=5&limit=7")
    body = r.json()
    assert body["next"].endswith("/call-executions/?page=3&limit=7")
    assert body["previous"].endswith("/call-executions/?limit=7")
    body = (await http.get(path, params={"page": "2"})).json()
    assert body["previous"].endswith("/call-executions/?")
    past = (await http.get(path, params={"page": "99", "limit": "7"})).json()
    assert (past["results"], past["current_page"], past["next"]) == ([], 99, None)
    assert past["previous"].endswith("page=98&limit=7")


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({"page": "abc"}, "invalid literal for int() with base 10: 'abc'"),
        ({"limit": "2.5"}, "invalid literal for int()"),
        ({"page": "0"}, "OFFSET must not be negative"),
        ({"limit": "-1"}, "LIMIT must not be negative"),
    ],
)
async def test_call_executions_bad_ints_are_500(
    fake: FakeAPI, http: httpx2.AsyncClient, params: dict[str, str], fragment: str
) -> None:
    r = await http.get(_calls_path(fake), params=params)
    assert r.status_code == 500
    assert r.json()["message"].startswith("Failed to retrieve call executions: ")
    assert fragment in r.json()["message"]


async def test_call_executions_limit_zero_never_ends(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    body = (await http.get(_calls_path(fake), params={"limit": "0"})).json()
    assert (body["results"], body["total_pages"]) == ([], 1)
    assert body["next"] is not None


async def test_call_executions_empty_has_zero_pages(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    body = (await http.get(_calls_path(fake), params={"status": "nothing"})).json()
    assert (body["count"], body["total_pages"], body["next"]) == (0, 0, None)


async def test_call_executions_counts_deleted_rows_so_pages_run_short() -> None:
    fake = FakeAPI(DatasetSpec(deleted_ratio=0.3, snapshot_ratio=0.0))
    rows: list[dict[str, Any]] = []
    async with fake.http_client() as http:
        first = (await http.get(_calls_path(fake), params={"limit": "10"})).json()
        for page in range(1, first["total_pages"] + 1):
            body = (await http.get(_calls_path(fake), params={"limit": "10", "page": page})).json()
            rows += body["results"]
    run_test = fake.dataset.run_tests[0].id
    every = [c for c in fake.dataset.calls if c.run_test_id == run_test]
    assert first["count"] == len(every)
    assert len(rows) == sum(not c.deleted for c in every) < first["count"]


async def test_grid_default_sizes_and_past_end(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    path = _execution_path(fake)
    count = len(fake.dataset.calls_of(fake.dataset.executions[0].id))
    assert 10 < count <= 30
    body = (await http.get(path)).json()
    assert (len(body["results"]), body["total_pages"]) == (10, math.ceil(count / 10))
    assert body["next"] == f"http://127.0.0.1{path}?page=2"
    past = (await http.get(path, params={"page": "9"})).json()
    assert list(past) == [
        "count",
        "next",
        "previous",
        "results",
        "total_pages",
        "current_page",
        "column_order",
        "error_messages",
        "status",
    ]
    # Recounted with the fallback's own default of 30.
    assert (past["results"], past["total_pages"], past["next"], past["previous"]) == (
        [],
        1,
        None,
        None,
    )
    assert (await http.get(path, params={"page": "2.0"})).json()["results"] == []
    assert (await http.get(path, params={"page": "0"})).status_code == 400


async def test_grouped_mode_answers_500_as_the_running_backend_does(
    fake: FakeAPI, http: httpx2.AsyncClient
) -> None:
    r = await http.get(_execution_path(fake), params={"row_groups": '["status"]'})
    assert r.status_code == 500
    assert r.json()["message"] == (
        "Failed to retrieve test execution: module 'django.db.models' has no attribute 'Cast'"
    )


async def test_grouped_mode_when_fixed() -> None:
    fake = FakeAPI(DatasetSpec(seed=7), fixed_row_groups=True)
    async with fake.http_client() as http:
        await _grouped_mode(fake, http)


async def _grouped_mode(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    path = _execution_path(fake)
    body = (await http.get(path, params={"row_groups": '["status"]', "limit": "1"})).json()
    assert set(body) == {
        "count",
        "next",
        "previous",
        "results",
        "total_pages",
        "current_page",
        "column_order",
        "error_messages",
    }
    calls = fake.dataset.calls_of(fake.dataset.executions[0].id)
    statuses = {c.status for c in calls}
    assert body["count"] == body["total_pages"] == len(statuses)
    assert body["next"] == "?page=2"
    row = body["results"][0]
    assert list(row)[:2] == ["status", "count"]
    grouped = (await http.get(path, params={"row_groups": '["status"]'})).json()
    assert sum(g["count"] for g in grouped["results"]) == len(calls)
    by_day = (await http.get(path, params={"row_groups": '["timestamp"]'})).json()
    assert len(by_day["results"][0]["created_at__date"]) == 10
    drill = await http.get(
        path, params={"row_groups": '["status","scenario"]', "group_keys": '["completed"]'}
    )
    completed = sum(c.status == "completed" for c in calls)
    assert sum(g["count"] for g in drill.json()["results"]) == completed
    assert "scenario__name" in drill.json()["results"][0]


async def test_simulation_runs_pages(fake: FakeAPI, http: httpx2.AsyncClient) -> None:
    execution = fake.dataset.executions[0].id
    count = len(fake.dataset.calls_of(execution))
    base = {"execution_id": execution}
    body = (await http.get(SDK, params={**base, "limit": "4"})).json()["result"]["call_results"]
    assert (body["count"], body["total_pages"], body["current_page"]) == (
        count,
        math.ceil(count / 4),
        1,
    )
    assert "next" not in body
    last = (await http.get(SDK, params={**base, "limit": "4", "page": "last"})).json()
    assert last["result"]["call_results"]["current_page"] == body["total_pages"]
    for limit in ("0", "-3", "abc"):
        forgiven = (await http.get(SDK, params={**base, "limit": limit})).json()
        assert len(forgiven["result"]["call_results"]["results"]) == min(10, count)
    for page in ("99", "x", "0"):
        r = await http.get(SDK, params={**base, "page": page})
        assert r.status_code == 500
        assert r.json()["message"] == "Unable to fetch simulation runs."
    name = fake.dataset.run_tests[0].name
    runs = (await http.get(SDK, params={"run_test_name": name, "limit": "2"})).json()["result"]
    assert set(runs) == {"total_pages", "current_page", "count", "results"}


async def test_no_limit_cap() -> None:
    fake = FakeAPI(DatasetSpec(calls_per_execution=120, executions_per_run_test=1))
    async with fake.http_client() as http:
        path = _execution_path(fake)
        body = (await http.get(path, params={"limit": "1000"})).json()
    assert len(body["results"]) == body["count"] > 100
