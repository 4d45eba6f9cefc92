"""Tool argument types and the descriptions the model reads; the filter parameters, generated from `Filters`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, ConfigDict, Field, create_model

from ..api.query import (
    CALL_ID_PATTERN,
    Attempt,
    CallType,
    DisconnectReason,
    DurationBucket,
    SortField,
    SortOrder,
    Status,
)
from ..domain.aggregate import GroupKey
from ..domain.filters import FILTER_NAMES
from ..settings_table import default_of, env_name

Ident = Annotated[str, Field(min_length=1, max_length=64)]
STRIPPED = BeforeValidator(lambda value: value.strip() if isinstance(value, str) else value)
"""Surrounding spaces dropped before a value is checked (a pasted id often carries them)."""

CallId = Annotated[
    str,
    STRIPPED,
    Field(
        pattern=CALL_ID_PATTERN,
        description="A call id such as CALL-1737000000000-abc123, from list_logs or search_by_call_ids.",
    ),
]
Statuses = Annotated[list[Status] | None, Field(description="Call statuses to keep.", max_length=9)]
DisconnectReasons = Annotated[
    list[DisconnectReason] | None, Field(description="Disconnect reasons to keep.", max_length=6)
]
CallTypes = Annotated[list[CallType] | None, Field(description="Channels to keep.", max_length=3)]
Agents = Annotated[
    list[Ident] | None,
    Field(
        description="Agents to keep: ids or names (case-insensitive), from list_agents.",
        max_length=50,
    ),
]
AgentName = Annotated[
    str,
    STRIPPED,
    Field(
        description="Agent id or name, from list_agents or get_log.",
        min_length=1,
        max_length=64,
    ),
]
Version = Annotated[
    str,
    STRIPPED,
    Field(
        description='A version: "v3", or a version id.',
        pattern=r"^([vV]?\d{1,6}|[0-9a-fA-F]{24}|active)$",
    ),
]
CampaignIds = Annotated[list[Ident] | None, Field(description="Campaign ids to keep.", max_length=50)]
Search = Annotated[
    str | None,
    Field(description="Substring of a call id or phone number.", min_length=1, max_length=100),
]
AttemptFilter = Annotated[Attempt | None, Field(description="initial (default: first attempts), retry or all.")]
Durations = Annotated[
    list[DurationBucket] | None,
    Field(description="0-30 and 30-60 seconds, 1-5 and 5+ minutes.", max_length=4),
]
Since = Annotated[
    str | None,
    Field(
        description="Window start: ISO time, span (24h, 7d) or period (yesterday, last week); see instructions.",
        max_length=64,
    ),
]
Until = Annotated[
    str | None, Field(description="Window end (inclusive), same forms as since; default now.", max_length=64)
]
Timezone = Annotated[
    str | None,
    Field(
        description="IANA zone for since/until words and day/hour groups; "
        f"default {env_name('timezone')} or {default_of('timezone')}.",
        max_length=64,
    ),
]
VersionIds = Annotated[list[Ident] | None, Field(description="Agent version ids to keep.", max_length=50)]
SortBy = Annotated[SortField | None, Field(description="created, updated (default), duration or latency.")]
Order = Annotated[SortOrder | None, Field(description="desc (default) or asc.")]
GroupBy = Annotated[
    list[GroupKey],
    Field(
        description="Dimensions to count by, one table each: status, disconnect_reason, failure_reason, agent, "
        "call_type, attempt, day, hour (of day, in timezone), version, campaign.",
        min_length=1,
        max_length=10,
    ),
]
MaxCalls = Annotated[
    int | None,
    Field(
        description=f"Most calls to read (capped by {env_name('scan_ceiling')}); the answer says if it stopped.",
        ge=1,
        le=200_000,
    ),
]


FILTER_PARAMETERS: dict[str, Any] = {
    "statuses": Statuses,
    "disconnect_reasons": DisconnectReasons,
    "call_types": CallTypes,
    "agents": Agents,
    "campaign_ids": CampaignIds,
    "search": Search,
    "attempt": AttemptFilter,
    "durations": Durations,
    "since": Since,
    "until": Until,
    "version_ids": VersionIds,
    "timezone": Timezone,
}
"""The type and description of each filter, by its name in `Filters`."""
if tuple(FILTER_PARAMETERS) != FILTER_NAMES:  # one definition: a filter added or renamed in one place only fails here
    raise ImportError(f"FILTER_PARAMETERS {tuple(FILTER_PARAMETERS)} do not match Filters {FILTER_NAMES}")

Handler = TypeVar("Handler", bound=Callable[..., Any])


def with_filters(handler: Handler) -> Handler:
    """Give a tool handler every filter parameter, from the one definition above.

    The handler declares `ctx`, its own parameters and `**arguments`; the signature the MCP SDK reads is
    ctx, its own required parameters, the filters, then its own optional ones. `Filters.take(arguments)`
    takes them back out.
    """
    signature = inspect.signature(handler, eval_str=True)
    own = signature.parameters.values()
    keyword = inspect.Parameter.KEYWORD_ONLY
    named = [p.replace(kind=keyword) for p in own if p.kind is not inspect.Parameter.VAR_KEYWORD]
    context, rest = named[:1], named[1:]
    required = [p for p in rest if p.default is inspect.Parameter.empty]
    optional = [p for p in rest if p.default is not inspect.Parameter.empty]
    filters = [
        inspect.Parameter(name, keyword, annotation=kind, default=None) for name, kind in FILTER_PARAMETERS.items()
    ]
    handler.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [*context, *required, *filters, *optional], return_annotation=signature.return_annotation
    )
    return handler


DeepMaxCalls = Annotated[
    int | None,
    Field(
        description=f"Most calls to open (capped by {env_name('deep_ceiling')}, default {default_of('deep_ceiling')}); "
        "newest first.",
        ge=1,
        le=100_000,
    ),
]

FilterSet = create_model(  # type: ignore[call-overload]
    "FilterSet",
    __config__=ConfigDict(extra="forbid"),
    **{name: (kind, None) for name, kind in FILTER_PARAMETERS.items()},
)
"""One set of filters as a single argument (compare_calls takes two), from the same one definition."""
