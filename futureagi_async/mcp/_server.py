"""The MCP server: the tools, their schemas and descriptions, and errors as tool errors.

One `AsyncClient` serves every tool call; the server never closes it (whoever made it does).
A library error becomes a tool error carrying the library's message, which names no key;
anything else is the SDK's generic "Error executing tool", so no traceback reaches a model.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, TextContent
from pydantic import Field

from .._client import AsyncClient
from .._errors import FutureAGIError
from .._version import __version__
from . import _render, _tools
from ._answers import (
    ExecutionComparison,
    ExecutionSummary,
    FailedCalls,
    RunTestList,
    WaitResult,
)
from ._tools import LIST_LIMIT, MAX_WAIT_SECONDS, TURN_CHARACTERS, TURNS

__all__ = ["build_server"]

#: A tool's answer: one of the TypedDicts of `_answers`.
A = TypeVar("A", bound=Mapping[str, Any])

_INSTRUCTIONS = (
    "Read Future AGI simulation results: run tests, their executions, failed calls and why "
    "they failed. Start with list_run_tests or latest_execution; every list is bounded and "
    "says how many more there are."
)

Limit = Annotated[int, Field(ge=1, le=LIST_LIMIT, description=f"at most {LIST_LIMIT}")]
_EXCERPT = (
    f"a transcript excerpt of at most {sum(TURNS)} turns of at most {TURN_CHARACTERS} "
    "characters each"
)


async def _answer(work: Awaitable[A], render: Callable[[A], str]) -> CallToolResult:
    """The tool's answer as structured content plus its text; library errors as tool errors."""
    try:
        answer = await work
    except (FutureAGIError, ValueError) as exc:  # the gate's missing scipy is one too
        # The library's messages are built from responses and arguments, never from keys.
        raise ToolError(
            str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        ) from None
    return CallToolResult(
        content=[TextContent(type="text", text=render(answer))], structured_content=dict(answer)
    )


def build_server(client: AsyncClient, *, poll_interval: float = 5.0) -> MCPServer:
    """An MCP server whose tools read through `client`.

    `poll_interval` is how often `wait_for_execution` polls a running execution while
    nothing changes (see `TestExecutions.watch`).
    """
    server = MCPServer(
        "futureagi-async",
        instructions=_INSTRUCTIONS,
        version=__version__,
        log_level="WARNING",
    )

    @server.tool(
        description=(
            "List run tests (simulation test suites), newest first. `search` matches the run "
            f"test's or its agent's name. Answers at most `limit` (max {LIST_LIMIT}) with id, "
            "name, agent and last run time, and how many more match."
        )
    )
    async def list_run_tests(
        search: Annotated[str | None, Field(description="part of a name")] = None,
        limit: Limit = 20,
    ) -> Annotated[CallToolResult, RunTestList]:
        return await _answer(_tools.list_run_tests(client, search, limit), _render.run_tests)

    @server.tool(
        description=(
            "The latest execution of the run test with this exact name: status, call counts, "
            "and per eval its pass rate (Pass/Fail evals) or average score and percentiles "
            "(score evals). One execution, a few hundred characters."
        )
    )
    async def latest_execution(
        run_test_name: Annotated[str, Field(min_length=1, description="exact run test name")],
    ) -> Annotated[CallToolResult, ExecutionSummary]:
        return await _answer(_tools.latest_execution(client, run_test_name), _render.execution)

    @server.tool(
        description=(
            "The calls of one execution that failed (a failed status, or a failed eval; only "
            "`eval_name`'s failures when given): scenario, status, the failing evals with their "
            f"reasons, and {_EXCERPT}. At most `limit` (max {LIST_LIMIT}) calls, and how many "
            "more failed."
        )
    )
    async def failed_calls(
        execution_id: Annotated[str, Field(description="the execution's UUID")],
        eval_name: Annotated[str | None, Field(description="one eval's name")] = None,
        limit: Limit = 20,
    ) -> Annotated[CallToolResult, FailedCalls]:
        return await _answer(
            _tools.failed_calls(client, execution_id, eval_name, limit), _render.failed_calls
        )

    @server.tool(
        description=(
            "Wait until an execution ends (completed or failed), then answer as "
            "latest_execution does, with how many calls finished while waiting and the last "
            "10 that failed. Sends a progress notification as each call finishes. Gives up "
            "after `timeout_seconds` with an error; cancelling the request stops the wait."
        )
    )
    async def wait_for_execution(
        execution_id: Annotated[str, Field(description="the execution's UUID")],
        ctx: Context,
        timeout_seconds: Annotated[
            float, Field(gt=0, le=MAX_WAIT_SECONDS, description="give up after this long")
        ] = 600,
    ) -> Annotated[CallToolResult, WaitResult]:
        async def progress(seen: int, total: int | None, message: str) -> None:
            await ctx.report_progress(seen, total, message)

        work = _tools.wait_for_execution(
            client, execution_id, timeout_seconds, progress, poll_interval=poll_interval
        )
        return await _answer(work, _render.waited)

    @server.tool(
        description=(
            "Did `execution_id` regress against `baseline_execution_id`? Per eval: baseline "
            "and candidate pass rate (Pass/Fail) or mean score with 95% intervals, the "
            "difference, the p-value after correcting for several evals (McNemar's exact "
            "test when both ran the same scenarios, else Fisher's; Mann-Whitney for scores), "
            "and a verdict: no regression, regression (a significant drop of more than 10 "
            "points), or inconclusive (too few calls: says the smallest detectable drop). "
            "One entry per eval, a few hundred characters each."
        )
    )
    async def compare_executions(
        baseline_execution_id: Annotated[str, Field(description="the earlier execution's UUID")],
        execution_id: Annotated[str, Field(description="the execution to judge")],
    ) -> Annotated[CallToolResult, ExecutionComparison]:
        work = _tools.compare_executions(client, baseline_execution_id, execution_id)
        return await _answer(work, _render.comparison)

    _ = (list_run_tests, latest_execution, failed_calls, wait_for_execution, compare_executions)
    return server
