"""What the public overloads promise to a type checker, checked by `mypy --strict` over tests.

`assert_type` is a no-op at run time, so these tests also run (and pass) under pytest; what
they test is the type check in `nox -s typecheck`.
"""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from typing import assert_type

import pytest

import futureagi_async as fa
from futureagi_async import (
    AsyncClient,
    BoundedMap,
    ExecutionExport,
    Outcome,
    Results,
    RunTest,
    SimulationCall,
    SimulationExecution,
)

pytestmark = pytest.mark.anyio

IDS = ["3f6c2a52-8d1e-4c4b-9a57-0c3b1f0e9a11"]


async def double(item: int) -> int:
    return item * 2


def test_resource_fan_outs_follow_return_exceptions() -> None:
    client = AsyncClient("ak", "sk")
    assert_type(client.run_tests.get_many(IDS), BoundedMap[RunTest])
    assert_type(client.run_tests.get_many(IDS, ordered=True), BoundedMap[RunTest])
    assert_type(
        client.run_tests.get_many(IDS, return_exceptions=True), BoundedMap[Outcome[str, RunTest]]
    )
    assert_type(client.simulation.execution_many(IDS), BoundedMap[SimulationExecution])
    assert_type(
        client.simulation.execution_many(IDS, ordered=True, return_exceptions=True),
        BoundedMap[Outcome[str, SimulationExecution]],
    )
    assert_type(client.simulation.call_many(IDS), BoundedMap[SimulationCall])
    assert_type(
        client.simulation.call_many(IDS, return_exceptions=True),
        BoundedMap[Outcome[str, SimulationCall]],
    )


def test_export_follows_return_exceptions() -> None:
    client = AsyncClient("ak", "sk")
    assert_type(
        client.export("Billing bot nightly"),
        AbstractAsyncContextManager[Results[ExecutionExport]],
    )
    assert_type(
        client.export("Billing bot nightly", ordered=True, return_exceptions=True),
        AbstractAsyncContextManager[Results[Outcome[str, ExecutionExport]]],
    )


async def test_bounded_map_and_map_all_follow_return_exceptions() -> None:
    assert_type(fa.bounded_map(double, [1, 2]), BoundedMap[int])
    assert_type(fa.bounded_map(double, [1, 2], ordered=True), BoundedMap[int])
    assert_type(
        fa.bounded_map(double, [1, 2], return_exceptions=True), BoundedMap[Outcome[int, int]]
    )
    assert_type(await fa.map_all(double, [1, 2]), list[int])
    assert_type(await fa.map_all(double, [1, 2], return_exceptions=True), list[Outcome[int, int]])
