"""The README quickstart, word for word (tests/test_readme.py keeps it so): `nox -s typecheck`
checks it with mypy --strict, as a user's own code would be."""

import anyio

import futureagi_async as fa


async def main() -> None:
    # FI_API_KEY / FI_SECRET_KEY from the environment (or pass api_key=, secret_key=).
    async with fa.AsyncClient() as client:
        async for run_test in client.run_tests.list(search="billing"):
            print(run_test.id, run_test.name, run_test.last_run_at)

        latest = await anext(aiter(client.simulation.runs("Billing bot nightly")))
        for result in latest.eval_results:
            print(result.name, result.total_pass_rate)

        async for call in client.test_executions.calls(
            latest.execution_id, filters=[fa.Filter("status", "text", "equals", "completed")]
        ):
            for output in call.eval_outputs.values():
                if output.passed is False:
                    print(call.scenario, output.name, output.reason)


anyio.run(main)
