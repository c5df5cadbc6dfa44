"""`calls list`: every call of a run test, across its executions."""

from __future__ import annotations

import argparse

from ..._client import AsyncClient
from .._arguments import Subcommands, add_command, add_group, add_limit
from .._call_table import print_calls
from .._output import Output, take

__all__ = ["register"]


def register(commands: Subcommands) -> None:
    actions = add_group(commands, "calls", "calls across every execution of a run test")
    p = add_command(actions, "list", "every call of a run test, newest activity first", run=run)
    p.add_argument("run_test_id", metavar="RUN_TEST_ID")
    p.add_argument("--search", help="match the scenario or call fields")
    p.add_argument("--status", help="exact call status, e.g. completed")
    add_limit(p)


async def run(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    pager = client.run_tests.call_executions(
        args.run_test_id, search=args.search, status=args.status
    )
    items = await take(pager, args.limit)
    if out.fmt != "table":
        out.items(items)
        return 0
    run_test = await client.run_tests.get(args.run_test_id)
    current = {e.name for e in run_test.simulate_eval_configs_detail if e.name}
    print_calls(out, items, current)
    return 0
