"""Typed views of the API's bodies: frozen attrs classes, read by `futureagi_async._convert`.

Every attribute is named after its JSON key and is optional; unknown keys are kept in
`.extra`. Statuses are plain strings; the `*Status` enums name the values seen so far.
"""

from __future__ import annotations

from .calls import CallExecution, CallExecutionPage, CallStatus, RerunSnapshot, TranscriptItem
from .evals import (
    EvalConfigResult,
    EvalMetric,
    EvalOutput,
    EvalOutputType,
    EvalResult,
    EvalStatus,
    ExplanationCluster,
)
from .run_tests import (
    AgentDefinition,
    AgentVersion,
    EvalConfig,
    PromptTemplate,
    PromptVersion,
    RunTest,
    RunTestPage,
    Scenario,
    SimulatorAgent,
    SourceType,
)
from .simulation import (
    Cost,
    Latency,
    SimulationCall,
    SimulationCallResults,
    SimulationExecution,
    SimulationExecutionPage,
)
from .test_executions import ExecutionStatus, GridColumn, GroupRow, TestExecutionPage

__all__ = [
    "AgentDefinition",
    "AgentVersion",
    "CallExecution",
    "CallExecutionPage",
    "CallStatus",
    "Cost",
    "EvalConfig",
    "EvalConfigResult",
    "EvalMetric",
    "EvalOutput",
    "EvalOutputType",
    "EvalResult",
    "EvalStatus",
    "ExecutionStatus",
    "ExplanationCluster",
    "GridColumn",
    "GroupRow",
    "Latency",
    "PromptTemplate",
    "PromptVersion",
    "RerunSnapshot",
    "RunTest",
    "RunTestPage",
    "Scenario",
    "SimulationCall",
    "SimulationCallResults",
    "SimulationExecution",
    "SimulationExecutionPage",
    "SimulatorAgent",
    "SourceType",
    "TestExecutionPage",
    "TranscriptItem",
]
