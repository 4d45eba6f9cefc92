"""Pydantic models of the Atoms API's payloads.

The live API drifts from its spec (NOTES.md): fields go missing, new ones appear, a status outside
the enum turns up. So every field is optional, unknown fields are kept (`extra="allow"`), enums are
plain strings, and a value of the wrong type becomes None instead of failing the whole response.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    field_serializer,
    model_validator,
)

from .events import CallEvent, call_events, moment, number, spoken_lines
from .model_reader import reader_of


def _lenient(adapter: TypeAdapter[Any], exact: type) -> BeforeValidator:
    def convert(value: Any) -> Any:
        if value is None or type(value) is exact:  # what the API should send, as validation would return it
            return value
        try:
            return adapter.validate_python(value)
        except ValidationError:
            return None

    return BeforeValidator(convert)


def _text(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)


def _object(value: Any) -> Any:
    """A nested object, or None when the API sent something else in its place."""
    return value if isinstance(value, dict) else None


Str = Annotated[str | None, BeforeValidator(_text)]
Num = Annotated[float | None, BeforeValidator(number)]
Int = Annotated[int | None, _lenient(TypeAdapter(int), int)]
Bool = Annotated[bool | None, _lenient(TypeAdapter(bool), bool)]
When = Annotated[datetime | None, BeforeValidator(lambda v: v if isinstance(v, datetime) else moment(v))]
"""ISO 8601 strings, or epoch seconds (or milliseconds) as numbers or strings; naive times are UTC."""
JsonObject = Annotated[dict[str, Any], BeforeValidator(lambda v: v if isinstance(v, dict) else {})]
Nested = BeforeValidator(_object)


def items_of(model: type[BaseModel]) -> BeforeValidator:
    """A list of `model`, skipping entries that are not objects rather than failing."""

    def convert(value: Any) -> list[Any]:
        return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []

    return BeforeValidator(convert)


class ApiModel(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=False)


class Agent(ApiModel):
    id: Str = Field(None, alias="_id")
    name: Str = None
    description: Str = None
    slm_model: Str = Field(None, alias="slmModel")
    workflow_type: Str = Field(None, alias="workflowType")
    total_calls: Num = Field(None, alias="totalCalls")
    archived: Bool = None
    created_at: When = Field(None, alias="createdAt")
    updated_at: When = Field(None, alias="updatedAt")
    active_version_id: Str = Field(None, alias="activeVersionId")


class TranscriptTurn(ApiModel):
    role: Str = None
    content: Str = None
    timestamp: When = None


class MetricValue(ApiModel):
    identifier: Str = None
    value: Annotated[str | None, BeforeValidator(lambda v: None if v is None else str(v))] = None
    confidence: Num = None


class PostCallAnalytics(ApiModel):
    summary: Str = None
    disposition_metrics: Annotated[list[MetricValue], items_of(MetricValue)] = Field(
        default_factory=list, alias="dispositionMetrics"
    )


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


class LatencyTransition(ApiModel):
    turn: Num = None
    user_end: Num = None
    bot_start: Num = None
    latency: Num = None


class TurnLatencyMetrics(ApiModel):
    turns: Num = None
    avg_latency: Num = Field(None, alias="avgLatency")
    median_latency: Num = Field(None, alias="medianLatency")
    min_latency: Num = Field(None, alias="minLatency")
    max_latency: Num = Field(None, alias="maxLatency")
    latencies: Annotated[list[Any], BeforeValidator(_list)] = Field(default_factory=list)
    """As sent: numbers, and on live data also numeric strings, nulls or other odd values."""
    transitions: Annotated[list[LatencyTransition], items_of(LatencyTransition)] = Field(default_factory=list)
    processed_at: When = Field(None, alias="processedAt")

    @property
    def measured(self) -> list[float]:
        """The latencies that are numbers (numeric strings read as numbers), in order."""
        return [value for value in map(number, self.latencies) if value is not None]

    @property
    def unreadable(self) -> int:
        """How many entries of `latencies` are not numbers (nulls, text)."""
        return len(self.latencies) - len(self.measured)


class VoiceConfig(ApiModel):
    model: Str = None
    voice_id: Str = Field(None, alias="voiceId")
    gender: Str = None


class MetricConfig(ApiModel):
    identifier: Str = None
    type: Str = None


class CallRow(ApiModel):
    """One call as `GET /conversation`, `POST /conversation/search` and `/retries` return it."""

    id: Str = Field(None, alias="_id")
    call_id: Str = Field(None, alias="callId")
    status: Str = None
    duration: Num = None
    from_number: Str = Field(None, alias="from")
    to_number: Str = Field(None, alias="to")
    type: Str = None
    agent_id: Str = Field(None, alias="agentId")
    campaign_id: Str = Field(None, alias="campaignId")
    recording_url: Str = Field(None, alias="recordingUrl")
    recording_dual_url: Str = Field(None, alias="recordingDualUrl")
    disconnection_reason: Str = Field(None, alias="disconnectionReason")
    retry_count: Int = Field(None, alias="retryCount")
    created_at: When = Field(None, alias="createdAt")
    updated_at: When = Field(None, alias="updatedAt")
    disposition_metrics: Annotated[dict[str, Any], BeforeValidator(lambda v: v if isinstance(v, dict) else {})] = Field(
        default_factory=dict, alias="dispositionMetrics"
    )
    agent_disposition_config: Annotated[list[MetricConfig], items_of(MetricConfig)] = Field(
        default_factory=list, alias="agentDispositionConfig"
    )
    call_failure_reason: Str = Field(None, alias="callFailureReason")
    call_cost: Num = Field(None, alias="callCost")
    version_id: Str = Field(None, alias="versionId")
    version_number: Num = Field(None, alias="versionNumber")
    is_test: Bool = Field(None, alias="isTest")
    retry_call_id: Str = Field(None, alias="retryCallId")
    retry_attempt_number: Int = Field(None, alias="retryAttemptNumber")
    post_call_analytics: Annotated[PostCallAnalytics | None, Nested] = Field(None, alias="postCallAnalytics")
    turn_latency_metrics: Annotated[TurnLatencyMetrics | None, Nested] = Field(None, alias="turnLatencyMetrics")

    @property
    def summary(self) -> str | None:
        return self.post_call_analytics.summary if self.post_call_analytics else None


class CallDetail(CallRow):
    """One call in full, as `GET /conversation/{callId}` returns it."""

    agent: Annotated[Agent | None, Nested] = None
    transcript: Annotated[list[TranscriptTurn], items_of(TranscriptTurn)] = Field(default_factory=list)
    events: Annotated[list[dict[str, Any]], items_of(ApiModel)] = Field(default_factory=list)
    variables: JsonObject = Field(default_factory=dict)
    voice_config_used: Annotated[VoiceConfig | None, Nested] = Field(None, alias="voiceConfigUsed")
    slm_model_used: Str = Field(None, alias="slmModelUsed")

    _rebuilt: bool = PrivateAttr(default=False)

    @cached_property
    def timeline(self) -> list[CallEvent]:
        """The events read into one shape, each once, in order (`call_events`): what every reader takes."""
        return call_events(self.events)

    @model_validator(mode="after")
    def _transcript_from_events(self) -> CallDetail:
        """A call sent without a transcript (missing or empty) whose events carry its spoken lines gets them as
        its transcript, so every reader (get_log, the search index, signals, digests, the view) sees what was
        said; `transcript_rebuilt` says so, and the call is stored as sent (`_as_sent`)."""
        if not self.transcript:
            lines = spoken_lines(self.timeline)
            self.transcript = [TranscriptTurn(role=role, content=words, timestamp=at) for role, words, at in lines]
            self._rebuilt = bool(lines)
        return self

    @property
    def transcript_rebuilt(self) -> bool:
        """Whether the transcript was rebuilt from the events: its times are then when each line was heard
        complete, not when it began."""
        return self._rebuilt

    @field_serializer("transcript", mode="wrap")
    def _as_sent(self, turns: list[TranscriptTurn], handler: SerializerFunctionWrapHandler) -> Any:
        return [] if self._rebuilt else handler(turns)

    disconnect_details: JsonObject = Field(default_factory=dict, alias="disconnectDetails")
    """Beyond the spec, seen live: how the line ended, e.g. {sipCode, category}."""
    cost_breakdown: JsonObject = Field(default_factory=dict, alias="costBreakdown")
    """Beyond the spec, seen live: the cost by component."""


class Pagination(ApiModel):
    total: Int = None
    page: Int = None
    limit: Int = None
    has_more: Bool = Field(None, alias="hasMore")
    total_pages: Int = Field(None, alias="totalPages")


read_row = reader_of(CallRow)
"""One call row read as `CallRow.model_validate` reads it, at a fraction of the cost (model_reader.py)."""


def _rows(value: Any) -> list[CallRow]:
    """The rows that are objects, each read by `read_row`."""
    return [read_row(row) for row in value if isinstance(row, dict)] if isinstance(value, list) else []


class CallRows(ApiModel):
    """An answer holding call rows; a row that is not an object is skipped and counted, never a failure."""

    logs: Annotated[list[CallRow], BeforeValidator(_rows)] = Field(default_factory=list)
    unreadable: int = 0
    """Rows the API sent that were not objects, skipped."""

    @model_validator(mode="before")
    @classmethod
    def _count_unreadable(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("logs"), list):
            return {**data, "unreadable": sum(1 for row in data["logs"] if not isinstance(row, dict))}
        return data


class LogPage(CallRows):
    pagination: Annotated[Pagination, BeforeValidator(lambda v: v if isinstance(v, dict) else {})] = Field(
        default_factory=Pagination
    )
    disposition_metrics_config: Annotated[list[MetricConfig], items_of(MetricConfig)] = Field(
        default_factory=list, alias="dispositionMetricsConfig"
    )


class SearchResult(CallRows):
    total: Int = None
    requested_count: Int = Field(None, alias="requestedCount")


class AgentPage(ApiModel):
    agents: Annotated[list[Agent], items_of(Agent)] = Field(default_factory=list)
    total: Int = None
