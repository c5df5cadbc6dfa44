"""Run tests: `/simulate/run-tests/` (list) and `/simulate/run-tests/{id}/` (detail) share
the full object.

The nested details are large and grow over time, so only their core fields are typed; the
rest lands in each model's `.extra`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from ._base import CaseInsensitiveStrEnum, Model, extra_field, required

__all__ = [
    "AgentDefinition",
    "AgentVersion",
    "EvalConfig",
    "PromptTemplate",
    "PromptVersion",
    "RunTest",
    "RunTestPage",
    "Scenario",
    "SimulatorAgent",
    "SourceType",
]


class SourceType(CaseInsensitiveStrEnum):
    """What a run test simulates against."""

    AGENT_DEFINITION = "agent_definition"
    PROMPT = "prompt"


@attrs.frozen(kw_only=True, repr=False)
class AgentVersion(Model):
    """The pinned agent version, or the agent's latest when none is pinned.

    `api_key` is masked (`sk-****f9a1`) and present only when credentials exist.
    """

    id: str | None = None
    name: str | None = None
    configuration_snapshot: dict[str, Any] = attrs.Factory(dict)
    api_key: str | None = None
    extra: dict[str, Any] = extra_field()

    @property
    def agent_type(self) -> str | None:
        """`voice` or `text`, from the configuration snapshot."""
        agent_type = self.configuration_snapshot.get("agent_type")
        return agent_type if isinstance(agent_type, str) else None


@attrs.frozen(kw_only=True, repr=False)
class AgentDefinition(Model):
    """The agent under test (`agent_definition_detail`). Keys are masked (`api_key`)."""

    id: str | None = None
    agent_name: str | None = None
    agent_type: str | None = None
    contact_number: str | None = None
    inbound: bool | None = None
    target_speaks_first: bool | None = None
    description: str | None = None
    assistant_id: str | None = None
    provider: str | None = None
    language: str | None = None
    languages: list[Any] = attrs.Factory(list)
    authentication_method: str | None = None
    websocket_url: str | None = None
    websocket_headers: Any = None
    workspace: Any = None
    knowledge_base: Any = None
    organization: Any = None
    api_key: str | None = None
    observability_provider: Any = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    model: str | None = None
    model_details: Any = None
    livekit_url: str | None = None
    livekit_api_key: str | None = None
    livekit_agent_name: str | None = None
    livekit_config_json: Any = None
    livekit_max_concurrency: int | None = None
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PromptTemplate(Model):
    """`prompt_template_detail`."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    variable_names: list[Any] = attrs.Factory(list)
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class PromptVersion(Model):
    """`prompt_version_detail`."""

    id: str | None = None
    template_version: str | None = None
    is_default: bool | None = None
    commit_message: str | None = None
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class SimulatorAgent(Model):
    """The simulated customer (`simulator_agent_detail`).

    `max_call_duration_in_minutes` is minutes; `initial_message_delay` is seconds
    **(inferred)**; the sensitivities and speed are unitless floats.
    """

    id: str | None = None
    name: str | None = None
    prompt: str | None = None
    voice_provider: str | None = None
    voice_name: str | None = None
    interrupt_sensitivity: float | None = None
    conversation_speed: float | None = None
    finished_speaking_sensitivity: float | None = None
    model: str | None = None
    llm_temperature: float | None = None
    max_call_duration_in_minutes: float | None = None
    initial_message_delay: float | None = None
    initial_message: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    organization: Any = None
    deleted: bool | None = None
    deleted_at: datetime | None = None
    logo_url: str | None = None
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class Scenario(Model):
    """A scenario (`scenarios_detail` items).

    `dataset_column_config` is `{column_uuid: {name, type}}` with a dataset and `[]` without,
    so it is left untyped. `status` is title case (`Running`, `Completed`, ...).
    """

    id: str | None = None
    name: str | None = None
    description: str | None = None
    source: str | None = None
    scenario_type: str | None = None
    scenario_type_display: str | None = None
    source_type: str | None = None
    source_type_display: str | None = None
    organization: Any = None
    dataset: str | None = None
    dataset_rows: int | None = None
    dataset_column_config: Any = None
    graph: dict[str, Any] = attrs.Factory(dict)
    agent: dict[str, Any] | None = None
    prompt_template: str | None = None
    prompt_template_detail: PromptTemplate | None = None
    prompt_version: str | None = None
    prompt_version_detail: PromptVersion | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    deleted: bool | None = None
    status: str | None = None
    deleted_at: datetime | None = None
    agent_type: str | None = None
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class EvalConfig(Model):
    """An eval configured on a run test. `status` is title case; `eval_group` is a name."""

    id: str | None = None
    name: str | None = None
    config: dict[str, Any] | None = None
    mapping: dict[str, Any] | None = None
    filters: Any = None
    error_localizer: bool | None = None
    model: str | None = None
    status: str | None = None
    eval_group: str | None = None
    template_id: str | None = None
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class RunTest(Model):
    """A run test (`client.run_tests.list` and `.get`).

    `agent_version` is an `AgentVersion` for agent runs, a bare UUID string or None for
    prompt runs. `description` may be None. `last_run_at` is always None from
    `client.run_tests.get` (only the list computes it). `evals_detail` and `evals` repeat
    `simulate_eval_configs_detail`.
    """

    id: str = required()
    name: str | None = None
    description: str | None = None
    agent_definition: str | None = None
    agent_version: AgentVersion | str | None = None
    agent_definition_detail: AgentDefinition | None = None
    source_type: str | None = None
    source_type_display: str | None = None
    prompt_template: str | None = None
    prompt_template_detail: PromptTemplate | None = None
    prompt_version: str | None = None
    prompt_version_detail: PromptVersion | None = None
    scenarios: list[str] = attrs.Factory(list)
    scenarios_detail: list[Scenario] = attrs.Factory(list)
    dataset_row_ids: list[str] = attrs.Factory(list)
    simulator_agent: str | None = None
    simulator_agent_detail: SimulatorAgent | None = None
    simulate_eval_configs: list[str] = attrs.Factory(list)
    simulate_eval_configs_detail: list[EvalConfig] = attrs.Factory(list)
    evals_detail: list[EvalConfig] = attrs.Factory(list)
    organization: str | None = None
    enable_tool_evaluation: bool | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    last_run_at: datetime | None = None
    deleted: bool | None = None
    deleted_at: datetime | None = None
    evals: list[EvalConfig] = attrs.Factory(list)
    extra: dict[str, Any] = extra_field()


@attrs.frozen(kw_only=True, repr=False)
class RunTestPage(Model):
    """A page of `/simulate/run-tests/`. The docs omit `total_pages` and `current_page`."""

    count: int | None = None
    next: str | None = None
    previous: str | None = None
    results: list[RunTest] = attrs.Factory(list)
    total_pages: int | None = None
    current_page: int | None = None
    extra: dict[str, Any] = extra_field()
