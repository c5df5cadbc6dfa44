"""The MCP tools through the SDK's own client, in memory, against the in-process fake."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from mcp import Client
from mcp.types import CallToolResult, TextContent

from futureagi_async import AsyncClient
from futureagi_async.mcp import build_server
from futureagi_async.mcp._tools import LIST_LIMIT, TURN_CHARACTERS, TURNS
from futureagi_async.testing import DatasetSpec, FakeAPI

pytestmark = pytest.mark.anyio

TOOLS = {
    "list_run_tests",
    "latest_execution",
    "failed_calls",
    "compare_executions",
    "wait_for_execution",
}


@pytest.fixture
def fake() -> FakeAPI:
    return FakeAPI(DatasetSpec(seed=0))


@pytest.fixture
async def tools(fake: FakeAPI) -> AsyncIterator[Client]:
    async with fake.client() as client, Client(build_server(client)) as session:
        yield session


def text(result: CallToolResult) -> str:
    [block] = result.content
    assert isinstance(block, TextContent)
    return block.text


def answer(result: CallToolResult) -> dict[str, Any]:
    assert not result.is_error, text(result)
    content: dict[str, Any] | None = result.structured_content
    assert content is not None
    return content


async def test_every_tool_is_listed_with_input_and_output_schemas(tools: Client) -> None:
    listed = {tool.name: tool for tool in (await tools.list_tools()).tools}
    assert set(listed) >= TOOLS
    for name in TOOLS:
        tool = listed[name]
        assert tool.description, name
        assert tool.input_schema["type"] == "object", name
        assert tool.output_schema is not None, name
    limit = listed["list_run_tests"].input_schema["properties"]["limit"]
    assert limit["maximum"] == LIST_LIMIT
    assert str(LIST_LIMIT) in (listed["failed_calls"].description or "")


async def test_list_run_tests_is_bounded_and_says_how_many_more(
    tools: Client, fake: FakeAPI
) -> None:
    got = answer(await tools.call_tool("list_run_tests", {"limit": 1}))
    total = len(fake.dataset.run_tests)
    assert len(got["run_tests"]) == 1
    assert got["total"] == total
    assert got["more"] == total - 1
    assert f"{total - 1} more" in text(await tools.call_tool("list_run_tests", {"limit": 1}))


async def test_list_run_tests_search(tools: Client, fake: FakeAPI) -> None:
    name = fake.dataset.run_tests[0].name
    got = answer(await tools.call_tool("list_run_tests", {"search": name}))
    assert name in [r["name"] for r in got["run_tests"]]
    assert got["more"] == 0


async def test_latest_execution_has_counts_and_per_eval_rates(tools: Client, fake: FakeAPI) -> None:
    run_test = fake.dataset.run_tests[0]
    latest = max(fake.dataset.executions_of(run_test.id), key=lambda e: e.created_at)
    got = answer(await tools.call_tool("latest_execution", {"run_test_name": run_test.name}))
    assert got["execution_id"] == latest.id
    assert got["total_calls"] is not None
    assert got["evals"]
    for summary in got["evals"]:
        if summary["output_type"] == "Pass/Fail":
            assert summary["pass_rate"] is not None
            assert "pass rate" in text(
                await tools.call_tool("latest_execution", {"run_test_name": run_test.name})
            )
        else:
            assert summary["pass_rate"] is None  # a score is never a "pass rate"


async def test_failed_calls_with_reasons_and_bounded_excerpts(tools: Client, fake: FakeAPI) -> None:
    run_test = fake.dataset.run_tests[0]
    execution = fake.dataset.executions_of(run_test.id)[-1]
    got = answer(await tools.call_tool("failed_calls", {"execution_id": execution.id, "limit": 3}))
    assert got["total_failed"] >= len(got["calls"])
    assert got["more"] == got["total_failed"] - len(got["calls"])
    assert 0 < len(got["calls"]) <= 3
    excerpts = [call["transcript_excerpt"] for call in got["calls"]]
    assert any(excerpts), "transcripts come from the run test's call listing"
    for call in got["calls"]:
        assert len(call["transcript_excerpt"]) <= sum(TURNS)
        assert all(len(turn["text"]) <= TURN_CHARACTERS for turn in call["transcript_excerpt"])
        assert call["failing_evals"] or call["status"] == "failed"


async def test_failed_calls_of_one_eval(tools: Client, fake: FakeAPI) -> None:
    execution = fake.dataset.executions_of(fake.dataset.run_tests[0].id)[-1]
    every = answer(await tools.call_tool("failed_calls", {"execution_id": execution.id}))
    named = {f["name"] for call in every["calls"] for f in call["failing_evals"]}
    eval_name = sorted(n for n in named if n)[0]
    got = answer(
        await tools.call_tool(
            "failed_calls", {"execution_id": execution.id, "eval_name": eval_name}
        )
    )
    assert got["calls"]
    for call in got["calls"]:
        assert {f["name"] for f in call["failing_evals"]} == {eval_name}


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("failed_calls", {"execution_id": "nope"}, "must be a UUID"),
        (
            "failed_calls",
            {"execution_id": "00000000-0000-4000-8000-000000000000"},
            "no execution",
        ),
        ("latest_execution", {"run_test_name": "no such run test"}, "not found"),
        ("list_run_tests", {"limit": LIST_LIMIT + 1}, "less than or equal"),
        ("list_run_tests", {"limit": "many"}, "limit"),
    ],
)
async def test_errors_are_tool_errors_with_the_library_message(
    tools: Client, tool: str, arguments: dict[str, Any], says: str
) -> None:
    result = await tools.call_tool(tool, arguments)
    assert result.is_error
    message = text(result)
    assert says in message.lower() or says in message
    assert "Traceback" not in message


async def test_an_unknown_eval_name_names_the_known_ones(tools: Client, fake: FakeAPI) -> None:
    execution = fake.dataset.executions_of(fake.dataset.run_tests[0].id)[-1]
    result = await tools.call_tool(
        "failed_calls", {"execution_id": execution.id, "eval_name": "no_such_eval"}
    )
    assert result.is_error
    assert "no eval named 'no_such_eval'" in text(result)


async def test_no_key_in_any_answer_or_error() -> None:
    fake = FakeAPI(DatasetSpec(seed=0), api_key="ak-secret-visible-nowhere")
    async with fake.client() as client, Client(build_server(client)) as session:
        results = [
            await session.call_tool("list_run_tests", {}),
            await session.call_tool("latest_execution", {"run_test_name": "nope"}),
        ]
    wrong = AsyncClient(
        "ak-wrong-visible-nowhere",
        "sk-wrong-visible-nowhere",
        base_url="http://127.0.0.1",
        http_client=fake.http_client(headers={}),
    )
    async with wrong, Client(build_server(wrong)) as session:
        denied = await session.call_tool("list_run_tests", {})
    assert denied.is_error
    for result in [*results, denied]:
        dumped = result.model_dump_json()
        assert "visible-nowhere" not in dumped
