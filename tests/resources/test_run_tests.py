from __future__ import annotations

from urllib.parse import parse_qs

import pytest

import futureagi_async as fa
from futureagi_async.testing import FakeAPI

from .helpers import ClientFactory

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("page_size", [1, 3, 7, 10])
async def test_list_yields_every_run_test_once_newest_first(
    fake: FakeAPI, client: fa.AsyncClient, page_size: int
) -> None:
    run_tests = await client.run_tests.list(page_size=page_size).collect()
    expected = sorted(fake.dataset.run_tests, key=lambda r: r.created_at, reverse=True)
    assert [r.id for r in run_tests] == [r.id for r in expected]
    assert all(isinstance(r, fa.RunTest) and r.name for r in run_tests)


async def test_list_and_get_over_both_connections(fake: FakeAPI, connect: ClientFactory) -> None:
    async with connect() as client:
        listed = await client.run_tests.list(page_size=2).collect()
        assert listed[0].id is not None
        detail = await client.run_tests.get(listed[0].id)
    assert detail.id == listed[0].id
    assert detail.name == listed[0].name
    assert len(listed) == len(fake.dataset.run_tests)


async def test_search_and_type_filters(fake: FakeAPI, client: fa.AsyncClient) -> None:
    target = fake.dataset.run_tests[0]
    found = await client.run_tests.list(search=target.name).collect()
    assert target.id in {r.id for r in found}
    prompts = await client.run_tests.list(simulation_type="prompt").collect()
    assert all(r.source_type == "prompt" for r in prompts)


async def test_get_missing_is_not_found(client: fa.AsyncClient) -> None:
    with pytest.raises(fa.NotFoundError):
        await client.run_tests.get(MISSING)


async def test_bad_arguments_fail_before_any_request(fake: FakeAPI, client: fa.AsyncClient) -> None:
    with pytest.raises(ValueError, match="UUID"):
        await client.run_tests.get("../../admin")
    with pytest.raises(ValueError, match="simulation_type"):
        client.run_tests.list(simulation_type="voice")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="prompt"):
        client.run_tests.list(prompt_template_id=MISSING)
    with pytest.raises(ValueError, match="page_size"):
        client.run_tests.list(page_size=0)
    assert fake.stats.requests_served == 0


@pytest.mark.parametrize("page_size", [1, 3, 7, 10])
async def test_call_executions_every_row_once_never_past_the_end(
    fake: FakeAPI, client: fa.AsyncClient, page_size: int
) -> None:
    run_test = fake.dataset.run_tests[0]
    pager = client.run_tests.call_executions(run_test.id, page_size=page_size)
    pages = [page async for page in pager.pages()]
    ids = [row.id for page in pages for row in page.items]
    assert len(ids) == len(set(ids))
    live_calls = {
        c.id for e in fake.dataset.executions_of(run_test.id) for c in fake.dataset.calls_of(e.id)
    }
    assert live_calls <= set(ids)
    announced = pages[0].total_pages
    assert [p.page for p in pages] == list(range(1, max(announced, 1) + 1))
    requested = [parse_qs(entry.query).get("page", ["1"])[0] for entry in fake.stats.request_log]
    assert sorted(map(int, requested)) == list(range(1, max(announced, 1) + 1))


async def test_call_executions_status_filter(fake: FakeAPI, connect: ClientFactory) -> None:
    run_test = fake.dataset.run_tests[0]
    async with connect() as client:
        rows = await client.run_tests.call_executions(run_test.id, status="completed").collect()
    assert rows
    assert {r.status for r in rows} == {"completed"}
