"""The suite's own settings: what tests/conftest.py promises every async test."""

from __future__ import annotations

import asyncio

import pytest

from futureagi_async._retry import retries_are_instant


@pytest.mark.anyio
async def test_asyncio_runs_in_debug_mode_and_retries_are_instant(anyio_backend: object) -> None:
    if anyio_backend != "trio":
        assert asyncio.get_running_loop().get_debug()
    assert retries_are_instant()
