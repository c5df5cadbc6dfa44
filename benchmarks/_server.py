"""Stand-in for the fake API on loopback: canned JSON pages with a fixed latency.

Used until `python -m futureagi_async.testing` can serve the benchmark's endpoints. It is an
asyncio Protocol answering from precomputed bytes so that it costs the server core as little
as possible and the client side is what gets measured.

    python -m benchmarks._server --port 0 --latency 0.05 --rows-per-page 10
prints `READY <port>` once listening.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import uuid
from urllib.parse import parse_qs, urlsplit

EXECUTION_ID = "3f6c2a52-8d1e-4c4b-9a57-0c3b1f0e9a11"


def listing_id(total: int) -> str:
    """An execution id that tells the stand-in how many rows its listing holds."""
    return f"00000000-0000-4000-8000-{total:012d}"


def call_row(i: int) -> dict[str, object]:
    """One CallRow-shaped object of about 2.5 KB (BEHAVIOUR.md section 4.1)."""
    rid = uuid.UUID(int=i + 1)
    return {
        "id": str(rid),
        "call_execution_id": str(rid),
        "scenario": "Refund for a damaged parcel",
        "scenario_id": str(uuid.UUID(int=7)),
        "status": "completed",
        "call_type": "outbound",
        "simulation_call_type": "voice",
        "phone_number": f"+15550100{i % 1000:03d}",
        "customer_number": "+15550199000",
        "duration": 93.5 + i % 7,
        "overall_score": 0.82,
        "avg_agent_latency_ms": 812,
        "cost_cents": 12,
        "turn_count": 14,
        "agent_talk_percentage": 46.3,
        "call_summary": "The customer asked for a refund of a damaged parcel. " * 6,
        "ended_reason": "customer-ended-call",
        "timestamp": "2026-03-05T10:11:12.790114Z",
        "created_at": "2026-03-05T10:11:12.790114Z",
        "updated_at": "2026-03-05T10:13:45Z",
        "session_id": str(uuid.UUID(int=i + 100_000)),
        "service_provider_call_id": f"vapi-{i:08d}",
        "transcript": [],
        "recordings": {},
        "rerun_snapshots": [],
        "scenario_columns": {
            f"col_{k}": {"value": "persona detail text " * 3, "column_id": str(uuid.UUID(int=k))}
            for k in range(4)
        },
        "eval_outputs": {
            str(uuid.UUID(int=1000 + k)): {
                "name": f"eval_{k}",
                "output": 0.75,
                "output_type": "score",
                "reason": "The agent confirmed the order number and offered a refund. " * 2,
                "status": "completed",
            }
            for k in range(4)
        },
    }


def page(rows: list[dict[str, object]], page_no: int, total_pages: int, count: int) -> bytes:
    return json.dumps(
        {
            "count": count,
            "next": None if page_no >= total_pages else f"?page={page_no + 1}",
            "previous": None if page_no <= 1 else f"?page={page_no - 1}",
            "results": rows,
            "total_pages": total_pages,
            "current_page": page_no,
            "column_order": [],
            "error_messages": [],
            "status": "completed",
            "provider": "vapi",
            "agent_type": "voice",
        },
        separators=(",", ":"),
    ).encode()


def response(body: bytes) -> bytes:
    return b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%b" % (
        len(body),
        body,
    )


class Pages:
    """Page bodies: every row has its own id, as pagers de-duplicate by id."""

    def __init__(self, rows_per_page: int) -> None:
        self.rows_per_page = rows_per_page
        marker = str(uuid.UUID(int=1))
        self.template = json.dumps(call_row(0), separators=(",", ":")).replace(marker, "%(id)s")
        self.cache: dict[tuple[int, int, int], bytes] = {}

    def get(self, query: dict[str, str]) -> bytes:
        limit = int(query.get("limit", self.rows_per_page))
        total = int(query.get("total", 1000 * limit))
        page_no = int(query.get("page", 1))
        total_pages = max(1, -(-total // limit))
        key = (limit, total, page_no)
        if (cached := self.cache.get(key)) is None:
            first = (page_no - 1) * limit
            ids = range(first, min(first + limit, total)) if page_no <= total_pages else ()
            rows = ",".join(self.template % {"id": uuid.UUID(int=i + 1)} for i in ids)
            doc = page([], page_no, total_pages, total).decode()
            body = doc.replace('"results":[]', '"results":[' + rows + "]", 1).encode()
            cached = response(body)
            if len(self.cache) < 256:
                self.cache[key] = cached
        return cached


class Protocol(asyncio.Protocol):
    def __init__(self, pages: Pages, latency: float) -> None:
        self.pages = pages
        self.latency = latency
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        while (end := self.buf.find(b"\r\n\r\n")) >= 0:
            head, self.buf = self.buf[:end], self.buf[end + 4 :]
            target = head.split(b" ", 2)[1].decode()
            url = urlsplit(target)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            last = url.path.rstrip("/").rsplit("/", 1)[-1]
            if last.startswith("00000000-0000-4000-8000-"):
                query.setdefault("total", str(int(last[-12:])))
            body = self.pages.get(query)
            if self.latency:
                asyncio.get_running_loop().call_later(self.latency, self.send, body)
            else:
                self.send(body)

    def send(self, body: bytes) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.transport.write(body)

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


async def serve(port: int, latency: float, rows_per_page: int) -> None:
    pages = Pages(rows_per_page)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: Protocol(pages, latency), "127.0.0.1", port, backlog=1024
    )
    print("READY", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--rows-per-page", type=int, default=10)
    parser.add_argument("--cpu", type=int, default=None, help="pin to this core")
    args = parser.parse_args()
    if args.cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    try:
        asyncio.run(serve(args.port, args.latency, args.rows_per_page))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
