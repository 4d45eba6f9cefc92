"""Tool argument types, shared by the tools that filter calls, with the descriptions the model reads."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Annotated, Any

from pydantic import BeforeValidator, Field

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

Ident = Annotated[str, Field(min_length=1, max_length=64)]

CallId = Annotated[
    str,
    BeforeValidator(lambda value: value.strip() if isinstance(value, str) else value),
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
        description="Agents to keep: ids or names (case-insensitive; an exact name wins over a partial one), "
        "from list_agents.",
        max_length=50,
    ),
]
CampaignIds = Annotated[list[Ident] | None, Field(description="Campaign ids to keep.", max_length=50)]
Search = Annotated[
    str | None,
    Field(description="Substring of a call id or phone number, e.g. '+1415555'.", min_length=1, max_length=100),
]
AttemptFilter = Annotated[
    Attempt | None, Field(description="initial (default: first attempts), retry (retry attempts only) or all.")
]
Durations = Annotated[
    list[DurationBucket] | None,
    Field(description="Duration buckets: 0-30 and 30-60 seconds, 1-5 minutes, 5+ minutes.", max_length=4),
]
Since = Annotated[
    str | None,
    Field(
        description="Start of the window (calls created at or after): ISO 8601 (2026-11-20T09:00:00Z; without an "
        "offset it is read in `timezone`), a span back from now (90m, 24h, 7d, 2w), or today, yesterday, this week, "
        "last week, this month, last month. A named period alone (since='yesterday') means that whole period. "
        "Optional: date filters can be slow on very large accounts.",
        max_length=64,
    ),
]
Until = Annotated[
    str | None,
    Field(description="End of the window (inclusive), in the same forms as since; default now.", max_length=64),
]
Timezone = Annotated[
    str | None,
    Field(
        description="IANA time zone for since/until words and day/hour groups, e.g. Europe/Paris; default "
        "ATOMS_TIMEZONE or UTC.",
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
        "call_type, attempt, day, hour (of day, in timezone).",
        min_length=1,
        max_length=8,
    ),
]
MaxCalls = Annotated[
    int | None,
    Field(
        description="Most calls to read, at most the server's ceiling (ATOMS_SCAN_CEILING, default 20000); the "
        "answer says if it stopped.",
        ge=1,
        le=200_000,
    ),
]


@dataclass(frozen=True)
class Filters:
    """The call filters `list_logs`, `summarize_logs` and `export_logs` share, as the model passed them."""

    statuses: list[str] | None = None
    disconnect_reasons: list[str] | None = None
    call_types: list[str] | None = None
    agents: list[str] | None = None
    campaign_ids: list[str] | None = None
    search: str | None = None
    attempt: str | None = None
    durations: list[str] | None = None
    since: str | None = None
    until: str | None = None
    version_ids: list[str] | None = None
    timezone: str | None = None

    @classmethod
    def pick(cls, arguments: dict[str, Any]) -> Filters:
        """The filter arguments out of a tool's `locals()`."""
        return cls(**{f.name: arguments[f.name] for f in fields(cls)})  # a missing name fails loudly

    def as_arguments(self) -> dict[str, Any]:
        """As keyword arguments, for echoing back a call the model can make."""
        return {f.name: getattr(self, f.name) for f in fields(self)}
