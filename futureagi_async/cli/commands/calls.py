"""`calls list`: every call of a run test, across its executions."""

from __future__ import annotations

import argparse
import sys

from ..._client import AsyncClient
from ...models import CallStatus
from .._arguments import Subcommands, add_command, add_group, add_limit
from .._call_table import print_calls
from .._output import Output, take
from .._run_test_ref import RUN_TEST_HELP, run_test_id

__all__ = ["register"]


def register(commands: Subcommands) -> None:
    actions = add_group(commands, "calls", "calls across every execution of a run test")
    p = add_command(actions, "list", "every call of a run test, newest activity first", run=run)
    p.add_argument("run_test", metavar="RUN_TEST", help=RUN_TEST_HELP)
    p.add_argument("--search", help="match the scenario or call fields")
    p.add_argument(
        "--status",
        type=_status,
        help="call status: " + ", ".join(CallStatus) + " (any case)",
    )
    add_limit(p)


def _status(text: str) -> str:
    """A known status in the API's spelling (its match is exact and lowercase: `Completed`
    would match nothing); an unknown one is passed on as given, with a warning."""
    known = CallStatus.parse(text.strip())
    if known is not None:
        return known.value
    print(
        f"warning: --status {text!r} is not a call status seen so far "
        f"({', '.join(CallStatus)}); the API matches it exactly",
        file=sys.stderr,
    )
    return text


async def run(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    run_test = await run_test_id(client, args.run_test)
    pager = client.run_tests.call_executions(run_test, search=args.search, status=args.status)
    items = await take(pager, args.limit)
    if out.fmt != "table":
        out.items(items)
        return 0
    detail = await client.run_tests.get(run_test)
    current = {e.name for e in detail.simulate_eval_configs_detail if e.name}
    print_calls(out, items, current)
    return 0
