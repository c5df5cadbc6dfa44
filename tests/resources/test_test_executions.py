from __future__ import annotations

import pytest

import futureagi_async as fa
from futureagi_async.testing import FakeAPI

from .helpers import ClientFactory

pytestmark = pytest.mark.anyio

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.mark.parametrize("page_size", [1, 3, 7, 10])
async def test_calls_yields_every_live_call_once(
    fake: FakeAPI, client: fa.AsyncClient, page_size: int
) -> None:
    execution = fake.dataset.executions[0]
    rows = await client.test_executions.calls(execution.id, page_size=page_size).collect()
    assert sorted(str(r.id) for r in rows) == sorted(
        c.id for c in fake.dataset.calls_of(execution.id)
    )


async def test_get_page_reads_results_or_calls(fake: FakeAPI, connect: ClientFactory) -> None:
    execution = fake.dataset.executions[0]
    async with connect() as client:
        page = await client.test_executions.get_page(execution.id, page_size=5)
    assert isinstance(page, fa.TestExecutionPage)
    assert len(page.results) == 5
    assert all(isinstance(r, fa.CallExecution) for r in page.results)


async def test_missing_execution_is_not_found(connect: ClientFactory) -> None:
    async with connect() as client:
        with pytest.raises(fa.NotFoundError):
            await client.test_executions.get_page(MISSING)


async def test_status_filter(fake: FakeAPI, client: fa.AsyncClient, dialect: str) -> None:
    if dialect == "docs":
        pytest.skip("the docs describe no canonical filters")
    execution = fake.dataset.executions[0]
    completed = fa.Filter("status", "text", "equals", "completed")
    rows = await client.test_executions.calls(execution.id, filters=[completed]).collect()
    expected = [c for c in fake.dataset.calls_of(execution.id) if c.status == "completed"]
    assert sorted(str(r.id) for r in rows) == sorted(c.id for c in expected)


async def test_rows_pushed_across_a_page_boundary_come_once(
    fake: FakeAPI, client: fa.AsyncClient
) -> None:
    execution = fake.dataset.executions[0]
    original = {c.id for c in fake.dataset.calls_of(execution.id)}
    pages = client.test_executions.calls(execution.id, page_size=5).pages()
    first = await anext(pages)
    fake.add_calls(execution.id, 3)  # newest first: every later row moves down three places
    rest = [page async for page in pages]
    ids = [row.id for page in [first, *rest] for row in page.items]
    assert len(ids) == len(set(ids))
    assert original <= set(ids)
