"""`futureagi-async mcp` as an agent starts it: a subprocess on stdio, against the loopback fake."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator

import anyio
import pytest
from mcp import Client, StdioServerParameters

from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, DatasetSpec, FakeAPI

pytestmark = pytest.mark.anyio


@pytest.fixture
async def environment() -> AsyncIterator[dict[str, str]]:
    """The environment of a server process whose credentials are the loopback fake's."""
    async with FakeAPI(DatasetSpec(seed=0)).serve() as base_url:
        yield {
            **os.environ,
            "FI_API_KEY": TEST_API_KEY,
            "FI_SECRET_KEY": TEST_SECRET_KEY,
            "FI_BASE_URL": base_url,
        }


async def test_the_command_serves_the_tools_over_stdio(environment: dict[str, str]) -> None:
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


async def test_the_command_serves_streamable_http_on_loopback(
    environment: dict[str, str],
) -> None:
    command = [sys.executable, "-m", "futureagi_async", "mcp", "--http", "0"]
    async with await anyio.open_process(command, env=environment) as process:
        assert process.stderr is not None
        with anyio.fail_after(60):
            line = b""
            while not line.endswith(b"\n"):
                line += await process.stderr.receive(1)
        url = line.decode().split()[-1]
        assert url.startswith("http://127.0.0.1:")
        assert url.endswith("/mcp")
        try:
            async with Client(url, read_timeout_seconds=60) as session:
                result = await session.call_tool("list_run_tests", {"limit": 1})
        finally:
            process.terminate()
    assert not result.is_error
    assert result.structured_content is not None
    assert len(result.structured_content["run_tests"]) == 1
