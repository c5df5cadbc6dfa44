"""Faults the fake injects: retries finish the work, and what cannot finish is typed."""

from __future__ import annotations

import pytest

import futureagi_async as fa
from futureagi_async.testing import DEFAULT_KINDS, DatasetSpec, FakeAPI, FaultKind, Faults

from .helpers import ClientFactory, in_process, over_loopback

pytestmark = pytest.mark.anyio

TRANSIENT: list[FaultKind] = ["503", "429", "429-envelope", "html-502", "drop", "truncate", "drip"]


@pytest.mark.parametrize("kind", TRANSIENT)
async def test_each_transient_fault_is_retried_to_success(
    fake: FakeAPI, connect: ClientFactory, kind: FaultKind
) -> None:
    execution = fake.dataset.executions[0]
    fake.faults.push(kind, times=2)
    async with connect() as client:
        rows = await client.test_executions.calls(execution.id, page_size=10).collect()
    assert sorted(str(r.id) for r in rows) == sorted(
        c.id for c in fake.dataset.calls_of(execution.id)
    )
    assert [entry.fault for entry in fake.stats.request_log].count(kind) == 2


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("503", fa.ServerError),
        ("html-502", fa.ServerError),
        ("429", fa.RateLimitError),
        ("429-envelope", fa.RateLimitError),
        ("drop", fa.APIConnectionError),
        ("truncate", fa.ResponseDecodeError),
    ],
)
async def test_a_fault_that_persists_raises_its_documented_type(
    fake: FakeAPI, connect: ClientFactory, kind: FaultKind, error: type[Exception]
) -> None:
    fake.faults.push(kind, times=100)
    async with connect(max_retries=2) as client:
        with pytest.raises(error) as info:
            await client.run_tests.list().collect()
    assert fake.stats.requests_served == 3
    if isinstance(info.value, fa.RateLimitError):
        assert info.value.retry_after == fake.faults.retry_after


@pytest.mark.parametrize("kind", ["500", "html-500"])
async def test_plain_500s_are_not_retried(
    fake: FakeAPI, client: fa.AsyncClient, kind: FaultKind
) -> None:
    fake.faults.push(kind, times=1)
    with pytest.raises(fa.ServerError):
        await client.run_tests.list().collect()
    assert fake.stats.requests_served == 1


@pytest.mark.parametrize("how", [in_process, over_loopback])
async def test_a_bulk_read_under_random_faults_loses_and_duplicates_nothing(how: object) -> None:
    fake = FakeAPI(
        DatasetSpec(seed=3, run_tests=2, calls_per_execution=40),
        faults=Faults(rate=0.3, seed=11, kinds=DEFAULT_KINDS, drip_interval=0.001),
    )
    async with how(fake, max_retries=8) as client:  # type: ignore[operator]
        for execution in fake.dataset.executions:
            rows = await client.test_executions.calls(execution.id, page_size=7).collect()
            expected = sorted(c.id for c in fake.dataset.calls_of(execution.id))
            assert sorted(r.id for r in rows) == expected
    assert any(entry.fault for entry in fake.stats.request_log)
