"""Where the export's records come from: `client.export`, and a stand-in until it lands.

TEMPORARY: the stand-in goes once `AsyncClient.export` is in the library; the CLI only
relies on the interface (`record.execution`, `record.calls`, Outcome with
return_exceptions=True).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any, Protocol

import attrs

from .._client import AsyncClient
from .._fanout import Progress, bounded_map
from ..models import CallExecution, SimulationExecution

__all__ = ["ExportRecord", "open_export"]


class ExportRecord(Protocol):
    @property
    def execution(self) -> SimulationExecution: ...

    @property
    def calls(self) -> list[CallExecution]: ...


@attrs.frozen
class _Record:
    execution: SimulationExecution
    calls: list[CallExecution]


@asynccontextmanager
async def _stand_in(
    client: AsyncClient,
    run_test_name: str,
    *,
    execution_ids: Sequence[str] | None,
    transcripts: bool,
    eval_names: Sequence[str] | None,
    concurrency: int,
    return_exceptions: bool,
    progress: Callable[[Progress], object] | None,
) -> AsyncIterator[Any]:
    executions = await client.simulation.runs(run_test_name, eval_names=eval_names).collect()
    if execution_ids is not None:
        wanted = set(execution_ids)
        executions = [e for e in executions if e.execution_id in wanted]

    async def one(execution: SimulationExecution) -> _Record:
        assert execution.execution_id is not None
        calls = await client.test_executions.calls(execution.execution_id).collect()
        if not transcripts:
            calls = [attrs.evolve(c, transcript=[]) for c in calls]  # type: ignore[misc]
        return _Record(execution, calls)

    async with bounded_map(
        one,
        executions,
        concurrency=concurrency,
        return_exceptions=return_exceptions,
        progress=progress,
    ) as results:
        yield results


def open_export(
    client: AsyncClient,
    run_test_name: str,
    *,
    execution_ids: Sequence[str] | None = None,
    transcripts: bool = False,
    eval_names: Sequence[str] | None = None,
    concurrency: int = 8,
    return_exceptions: bool = False,
    progress: Callable[[Progress], object] | None = None,
) -> Any:
    """`async with open_export(...) as records: async for record in records: ...`"""
    export = getattr(client, "export", None) or (lambda *a, **k: _stand_in(client, *a, **k))
    return export(
        run_test_name,
        execution_ids=execution_ids,
        transcripts=transcripts,
        eval_names=eval_names,
        concurrency=concurrency,
        return_exceptions=return_exceptions,
        progress=progress,
    )
