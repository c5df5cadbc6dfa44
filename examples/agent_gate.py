"""An agent pipeline step: gate on the latest pass rates, and when they fall short, hand the
failure reasons to an LLM for a diagnosis. With scipy installed (the `gate` extra) it also
says whether the execution regressed from the previous one, or whether that cannot be told.

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

from futureagi_async import AsyncClient, SimulationExecution, gate

LLM = Callable[[str], Awaitable[str]]


@attrs.frozen
class GateResult:
    run_test: str
    execution_id: str | None
    pass_rates: dict[str, float]
    failing: tuple[str, ...]
    reasons: tuple[tuple[str, int], ...]
    diagnosis: str | None
    #: Against the previous completed execution: "no regression", "regression",
    #: "inconclusive"; None without scipy or without a previous execution.
    verdict: str | None = None


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


async def _verdict(
    client: AsyncClient, run_test: str, outcomes: gate.ExecutionOutcomes
) -> str | None:
    """The comparison with the previous completed execution, when it can be made."""
    try:
        result = await gate.compare(
            client, baseline=gate.PREVIOUS, candidate=outcomes, run_test_name=run_test
        )
    except (gate.StatisticsUnavailableError, gate.GateInputError) as exc:
        print(f"(no comparison: {exc})")
        return None
    return result.verdict


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
        assert execution.execution_id is not None
        # One read of every call: the assertions and the failure reasons both come from it.
        outcomes = await gate.fetch_outcomes(client, execution.execution_id)
        verdict = await _verdict(client, run_test, outcomes)
    pass_fail = [name for name, kind in outcomes.evals.items() if kind == gate.PASS_FAIL]
    results = gate.check_assertions(
        [gate.parse_assertion(f"{name}.pass_rate >= {min_pass_rate:g}%") for name in pass_fail],
        outcomes,
    )
    rates = {r.eval_name or "?": r.actual for r in results if r.actual is not None}
    failing = [r.eval_name or "?" for r in results if not r.passed]
    reasons = Counter(
        call.reasons[name] for call in outcomes.calls for name in failing if name in call.reasons
    )
    diagnosis = await llm(_prompt(run_test, failing, reasons)) if failing else None
    print(f"{run_test}: {', '.join(f'{n} {r:.1f}%' for n, r in rates.items())}")
    print("gate passed" if not failing else f"gate failed on {', '.join(failing)}")
    if verdict is not None:
        print(f"against the previous execution: {verdict}")
    if diagnosis:
        print(diagnosis)
    return GateResult(
        run_test,
        execution.execution_id,
        rates,
        tuple(failing),
        tuple(reasons.most_common()),
        diagnosis,
        verdict,
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
