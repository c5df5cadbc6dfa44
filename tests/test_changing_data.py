"""Listings that change, or lie, while they are paged: no row lost, none twice, always an end.

`LiveListing` serves a listing of ids in `updated_at` order and lets a test change it before
each request; the fake's own `add_calls`/`remove_calls` hooks change real endpoint data.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any, cast

import httpx2
import pytest

import futureagi_async as fa
from futureagi_async import AsyncClient
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, DatasetSpec, Dialect, FakeAPI

from .test_hostile import (
    LISTINGS,
    PAST_THE_END,
    LiveListing,
    listing_body,
    mock_client,
    paged_rows,
    row_ids,
)

pytestmark = pytest.mark.anyio


async def read_all(family: str, listing: LiveListing) -> list[str | None]:
    async with mock_client(listing) as client:
        rows = await LISTINGS[family](client, listing.size).collect()
    return row_ids(family, rows)


# --- 6. pagers that never end --------------------------------------------------------------

ENDLESS_TOTALS = [
    ("null", str(10**30)),
    ("null", "1e308"),
    (str(10**30), "null"),
    ("1e308", "Infinity"),
    ("null", "null"),
    ('"²"', '"²"'),
    ("null", str(10**6)),  # believable, and still a lie
    (str(10**7), "null"),
]


class Endless(LiveListing):
    """Every page is full: of the same rows, or of `cycle` sets of rows in turn."""

    def __init__(self, family: str, size: int, *, cycle: int, announce: tuple[str, str]):
        super().__init__(family, paged_rows(size * cycle), size, announce=announce, limit=200)
        self.cycle = cycle

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        page = int(request.url.params["page"])
        slot = (page - 1) % self.cycle
        url = request.url.copy_set_param("page", str(slot + 1))
        return super().__call__(httpx2.Request("GET", url))


@pytest.mark.parametrize("family", LISTINGS)
@pytest.mark.parametrize(("count", "total"), ENDLESS_TOTALS)
@pytest.mark.parametrize("cycle", [1, 3])
async def test_a_listing_that_never_ends_is_read_once_and_ends(
    family: str, count: str, total: str, cycle: int
) -> None:
    listing = Endless(family, 4, cycle=cycle, announce=(count, total))
    got = await read_all(family, listing)
    assert sorted(got) == sorted(listing.rows)  # type: ignore[type-var]
    assert listing.requests < 50


@pytest.mark.parametrize("family", LISTINGS)
async def test_a_listing_of_rows_without_ids_that_never_ends_still_ends(family: str) -> None:
    def no_ids(request: httpx2.Request) -> httpx2.Response:
        listing.requests += 1
        if listing.requests > listing.limit:
            raise RuntimeError("the pager ran away")
        body = listing_body(family, [], count="null", total_pages="null")
        row = '{"name": "no id"}, {"name": "no id"}'
        body = body.replace(b'"results": []', b'"results": [' + row.encode() + b"]")
        body = body.replace(b'"calls": []', b'"calls": [' + row.encode() + b"]")
        return httpx2.Response(200, content=body, headers={"content-type": "application/json"})

    listing = LiveListing(family, [], 2, limit=200)
    # A row without its id cannot be told apart from the others: the first page is refused,
    # naming the row, and the walk ends there.
    async with mock_client(no_ids) as client:
        with pytest.raises(fa.ResponseDecodeError, match=r"\[0\]: a \w+ needs a string `\w+`"):
            await LISTINGS[family](client, 2).collect()
    assert listing.requests < 50


# --- 7. listings that shrink while they are read -------------------------------------------


@pytest.mark.parametrize("family", LISTINGS)
@pytest.mark.parametrize("past_the_end", PAST_THE_END)
@pytest.mark.parametrize("removed", [1, 4, 9, 20])
async def test_rows_removed_while_paging_end_the_listing_cleanly(
    family: str, past_the_end: str, removed: int
) -> None:
    rows = paged_rows(23)
    gone: set[str] = set()

    def shrink(listing: LiveListing) -> None:
        if listing.requests == 2:  # after page 1 was read: the newest rows go
            gone.update(listing.rows[:removed])
            del listing.rows[:removed]

    listing = LiveListing(family, rows.copy(), 3, change=shrink, past_the_end=past_the_end)
    got = await read_all(family, listing)
    assert len(got) == len(set(got))
    assert set(got) >= set(rows) - gone
    assert set(got) <= set(rows)
    assert listing.requests < 60


@pytest.mark.parametrize("family", LISTINGS)
async def test_a_real_500_on_a_page_the_total_still_covers_is_raised(family: str) -> None:
    listing = LiveListing(family, paged_rows(23), 3)
    listing.failures[5] = 1
    with pytest.raises(fa.ServerError) as info:
        await read_all(family, listing)
    assert info.value.status_code == 500


@pytest.mark.parametrize("family", LISTINGS)
async def test_invalid_page_past_a_total_that_overstates_ends_the_listing(family: str) -> None:
    rows = paged_rows(7)
    listing = LiveListing(family, rows, 3, past_the_end="docs-404", announce=("30", "10"))
    assert await read_all(family, listing) == rows


@asynccontextmanager
async def fake_client(fake: FakeAPI) -> AsyncIterator[AsyncClient]:
    async with (
        httpx2.AsyncClient(transport=fake.transport()) as http,
        AsyncClient(
            TEST_API_KEY, TEST_SECRET_KEY, base_url="http://127.0.0.1", http_client=http
        ) as client,
    ):
        yield client


@pytest.fixture(params=["backend", "docs"])
def fake(request: pytest.FixtureRequest) -> FakeAPI:
    spec = DatasetSpec(seed=11, run_tests=2, executions_per_run_test=2, calls_per_execution=40)
    return FakeAPI(spec, dialect=cast(Dialect, request.param))


PAGERS: dict[str, Callable[[AsyncClient, str], Any]] = {
    "simulation.execution_calls": lambda c, e: c.simulation.execution_calls(e, page_size=5),
    "test_executions.calls": lambda c, e: c.test_executions.calls(e, page_size=5),
}


def ids_of(rows: list[Any]) -> list[str]:
    return [getattr(r, "call_execution_id", None) or r.id for r in rows]


@pytest.mark.parametrize("pager", PAGERS)
@pytest.mark.parametrize("removed", [3, 12, 30])
async def test_calls_removed_from_the_fake_while_paging(
    fake: FakeAPI, pager: str, removed: int
) -> None:
    execution = fake.dataset.executions[0]
    before = {c.id for c in fake.dataset.calls_of(execution.id)}
    got: list[str] = []
    gone: set[str] = set()
    async with fake_client(fake) as client:
        async for page in PAGERS[pager](client, execution.id).pages():
            got.extend(ids_of(page.items))
            if not gone:
                gone = {c.id for c in fake.remove_calls(execution.id, removed)}
    assert len(got) == len(set(got))
    assert before - gone <= set(got) <= before


@pytest.mark.parametrize("pager", PAGERS)
async def test_a_real_500_from_the_fake_after_page_one_is_raised(fake: FakeAPI, pager: str) -> None:
    execution = fake.dataset.executions[0]

    async def read() -> None:
        async for _ in PAGERS[pager](client, execution.id).pages():
            fake.faults.push("500", times=1)

    async with fake_client(fake) as client:
        with pytest.raises(fa.ServerError):
            await read()


async def test_runs_of_a_run_test_that_loses_executions_while_paging() -> None:
    rows = paged_rows(9)

    def shrink(listing: LiveListing) -> None:
        if listing.requests == 2:
            del listing.rows[:4]

    listing = LiveListing("runs", rows.copy(), 2, change=shrink)
    got = await read_all("runs", listing)
    assert len(got) == len(set(got))
    assert set(got) >= set(rows[4:])


# --- 8. listings that grow or reorder while they are read ----------------------------------


def fresh_ids(prefix: str) -> Callable[[], str]:
    counter = iter(range(10**6))
    return lambda: f"{prefix}-0000-4000-8000-{next(counter):012d}"


@pytest.mark.parametrize("family", LISTINGS)
@pytest.mark.parametrize(("rows", "size"), [(30, 10), (60, 10), (120, 50), (45, 7)])
async def test_rows_inserted_at_the_top_on_every_request(family: str, rows: int, size: int) -> None:
    original = paged_rows(rows)
    new_id = fresh_ids("11111111")

    def insert(listing: LiveListing) -> None:
        listing.rows[:0] = [new_id() for _ in range(3)]

    listing = LiveListing(family, original.copy(), size, change=insert)
    got = await read_all(family, listing)
    assert len(got) == len(set(got))
    assert set(original) <= set(got)
    assert listing.requests < 200


@pytest.mark.parametrize("family", LISTINGS)
# Three rows move per request: a page must be well larger than that for a few passes to
# catch every row that moved (at 45 rows, 7 a page, rows moved from the middle need 6).
@pytest.mark.parametrize(("rows", "size"), [(30, 10), (60, 10), (120, 50), (45, 9), (300, 50)])
@pytest.mark.parametrize("which", ["oldest", "middle"])
async def test_rows_updated_to_the_top_on_every_request(
    family: str, rows: int, size: int, which: str
) -> None:
    original = paged_rows(rows)

    def update(listing: LiveListing) -> None:
        for _ in range(3):
            row = listing.rows.pop(-1 if which == "oldest" else len(listing.rows) // 2)
            listing.rows.insert(0, row)

    listing = LiveListing(family, original.copy(), size, change=update)
    got = await read_all(family, listing)
    assert len(got) == len(set(got))
    assert set(got) == set(original)
    assert listing.requests < 200


@pytest.mark.parametrize("pager", PAGERS)
async def test_calls_added_to_the_fake_on_every_request(fake: FakeAPI, pager: str) -> None:
    execution = fake.dataset.executions[0]
    before = {c.id for c in fake.dataset.calls_of(execution.id)}
    app = fake.app

    async def growing(scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            fake.add_calls(execution.id, 3)
        await app(scope, receive, send)

    async with (
        httpx2.AsyncClient(transport=httpx2.ASGITransport(app=growing)) as http,
        AsyncClient(
            TEST_API_KEY, TEST_SECRET_KEY, base_url="http://127.0.0.1", http_client=http
        ) as client,
    ):
        got = ids_of(await PAGERS[pager](client, execution.id).collect())
    assert len(got) == len(set(got))
    assert before <= set(got)
