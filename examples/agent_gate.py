"""An agent pipeline step: gate on the latest pass rates, and when they fall short, hand the
failure reasons to an LLM for a diagnosis.

`ask_llm` is a stub standing in for your model call (OpenAI, Anthropic, a local model...):
replace it with anything that takes a prompt and returns text.

    python examples/agent_gate.py             # against the built-in fake, in-process
    FI_API_KEY=... FI_SECRET_KEY=... python examples/agent_gate.py "My run test" --live
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Awaitable, Callable

import anyio
import attrs
import httpx2

from futureagi_async import AsyncClient, SimulationExecution

LLM = Callable[[str], Awaitable[str]]


@attrs.frozen
class GateResult:
    run_test: str
    execution_id: str | None
    pass_rates: dict[str, float]
    failing: tuple[str, ...]
    reasons: tuple[tuple[str, int], ...]
    diagnosis: str | None


async def ask_llm(prompt: str) -> str:
    """Stub LLM: a real one would read the reasons and suggest fixes to the agent."""
    reasons = [line for line in prompt.splitlines() if line.startswith("- ")]
    return f"(stub LLM) {len(reasons)} distinct failure reasons; start with: {reasons[0][2:]}"


def _prompt(run_test: str, failing: list[str], reasons: Counter[str]) -> str:
    lines = [
        f"The voice agent tested by {run_test!r} is below its pass-rate bar on "
        f"{', '.join(failing)}. These are the evaluator's reasons for failed calls, with how "
        "often each occurred. Group them into root causes and propose prompt changes.",
        *(f"- {reason} (x{count})" for reason, count in reasons.most_common(20)),
    ]
    return "\n".join(lines)


async def _latest(client: AsyncClient, name: str) -> SimulationExecution:
    async for execution in client.simulation.runs(name, page_size=1):
        return execution
    raise SystemExit(f"{name!r} has no executions")


async def main(
    base_url: str | None = None,
    *,
    http_client: httpx2.AsyncClient | None = None,
    api_key: str | None = None,
    secret_key: str | None = None,
    run_test: str | None = None,
    min_pass_rate: float = 90.0,
    llm: LLM = ask_llm,
) -> GateResult:
    async with AsyncClient(
        api_key, secret_key, base_url=base_url, http_client=http_client
    ) as client:
        if run_test is None:  # the demo picks one; a pipeline would name its own
            async for first in client.run_tests.list(page_size=1):
                run_test = first.name
                break
        assert run_test is not None
        execution = await _latest(client, run_test)
        rates = {
            r.name or "?": r.total_pass_rate
            for r in execution.eval_results
            if r.total_pass_rate is not None
        }
        failing = [name for name, rate in rates.items() if rate < min_pass_rate]
        # Failed outputs carry the config name, not the template name: match on either.
        failing_names = {
            c.name for r in execution.eval_results if r.name in failing for c in r.result if c.name
        } | set(failing)
        reasons: Counter[str] = Counter()
        if failing and execution.execution_id:
            async for call in client.simulation.execution_calls(execution.execution_id):
                for output in call.eval_outputs.values():
                    if output.name in failing_names and output.passed is False and output.reason:
                        reasons[output.reason] += 1
    diagnosis = await llm(_prompt(run_test, failing, reasons)) if failing else None
    print(f"{run_test}: {', '.join(f'{n} {r:.1f}%' for n, r in rates.items())}")
    print("gate passed" if not failing else f"gate failed on {', '.join(failing)}")
    if diagnosis:
        print(diagnosis)
    return GateResult(
        run_test,
        execution.execution_id,
        rates,
        tuple(failing),
        tuple(reasons.most_common()),
        diagnosis,
    )


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a != "--live"]
    name = args[0] if args else None
    if "--live" in sys.argv:
        result = anyio.run(lambda: main(run_test=name))
    else:
        from futureagi_async.testing import TEST_API_KEY, TEST_SECRET_KEY, FakeAPI

        fake = httpx2.AsyncClient(transport=FakeAPI().transport())
        result = anyio.run(
            lambda: main(
                "http://127.0.0.1",
                http_client=fake,
                api_key=TEST_API_KEY,
                secret_key=TEST_SECRET_KEY,
                run_test=name,
            )
        )
    sys.exit(0 if not result.failing else 1)
