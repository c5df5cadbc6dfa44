"""`futureagi-async mcp` as an agent starts it: a subprocess on stdio, against the loopback fake."""

from __future__ import annotations

import os
import sys

import pytest
from mcp import Client, StdioServerParameters

from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, DatasetSpec, FakeAPI

pytestmark = pytest.mark.anyio


async def test_the_command_serves_the_tools_over_stdio() -> None:
    fake = FakeAPI(DatasetSpec(seed=0))
    async with fake.serve() as base_url:
        environment = {
            **os.environ,
            "FI_API_KEY": TEST_API_KEY,
            "FI_SECRET_KEY": TEST_SECRET_KEY,
            "FI_BASE_URL": base_url,
        }
        command = StdioServerParameters(
            command=sys.executable, args=["-m", "futureagi_async", "mcp"], env=environment
        )
        async with Client(command, read_timeout_seconds=60) as session:
            names = {tool.name for tool in (await session.list_tools()).tools}
            assert len(names) == 5
            result = await session.call_tool("list_run_tests", {"limit": 2})
    assert not result.is_error
    assert result.structured_content is not None
    assert len(result.structured_content["run_tests"]) == 2
