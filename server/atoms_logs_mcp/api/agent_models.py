"""Lenient models of the agent reads (`openapi-agents.yaml`): an agent's resolved config, its revisions and
branches, and the diff of two revisions. Like `models.py`: every field optional, odd values become None."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field

from .models import Agent, ApiModel, Bool, Int, JsonObject, Nested, Str, When, items_of


def _texts(value: Any) -> list[str]:
    """A list of strings, its nulls and non-text items skipped (the live API sends `[null, "en"]`)."""
    return [str(item) for item in value if isinstance(item, str | int | float)] if isinstance(value, list) else []


Texts = Annotated[list[str], BeforeValidator(_texts)]
Objects = Annotated[list[dict[str, Any]], items_of(ApiModel)]


class AgentTool(ApiModel):
    """One tool (function) of a version: its kind, name and what the model is told about it."""

    type: Str = None
    name: Str = None
    description: Str = None
    enabled: Bool = None
    url: Str = None
    method: Str = None
    timeout: Int = None
    transfer_number: Str = Field(None, alias="transferNumber")
    knowledge_base_id: Str = Field(None, alias="knowledgeBaseId")
    llm_parameters: Objects = Field(default_factory=list, alias="llmParameters")
    variables_extraction_schema: Objects = Field(default_factory=list, alias="variablesExtractionSchema")
    parameters: JsonObject = Field(default_factory=dict)
    """A JSON-schema object of the tool's arguments, as some configs carry it instead of `llmParameters`."""


class MetricDefinition(ApiModel):
    """A disposition metric the version asks for after each call."""

    identifier: Str = None
    prompt: Str = Field(None, alias="dispositionMetricPrompt")
    type: Str = Field(None, alias="dispositionMetricType")
    choices: Texts = Field(default_factory=list)


class AnalyticsConfig(ApiModel):
    disposition_metrics: Annotated[list[MetricDefinition], items_of(MetricDefinition)] = Field(
        default_factory=list, alias="dispositionMetrics"
    )


class AgentConfig(ApiModel):
    """The flat, merged config of one version (`_resolvedConfig`, or `resolvedConfig` of a revision read)."""

    prompt: Str = None
    tools: Annotated[list[AgentTool], items_of(AgentTool)] = Field(default_factory=list)
    first_message: Str = Field(None, alias="firstMessage")
    global_prompt: Str = Field(None, alias="globalPrompt")
    model_name: Str = Field(None, alias="modelName")
    transcriber_type: Str = Field(None, alias="transcriberType")
    default_language: Str = Field(None, alias="defaultLanguage")
    supported_languages: Texts = Field(default_factory=list, alias="supportedLanguages")
    post_call_analytics: Annotated[AnalyticsConfig | None, Nested] = Field(None, alias="postCallAnalyticsConfig")
    workflow_graph: JsonObject = Field(default_factory=dict, alias="workflowGraph")

    @property
    def metrics(self) -> list[MetricDefinition]:
        return self.post_call_analytics.disposition_metrics if self.post_call_analytics else []


class AgentDetail(Agent):
    """`GET /agent/{id}`: the agent with the resolved config of its active (or the asked) version."""

    resolved_config: Annotated[AgentConfig | None, Nested] = Field(None, alias="_resolvedConfig")
    config_source: Str = Field(None, alias="_configSource")
    version_id: Str = Field(None, alias="versionId")

    @property
    def active_id(self) -> str | None:
        return self.active_version_id or self.version_id


class Revision(ApiModel):
    """A published version: a v2 revision (`branch`, `revisionNumber`) or a v1 version (`versionNumber`)."""

    id: Str = Field(None, alias="_id")
    agent: Str = None
    status: Str = None
    branch: Str = None
    revision_number: Int = Field(None, alias="revisionNumber")
    version_number: Int = Field(None, alias="versionNumber")
    label: Str = None
    description: Str = None
    published_at: When = Field(None, alias="publishedAt")
    published_by_name: Str = Field(None, alias="publishedByName")
    is_active: Bool = Field(None, alias="isActive")
    created_at: When = Field(None, alias="createdAt")


class Branch(ApiModel):
    id: Str = Field(None, alias="_id")
    name: Str = None
    is_default: Bool = Field(None, alias="isDefault")
    head_revision_id: Str = Field(None, alias="headRevisionId")
    source_revision_id: Str = Field(None, alias="sourceRevisionId")
    status: Str = None


class BranchSummary(ApiModel):
    """A row of `GET /agent/{id}/branches`."""

    branch: Annotated[Branch | None, Nested] = None
    is_live: Bool = Field(None, alias="isLive")
    revisions_count: Int = Field(None, alias="revisionsCount")


class RevisionPage(ApiModel):
    """A page of revisions (v2, under `revisions`) or of versions (v1, under `versions`)."""

    revisions: Annotated[list[Revision], items_of(Revision)] = Field(default_factory=list)
    versions: Annotated[list[Revision], items_of(Revision)] = Field(default_factory=list)
    total: Int = None


class RevisionConfig(ApiModel):
    """One revision with its resolved config: `{revision, resolvedConfig}` (v2) or `{version, resolvedConfig}` (v1)."""

    revision: Annotated[Revision | None, Nested] = None
    version: Annotated[Revision | None, Nested] = None
    resolved_config: Annotated[AgentConfig | None, Nested] = Field(None, alias="resolvedConfig")


class DiffChange(ApiModel):
    path: Str = None
    old_value: Any = Field(None, alias="oldValue")
    new_value: Any = Field(None, alias="newValue")


class DiffSection(ApiModel):
    section: Str = None
    changes: Annotated[list[DiffChange], items_of(DiffChange)] = Field(default_factory=list)


class DiffResult(ApiModel):
    """`GET /agent/{id}/diff`: the changed leaves per section, and the sections that did not change."""

    unchanged_sections: Texts = Field(default_factory=list, alias="unchangedSections")
    diffs: Annotated[list[DiffSection], items_of(DiffSection)] = Field(default_factory=list)
