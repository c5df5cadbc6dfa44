"""The replay itself: what it answers, and that it answers nothing else."""

from __future__ import annotations

import httpx2
import pytest

import futureagi_async as fa

from ._recordings import (
    REPLAY_API_KEY,
    REPLAY_SECRET_KEY,
    ReplayTransport,
    UnrecordedRequest,
    _all,
    _index,
    canonical_query,
)

pytestmark = pytest.mark.anyio

_RT = "/simulate/run-tests/4f418cd0-f63a-416d-8089-a9342c1f830e"
_KEYS = {"X-Api-Key": REPLAY_API_KEY, "X-Secret-Key": REPLAY_SECRET_KEY}


async def _get(transport: ReplayTransport, url: str, **headers: str) -> httpx2.Response:
    async with httpx2.AsyncClient(transport=transport.transport()) as http:
        return await http.get("http://127.0.0.1" + url, headers=headers or _KEYS)


async def test_query_order_does_not_matter() -> None:
    transport = ReplayTransport()
    response = await _get(transport, f"{_RT}/call-executions/?page=2&limit=10")
    assert response.status_code == 200
    assert response.json()["current_page"] == 2
    assert transport.answered == ["e3_limit10_p2"]


async def test_a_request_nobody_recorded_fails() -> None:
    transport = ReplayTransport()
    with pytest.raises(UnrecordedRequest, match="limit"):
        await _get(transport, f"{_RT}/call-executions/?limit=7&page=1")
    assert len(transport.unanswered) == 1


async def test_a_repeated_param_is_not_a_single_one() -> None:
    transport = ReplayTransport()
    assert (await _get(transport, "/simulate/run-tests/?limit=2&limit=1")).status_code == 200
    with pytest.raises(UnrecordedRequest):
        await _get(transport, "/simulate/run-tests/?limit=1&limit=1")


async def test_credentials_pick_the_recording() -> None:
    transport = ReplayTransport()
    wrong = await _get(transport, "/simulate/run-tests/", **{**_KEYS, "X-Secret-Key": "wrong"})
    assert wrong.status_code == 401
    with pytest.raises(UnrecordedRequest):  # nobody asked with this key
        await _get(transport, "/simulate/run-tests/", **{**_KEYS, "X-Api-Key": "other"})
    assert transport.answered == ["e1_bad_secret"]


async def test_the_page_past_the_end_is_answered_when_recorded() -> None:
    transport = ReplayTransport()
    response = await _get(transport, f"{_RT}/call-executions/?limit=10&page=7")
    assert response.json()["results"] == []
    assert transport.answered == ["e3_limit10_p7_past_end"]


def test_json_params_compare_by_value_and_page_1_is_the_default() -> None:
    compact = canonical_query([("filters", '[{"a":1,"b":[2]}]'), ("page", "1")])
    spaced = canonical_query([("filters", '[{"b": [2], "a": 1}]')])
    assert compact == spaced
    assert canonical_query([("filters", "status=failed")]) == (("filters", "status=failed"),)


def test_twins_answer_alike() -> None:
    """Recordings that ask the same (with and without `page=1`) hold the same answer."""
    assert len(_index()) < len(_all())  # there are twins, and loading checked them


async def test_a_library_request_nobody_recorded_fails_the_call() -> None:
    transport = ReplayTransport()
    async with (
        httpx2.AsyncClient(transport=transport.transport()) as http,
        fa.AsyncClient(
            REPLAY_API_KEY, REPLAY_SECRET_KEY, base_url="http://127.0.0.1", http_client=http
        ) as client,
    ):
        with pytest.raises(UnrecordedRequest):
            await client.run_tests.list(page_size=7).collect()
    assert transport.unanswered
