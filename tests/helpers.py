"""Scripted answers for the pipeline's tests: a MockTransport that replies from a list."""

from __future__ import annotations

from collections.abc import Callable

import httpx2

from futureagi_async._client import AsyncClient

__all__ = ["API_KEY", "SECRET_KEY", "Handler", "Script", "client_for", "get", "ok"]

API_KEY = "ak-visible-nowhere"
SECRET_KEY = "sk-visible-nowhere"

Handler = Callable[[httpx2.Request], httpx2.Response]


class Script:
    """Answers requests from a list, one response per request, recording each request."""

    def __init__(self, *responses: httpx2.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx2.Request] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(request)
        answer = self.responses.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def client_for(handler: Handler, **kwargs: object) -> AsyncClient:
    http = httpx2.AsyncClient(transport=httpx2.MockTransport(handler), **kwargs)  # type: ignore[arg-type]
    return AsyncClient(API_KEY, SECRET_KEY, base_url="http://127.0.0.1:1", http_client=http)


def ok(body: object) -> httpx2.Response:
    return httpx2.Response(200, json=body)


async def get(client: AsyncClient, *, wrapped: bool = False) -> object:
    return await client._pipeline.get(
        "simulate/run-tests/", {"limit": "5"}, lambda body: body, wrapped=wrapped
    )
