"""The call filters, one row each: everything else about a filter is derived from its row.

From `FILTERS` come the tools' filter parameters and what the model reads about them (tools/arguments.py),
`domain.filters.Filters` and `build_query`, `LogQuery.where` and its query string (api/query.py), and the
sandbox's filtering of `GET /conversation` (sandbox/matching.py). Adding a filter is one row here plus its
line in tests/test_filter_parameters.py; tests/test_filter_table.py holds every `api` name to the spec.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from ..settings_table import env_name

Status = Literal[
    "pending",
    "in_progress",
    "in_queue",
    "processing",
    "active",
    "completed",
    "failed",
    "no_answer",
    "cancelled",
]
CallType = Literal["telephony_inbound", "telephony_outbound", "webcall"]
DisconnectReason = Literal[
    "user_hangup", "agent_hangup", "connection_error", "timeout", "system_error", "transfer_complete"
]
Attempt = Literal["initial", "retry", "all"]
DurationBucket = Literal["0-30", "30-60", "1-5", "5+"]

Rule = Literal["one of", "contains", "duration", "attempt", "created from", "created to"]
"""How the API keeps a call for a filter's values (the sandbox implements each, sandbox/matching.py):
one of: a `record` field's value is one of them; contains: the text is in one of the `record` fields;
duration: the call's duration bucket is one of them; attempt: first attempts, retries or both (first attempts
when not asked); created from / created to: `createdAt` is on or after / on or before the moment."""


@dataclass(frozen=True)
class Filter:
    """One filter: its name to the model, its description, its values, and its name and meaning to the API."""

    name: str
    """The tools' parameter and the field of `domain.filters.Filters`."""
    api: str | None
    """The query parameter of `GET /conversation` (checked against the spec); None: never sent."""
    about: str
    """The description the model reads in tools/list."""
    values: tuple[str, ...] = ()
    """The values the model may pass (an enum); empty: any text."""
    many: bool = False
    """A list, sent comma-separated; else one value."""
    most: int = 50
    """Most values in a list of free text (a list of `values` may hold each once)."""
    shortest: int | None = None
    longest: int = 64
    """Length bounds of one free-text value (not a list's: its items are ids, 1 to 64 characters)."""
    query: str | None = None
    """Its key in `LogQuery.where`; None: not a value of the query (since, until and timezone make the window,
    `LogQuery.since` and `until`; `domain.filters.window_of`)."""
    record: tuple[str, ...] = ()
    """The call's fields the API compares with the values (for rule "one of" and "contains")."""
    rule: Rule = "one of"
    closed: bool = False
    """The API refuses (400) a value outside `values`; else it keeps values the enum lacks (NOTES: "busy")."""

    @property
    def most_values(self) -> int:
        return len(self.values) if self.values else self.most


# fmt: off
FILTERS: tuple[Filter, ...] = (
    Filter(
        "statuses", "statusFilter", "Statuses to keep.",
        get_args(Status), many=True, query="statuses", record=("status",),
    ),
    Filter(
        "disconnect_reasons", "disconnectReasonFilter", "Reasons to keep.",
        get_args(DisconnectReason), many=True, query="disconnect_reasons", record=("disconnectionReason",),
    ),
    Filter(
        "call_types", "callTypes", "Channels to keep.",
        get_args(CallType), many=True, query="call_types", record=("type",), closed=True,
    ),
    Filter(
        "agents", "agentIds", "Agent ids or names.",
        many=True, query="agent_ids", record=("agentId",),
    ),  # names are resolved to ids first (tools/filtering.py)
    Filter(
        "campaign_ids", "campaignIds", "Campaign ids.",
        many=True, query="campaign_ids", record=("campaignId",),
    ),
    Filter(
        "search", "search", "Call id or phone substring.",
        shortest=1, longest=100, query="search", record=("callId", "from", "to"), rule="contains",
    ),
    Filter(
        "attempt", "callAttemptFilter", "Default initial (first attempts).",
        get_args(Attempt), query="attempt", rule="attempt", closed=True,
    ),
    Filter(
        "durations", "durationFilter", "Length bucket, seconds then minutes.",
        get_args(DurationBucket), many=True, query="durations", rule="duration", closed=True,
    ),
    Filter(
        "since", "dateFrom",
        "Start: ISO 8601, 90m, 24h or yesterday.",
        rule="created from",
    ),
    Filter("until", "dateTo", "End (inclusive), as since.", rule="created to"),
    Filter(
        "version_ids", "versionFilter", "Version ids or vN (v4).",
        many=True, query="version_ids", record=("versionId",),
    ),
    Filter("timezone", None, f"IANA zone; default {env_name('timezone')}."),
)
# fmt: on
"""Every call filter, in the order the tools list them."""

FILTER: dict[str, Filter] = {row.name: row for row in FILTERS}
QUERY_KEYS = tuple(row.query for row in FILTERS if row.query)
"""The keys `LogQuery.where` may hold."""
