"""An asyncio-native client for the Future AGI Simulate API.

async with futureagi_async.AsyncClient() as client:
    async for run_test in client.run_tests.list():
        ...
"""

from ._client import AsyncClient
from ._errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    FilterColumnError,
    FilterNotAppliedError,
    FutureAGIError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ResponseDecodeError,
    ServerError,
)
from ._export import ExecutionExport
from ._fanout import BoundedMap, Outcome, Progress, Results, bounded_map, map_all
from ._filters import Filter
from ._pacing import ClientStats, RateLimit
from ._pager import Page, Pager
from ._retry import instant_retries
from ._version import __version__
from .models import (
    CallExecution,
    EvalConfigResult,
    EvalOutput,
    EvalResult,
    ExplanationCluster,
    GridColumn,
    RunTest,
    SimulationCall,
    SimulationExecution,
    TestExecutionPage,
    TranscriptItem,
)

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncClient",
    "AuthenticationError",
    "BadRequestError",
    "BoundedMap",
    "CallExecution",
    "ClientClosedError",
    "ClientStats",
    "ConfigurationError",
    "EvalConfigResult",
    "EvalOutput",
    "EvalResult",
    "ExecutionExport",
    "ExplanationCluster",
    "Filter",
    "FilterColumnError",
    "FilterNotAppliedError",
    "FutureAGIError",
    "GridColumn",
    "NotFoundError",
    "Outcome",
    "Page",
    "Pager",
    "PermissionDeniedError",
    "Progress",
    "RateLimit",
    "RateLimitError",
    "ResponseDecodeError",
    "Results",
    "RunTest",
    "ServerError",
    "SimulationCall",
    "SimulationExecution",
    "TestExecutionPage",
    "TranscriptItem",
    "__version__",
    "bounded_map",
    "instant_retries",
    "map_all",
]
