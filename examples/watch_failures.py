"""Watch an execution while it runs and react to each failed call as soon as it is final.

`client.test_executions.watch()` yields every call exactly once, when its status is final
and no eval is pending, and ends when the execution does. Here each failure (the call itself
failed, or one of its Pass/Fail evals did) is handed to `on_failure`, which in real life
might post to a chat channel or open a ticket; the first `stop_after` failures stop the
watch early (`break` leaves nothing running).

    python examples/watch_failures.py                    # a live execution on the built-in fake
    FI_API_KEY=... FI_SECRET_KEY=... python examples/watch_failures.py EXECUTION_ID --live
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from contextlib import aclosing

import anyio
import attrs
import httpx2

from futureagi_async import AsyncClient, CallExecution


@attrs.frozen
class Failure:
    call_id: str
    reasons: tuple[str, ...]


def failure_of(call: CallExecution) -> Failure | None:
    """Why the call failed (its own end, or its failing evals), or None if it passed."""
    reasons = []
    if (call.status or "").casefold() == "failed":
        reasons.append(f"call failed: {call.ended_reason or 'no reason given'}")
    for output in call.eval_outputs.values():
        if output.passed is False:
            reasons.append(f"{output.name}: {output.reason or 'failed'}")
    return Failure(call.id or "?", tuple(reasons)) if reasons else None


async def print_failure(failure: Failure) -> None:
    print(f"{failure.call_id}: " + "; ".join(failure.reasons))


async def main(
    execution_id: str,
    base_url: str | None = None,
    *,
    http_client: httpx2.AsyncClient | None = None,
    api_key: str | None = None,
    secret_key: str | None = None,
    poll_interval: float = 5.0,
    on_failure: Callable[[Failure], Awaitable[None]] = print_failure,
    stop_after: int | None = None,
) -> tuple[int, list[Failure]]:
    """Watch `execution_id`; return how many calls finished and the failures seen."""
    finished, failures = 0, []
    async with AsyncClient(
        api_key, secret_key, base_url=base_url, http_client=http_client
    ) as client:
        calls = client.test_executions.watch(execution_id, poll_interval=poll_interval)
        async with aclosing(calls) as each:
            async for call in each:
                finished += 1
                failure = failure_of(call)
                if failure is None:
                    continue
                failures.append(failure)
                await on_failure(failure)
                if stop_after is not None and len(failures) >= stop_after:
                    break
    print(f"{finished} calls finished, {len(failures)} failed", file=sys.stderr)
    return finished, failures


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--live"]
    if "--live" in sys.argv:
        anyio.run(lambda: main(args[0]))
    else:
        from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI

        fake = FakeAPI()
        # Thirty calls over ten seconds, a fifth of them failing on the line.
        running = fake.run_execution("Billing bot nightly", calls=30, seconds=10, fail_ratio=0.2)
        anyio.run(
            lambda: main(
                running,
                "http://127.0.0.1",
                http_client=httpx2.AsyncClient(transport=fake.transport()),
                api_key=TEST_API_KEY,
                secret_key=TEST_SECRET_KEY,
                poll_interval=0.5,
            )
        )
