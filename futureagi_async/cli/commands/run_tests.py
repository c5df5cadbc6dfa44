"""`run-tests list` and `run-tests get`."""

from __future__ import annotations

import argparse

from ..._client import AsyncClient
from ...models import RunTest
from .._arguments import Subcommands, add_command, add_group, add_limit
from .._output import Output, take
from .._run_test_ref import RUN_TEST_HELP, run_test_id

__all__ = ["register"]


def register(commands: Subcommands) -> None:
    actions = add_group(commands, "run-tests", "run tests (list, get)")
    p = add_command(actions, "list", "list run tests, newest first", run=run_list)
    p.add_argument("--search", help="match the name or the agent's name")
    p.add_argument("--type", choices=["agent_definition", "prompt"], help="simulation type")
    add_limit(p)
    p = add_command(actions, "get", "one run test with its scenarios and evals", run=run_get)
    p.add_argument("id", metavar="RUN_TEST", help=RUN_TEST_HELP)


# Short words for the list's type column (the full value is in --json).
_TYPES = {"agent_definition": "agent", "prompt": "prompt"}


def _agent_of(run_test: RunTest) -> str | None:
    detail = run_test.agent_definition_detail
    if detail is not None and detail.agent_name:
        return detail.agent_name
    prompt = run_test.prompt_template_detail
    return prompt.name if prompt is not None else None


async def run_list(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    items = await take(
        client.run_tests.list(search=args.search, simulation_type=args.type), args.limit
    )
    if out.fmt != "table":
        out.items(items)
        return 0
    out.table(
        f"{len(items)} run test(s)",
        ["id", "name", "type", "agent / prompt", "scenarios", "evals", "last run"],
        (
            [
                r.id,
                r.name,
                _TYPES.get(r.source_type or "", r.source_type),
                _agent_of(r),
                len(r.scenarios),
                len(r.simulate_eval_configs),
                r.last_run_at,
            ]
            for r in items
        ),
    )
    return 0


async def run_get(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    run_test = await client.run_tests.get(await run_test_id(client, args.id))
    if out.fmt != "table":
        out.write_json(run_test)
        return 0
    out.table(
        run_test.name,
        ["field", "value"],
        [
            ["id", run_test.id],
            ["description", run_test.description],
            ["type", run_test.source_type],
            ["agent / prompt", _agent_of(run_test)],
            ["created", run_test.created_at],
            ["updated", run_test.updated_at],
        ],
    )
    out.table(
        "scenarios",
        ["id", "name", "type", "status"],
        ([s.id, s.name, s.scenario_type, s.status] for s in run_test.scenarios_detail),
    )
    out.table(
        "evals",
        ["id", "name", "output", "status"],
        (
            [e.id, e.name, (e.config or {}).get("output"), e.status]
            for e in run_test.simulate_eval_configs_detail
        ),
    )
    return 0
