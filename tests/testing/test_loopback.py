"""The fake on a real socket: `serve()` from asyncio and trio, and the command line."""

from __future__ import annotations

import sys

import anyio
import httpx2
import pytest

from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI, Faults

pytestmark = pytest.mark.anyio

RT = "/simulate/run-tests/"
HEADERS = {"X-Api-Key": TEST_API_KEY, "X-Secret-Key": TEST_SECRET_KEY}


async def test_serve_checklist_over_a_socket() -> None:
    fake = FakeAPI(faults=Faults(drip_interval=0.001))
    async with (
        fake.serve() as base_url,
        httpx2.AsyncClient(base_url=base_url, headers=HEADERS) as http,
    ):
        assert base_url.startswith("http://127.0.0.1:")
        # Routing and auth.
        assert (await http.get("/simulate/run-tests/nope/")).status_code == 404
        moved = await http.get("/simulate/run-tests", params={"limit": 1})
        assert (moved.status_code, moved.headers["location"]) == (
            301,
            "/simulate/run-tests/?limit=1",
        )
        denied = await http.get(RT, headers={"X-Secret-Key": "bad"})
        assert (denied.status_code, denied.headers["www-authenticate"]) == (401, "ApiKey")
        # Pagination links carry the real host and port.
        page = (await http.get(RT, params={"limit": 1})).json()
        assert page["next"] == f"{base_url}/simulate/run-tests/?limit=1&page=2"
        assert (await http.get(RT, params={"limit": 1, "page": 9})).status_code == 500
        # Faults on the wire.
        fake.faults.push("429-envelope")
        limited = await http.get(RT)
        assert (limited.status_code, limited.headers["retry-after"]) == (429, "1")
        assert limited.json()["result"]["code"] == "RATE_LIMITED"
        fake.faults.push("html-502")
        gateway = await http.get(RT)
        assert gateway.status_code == 502
        assert gateway.headers["content-type"].startswith("text/html")
        whole = (await http.get(RT)).content
        fake.faults.push("truncate")
        assert (await http.get(RT)).content == whole[: len(whole) // 2]
        fake.faults.push("drip")
        assert (await http.get(RT)).content == whole
        fake.faults.push("drop")
        with pytest.raises(httpx2.RemoteProtocolError):
            await http.get(RT)
        # The server is still up after a dropped connection.
        assert (await http.get(RT)).status_code == 200


async def test_serve_handles_concurrency_without_blocking() -> None:
    fake = FakeAPI(latency=0.02)
    limits = httpx2.Limits(max_connections=16)
    async with (
        fake.serve() as base_url,
        httpx2.AsyncClient(base_url=base_url, headers=HEADERS, limits=limits) as http,
    ):

        async def one() -> None:
            assert (await http.get(RT)).status_code == 200

        async with anyio.create_task_group() as tg:
            for _ in range(16):
                tg.start_soon(one)
    assert fake.stats.requests_served == 16
    assert fake.stats.max_in_flight > 1


async def test_command_line() -> None:
    command = [
        sys.executable,
        "-m",
        "futureagi_async.testing",
        "--port",
        "0",
        "--dialect",
        "docs",
        "--calls-per-execution",
        "3",
        "--log-level",
        "critical",
    ]
    async with await anyio.open_process(command) as process:
        try:
            assert process.stdout is not None
            line = b""
            while not line.endswith(b"\n"):
                line += await process.stdout.receive(1)
            base_url = line.decode().strip()
            async with httpx2.AsyncClient(base_url=base_url, headers=HEADERS) as http:
                body = (await http.get(RT)).json()
                ex = body["results"][0]["id"]
                assert "total_pages" not in body  # docs dialect
                detail = (await http.get(f"{RT}{ex}/")).json()
                assert detail["id"] == ex
        finally:
            process.terminate()
            await process.wait()
