"""Grid filters and grouped mode against the real backend's recorded answers."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

import futureagi_async as fa
from futureagi_async import Filter, FilterColumnError

from ._compare import assert_matches, assert_rows_match
from ._recordings import (
    REPLAY_API_KEY,
    REPLAY_SECRET_KEY,
    ReplayTransport,
    UnrecordedRequest,
    recording,
)
from .conftest import Connect

pytestmark = pytest.mark.anyio

EXECUTION = "13dd3f1d-92b2-475d-9f8d-f543f75ce5a5"
TONE = "00ddc139-c7db-4418-9f90-f32af2ab827f"
HELPFUL = "7a8c85c0-fae7-4503-83e9-269fd9282b70"
PROBE = "e4_exec2_limit1_p1"  # the one-row page that tells the grid's columns
STATUS_FAILED: list[Any] = [Filter("status", "text", "equals", "failed")]


@pytest.mark.parametrize(
    ("filters", "name"),
    [
        (STATUS_FAILED, "e4_filter_status_failed"),
        (
            [{"colId": "status", "filterType": "text", "type": "equals", "filter": "failed"}],
            "e4_filter_status_failed",
        ),
        (
            '[{"column_id": "status", "filter_config": '
            '{"filter_type": "text", "filter_op": "equals", "filter_value": "failed"}}]',
            "e4_filter_status_failed",
        ),
        (
            [Filter("overall_score", "number", "greater_than_or_equal", 8)],
            "e4_filter_overall_score_ge8",
        ),
        ([Filter(TONE, "number", "greater_than", 80)], "e4_filter_tone_gt80pct"),
    ],
    ids=["filter", "docs-dict", "backend-json", "overall-score", "eval-percent"],
)
async def test_filtered_calls_are_the_recorded_rows(
    connect: Connect, strict: ReplayTransport, filters: Any, name: str
) -> None:
    async with connect() as client:
        # Recorded with the pager's page size of the time, 50.
        rows = await client.test_executions.calls(
            EXECUTION, filters=filters, page_size=50
        ).collect()
    expected = recording(name).payload["results"]
    assert expected
    assert_rows_match(rows, expected)
    assert strict.asked_exactly([PROBE, name])


async def test_the_docs_form_is_not_sent_as_the_docs_write_it(
    connect: Connect, strict: ReplayTransport
) -> None:
    """Sent as the docs write it, the backend answers 400 (recorded)."""
    docs = json.loads(dict(recording("e4_filter_aggrid_shape").query)["filters"])
    async with connect() as client:
        await client.test_executions.calls(EXECUTION, filters=docs, page_size=50).collect()
    assert "e4_filter_aggrid_shape" not in strict.answered
    assert strict.asked_exactly([PROBE, "e4_filter_status_failed"])


async def test_get_page_with_filters(connect: Connect, strict: ReplayTransport) -> None:
    async with connect() as client:
        grid = await client.test_executions.get_page(EXECUTION, filters=STATUS_FAILED)
    assert_matches(grid, recording("e4_filter_status_failed").payload)
    assert strict.asked_exactly([PROBE, "e4_filter_status_failed"])


async def test_boolean_eval_filter_is_sent_as_text(transport: ReplayTransport) -> None:
    """The recorded boolean form matches nothing (e4_filter_eval_passed: 0 rows).

    The text form that works was never recorded, so this test only reads what is sent.
    """
    async with (
        httpx2.AsyncClient(transport=transport.transport()) as http,
        fa.AsyncClient(
            REPLAY_API_KEY, REPLAY_SECRET_KEY, base_url="http://127.0.0.1", http_client=http
        ) as client,
    ):
        pager = client.test_executions.calls(
            EXECUTION, filters=[Filter(HELPFUL, "boolean", "equals", True)]
        )
        with pytest.raises(UnrecordedRequest):
            await pager.collect()
    assert transport.answered == [PROBE]
    (sent,) = transport.unanswered
    assert '"filter_type":"text"' in sent
    assert '"filter_value":"Passed"' in sent


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (Filter("no_such_column", "text", "equals", "x"), "unknown filter column"),
        (Filter("helpful_or_not", "text", "equals", "Passed"), HELPFUL),
        (Filter(TONE, "boolean", "equals", True), "'number'"),
    ],
)
async def test_a_filter_the_backend_would_ignore_is_refused_before_any_row(
    connect: Connect, strict: ReplayTransport, item: Filter, message: str
) -> None:
    async with connect() as client:
        with pytest.raises(FilterColumnError, match=message):
            await client.test_executions.calls(EXECUTION, filters=[item]).collect()
        with pytest.raises(FilterColumnError, match=message):
            await client.test_executions.get_page(EXECUTION, filters=[item])
    assert strict.asked_exactly([PROBE, PROBE])  # only the columns were read


async def test_a_text_filter_with_a_json_true_is_refused_before_any_request(
    connect: Connect, strict: ReplayTransport
) -> None:
    """The backend answers 500 `function upper(boolean) does not exist` (recorded)."""
    item = {
        "column_id": "status",
        "filter_config": {"filter_type": "text", "filter_op": "equals", "filter_value": True},
    }
    async with connect() as client:
        with pytest.raises(ValueError, match="compare strings"):
            client.test_executions.calls(EXECUTION, filters=[item])
    assert strict.answered == []


def _grouped_answer(request: httpx2.Request) -> httpx2.Response:
    """The recorded answer to row_groups, for any limit or page.

    The backend crashes on every row_groups request before it pages (api-behaviour §10); it was
    recorded without `limit`, which the library always sends.
    """
    assert json.loads(request.url.params["row_groups"]) == ["status"]
    keys = request.url.params.get("group_keys")
    name = "e4_row_groups_status_keys" if keys else "e4_row_groups_status"
    return recording(name).response()


@pytest.mark.parametrize("group_keys", [None, ["completed"]])
async def test_grouped_mode_says_the_backend_is_broken(group_keys: list[str] | None) -> None:
    async with (
        httpx2.AsyncClient(transport=httpx2.MockTransport(_grouped_answer)) as http,
        fa.AsyncClient(
            REPLAY_API_KEY,
            REPLAY_SECRET_KEY,
            base_url="http://127.0.0.1",
            http_client=http,
            max_retries=0,
        ) as client,
    ):
        with pytest.raises(fa.ServerError) as caught:
            await client.test_executions.get_page(
                EXECUTION, row_groups=["status"], group_keys=group_keys
            )
    error = caught.value
    assert "grouped mode (row_groups) is broken on the backend" in error.message
    assert "has no attribute 'Cast'" in error.message
    assert error.status_code == 500
    assert error.body == recording("e4_row_groups_status").body_json
    assert error.url is not None
    assert "row_groups" in error.url
