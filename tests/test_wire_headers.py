"""Answers whose headers are not ASCII, over a loopback socket, on both HTTP backends.

A header value may carry any byte from 0x80 up (RFC 9110 calls it obs-text). The body of a
compressed answer is decoded by the library itself (`_http.read_whole`), which must keep the
header bytes as they came rather than re-encode them as text.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable

import pytest

from futureagi_async import AsyncClient
from futureagi_async._http import HttpBackend
from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY

from .wire_helpers import answer_with, clear_proxy_environment, serve

pytestmark = pytest.mark.anyio

ID = "4f418cd0-0000-4000-8000-000000000001"
BODY = json.dumps({"count": 1, "total_pages": 1, "results": [{"id": ID}]}).encode()
ENCODINGS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "deflate": zlib.compress,
    "identity": lambda raw: raw,
}
ODD_HEADERS = [b"caf\xe9 \xff\x80", "café ✓".encode()]


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    clear_proxy_environment(monkeypatch)


def answer(encoding: str, value: bytes) -> bytes:
    body = ENCODINGS[encoding](BODY)
    head = (
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n"
        b"content-encoding: " + encoding.encode() + b"\r\n"
        b"x-note: " + value + b"\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    return head + body


@pytest.mark.parametrize("http_backend", ["httpx2", "aiohttp"])
@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("value", ODD_HEADERS)
async def test_a_compressed_answer_with_a_non_ascii_header_is_read(
    http_backend: HttpBackend, encoding: str, value: bytes
) -> None:
    async with (
        serve(answer_with(answer(encoding, value))) as server,
        AsyncClient(
            TEST_API_KEY,
            TEST_SECRET_KEY,
            base_url=server.base_url,
            http_backend=http_backend,
            max_retries=0,
        ) as client,
    ):
        rows = await client.run_tests.list(page_size=5).collect()
    assert [row.id for row in rows] == [ID]
