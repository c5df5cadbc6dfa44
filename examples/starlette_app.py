"""A Starlette app that shares one `AsyncClient` through its lifespan.

Needs the `examples` extra (Starlette, and uvicorn to serve it): from a clone,
`pip install -e ".[examples]"`.

One client for the whole app means one connection pool and one `max_concurrency` bound
shared by every request, instead of a pool (and a TLS handshake) per request. The lifespan
opens it at startup and closes it at shutdown; handlers read it from `request.state`.

    python examples/starlette_app.py          # calls the app against the built-in fake
    uvicorn examples.starlette_app:app        # serves it for real (FI_API_KEY, FI_SECRET_KEY)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from futureagi_async import AsyncClient, NotFoundError


def create_app(**client_options: Any) -> Starlette:
    """`client_options` go to `AsyncClient` (credentials, base_url, http_client, ...)."""

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
        async with AsyncClient(**client_options) as client:
            yield {"client": client}  # becomes `request.state.client`

    async def run_tests(request: Request) -> JSONResponse:
        client: AsyncClient = request.state.client
        items = [{"id": r.id, "name": r.name} async for r in client.run_tests.list()]
        return JSONResponse(items)

    async def latest(request: Request) -> JSONResponse:
        client: AsyncClient = request.state.client
        name = request.path_params["name"]
        try:
            async for execution in client.simulation.runs(name, page_size=1):
                rates = {
                    r.name: r.total_pass_rate
                    for r in execution.eval_results
                    if r.total_pass_rate is not None
                }
                return JSONResponse(
                    {
                        "execution_id": execution.execution_id,
                        "status": execution.status,
                        "pass_rates": rates,
                    }
                )
        except NotFoundError:
            pass
        return JSONResponse({"detail": f"no executions for {name!r}"}, status_code=404)

    return Starlette(
        routes=[
            Route("/run-tests", run_tests),
            Route("/run-tests/{name}/latest", latest),
        ],
        lifespan=lifespan,
    )


# For `uvicorn examples.starlette_app:app`: the client is made at startup, from FI_* variables.
app = create_app()


def main(
    base_url: str | None = None,
    *,
    http_client: httpx2.AsyncClient | None = None,
    api_key: str | None = None,
    secret_key: str | None = None,
) -> dict[str, Any]:
    """Start the app (lifespan included), call both routes, return what they said."""
    from starlette.testclient import TestClient

    web = create_app(
        api_key=api_key, secret_key=secret_key, base_url=base_url, http_client=http_client
    )
    with TestClient(web) as browser:  # runs the lifespan: one client for both requests
        run_tests = browser.get("/run-tests").json()
        name = run_tests[0]["name"]
        latest = browser.get(f"/run-tests/{name}/latest").json()
    print(f"GET /run-tests -> {len(run_tests)} run tests")
    print(f"GET /run-tests/{name}/latest -> {latest}")
    return {"run_tests": run_tests, "latest": latest}


if __name__ == "__main__":
    # The built-in fake, in-process: no credentials, no network.
    from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI

    main(
        "http://127.0.0.1",
        http_client=httpx2.AsyncClient(transport=FakeAPI().transport()),
        api_key=TEST_API_KEY,
        secret_key=TEST_SECRET_KEY,
    )
