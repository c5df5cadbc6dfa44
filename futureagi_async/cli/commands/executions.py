"""`executions calls`: one execution's call grid, with filters."""

from __future__ import annotations

import argparse
import json

from ..._client import AsyncClient
from ..._filters import Filter
from .._arguments import Subcommands, add_command, add_group, add_limit
from .._call_table import print_calls
from .._errors import UsageError
from .._eval_names import config_names
from .._output import Output, take

__all__ = ["parse_filter", "register"]


def register(commands: Subcommands) -> None:
    actions = add_group(commands, "executions", "one execution's call grid")
    p = add_command(actions, "calls", "every call of one test execution", run=run)
    p.add_argument("id", metavar="TEST_EXECUTION_ID")
    p.add_argument("--search", help="free-text search")
    p.add_argument(
        "--filter",
        action="append",
        metavar="FILTER",
        help="COLUMN=VALUE (text equals) or one filter as JSON; repeatable",
    )
    add_limit(p)


def parse_filter(text: str) -> Filter:
    """`status=completed` (a text equality) or one filter as JSON, in any form the library
    takes (`Filter.from_dict`): the docs' `{"colId", "filterType", "type", "filter"}`, the
    backend's `{"column_id", "filter_config": {...}}`, or that flattened."""
    text = text.strip()
    try:
        if text.startswith(("{", "[")):
            return Filter.from_dict(json.loads(text))
        column, sep, value = text.partition("=")
        if sep and column.strip():
            return Filter(column.strip(), "text", "equals", value)
        exc: Exception = ValueError("expected COLUMN=VALUE")
    except ValueError as error:  # bad JSON too (JSONDecodeError is a ValueError)
        exc = error
    raise UsageError(
        f"--filter {text!r}: {exc}; use COLUMN=VALUE or JSON like "
        '{"colId": "overall_score", "filterType": "number", "type": "greaterThan", '
        '"filter": 5} or {"column_id": "overall_score", "filter_type": "number", '
        '"filter_op": "greater_than", "filter_value": 5}'
    )


async def run(client: AsyncClient, args: argparse.Namespace, out: Output) -> int:
    filters = [parse_filter(f) for f in args.filter or ()]
    pager = client.test_executions.calls(args.id, search=args.search, filters=filters or None)
    items = await take(pager, args.limit)
    if out.fmt != "table":
        out.items(items)
        return 0
    execution = await client.simulation.execution(args.id)
    print_calls(out, items, config_names([execution]))
    return 0
