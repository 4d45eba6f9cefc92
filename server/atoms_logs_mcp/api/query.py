"""Typed filters for `GET /conversation`, and their translation into the API's query string.

The API takes comma-separated strings and camelCase names; the rest of the package speaks in typed
lists and enums. This module is the only place that knows the difference.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from typing import Literal

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
LIVE_STATUSES: tuple[Status, ...] = ("in_progress", "active")
"""The statuses of a call in progress: the only ones `GET /events` streams (it answers 400 for any other)."""
CallType = Literal["telephony_inbound", "telephony_outbound", "webcall"]
DisconnectReason = Literal[
    "user_hangup", "agent_hangup", "connection_error", "timeout", "system_error", "transfer_complete"
]
Attempt = Literal["initial", "retry", "all"]
DurationBucket = Literal["0-30", "30-60", "1-5", "5+"]
SortField = Literal["created", "updated", "duration", "latency"]
SortOrder = Literal["asc", "desc"]

CALL_ID_PATTERN = r"^CALL-\d{13}-[0-9a-fA-F]{6}$"
"""`CALL-{13-digit ms timestamp}-{6 hex}`, the form of every call id (NOTES.md)."""

FINAL_STATUSES = frozenset({"completed", "failed", "no_answer", "cancelled"})

API_SORT_FIELDS: dict[str, str] = {
    "created": "createdAt",
    "updated": "updatedAt",
    "duration": "callDuration",
    "latency": "avgLatency",
}
API_MAX_LIMIT = 500
API_PARAMETER: dict[str, str] = {
    "agent_ids": "agentIds",
    "campaign_ids": "campaignIds",
    "call_types": "callTypes",
    "statuses": "statusFilter",
    "disconnect_reasons": "disconnectReasonFilter",
    "durations": "durationFilter",
    "version_ids": "versionFilter",
    "search": "search",
    "attempt": "callAttemptFilter",
    "since": "dateFrom",
    "until": "dateTo",
}
"""Each filter of LogQuery -> the list endpoint's query parameter, as the spec names it (the sandbox reads the
same table; tests/test_contract.py checks every request against the spec)."""


def iso_utc(moment: datetime) -> str:
    """The API's date-time form: UTC with milliseconds and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class LogQuery:
    """Every filter `GET /conversation` has, typed. Empty lists and None mean "no filter"."""

    page: int = 1
    limit: int = 20
    agent_ids: tuple[str, ...] = ()
    campaign_ids: tuple[str, ...] = ()
    call_types: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    disconnect_reasons: tuple[str, ...] = ()
    durations: tuple[str, ...] = ()
    version_ids: tuple[str, ...] = ()
    search: str | None = None
    attempt: str | None = None
    sort_by: str | None = None
    sort_order: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)
    """Parameters passed through verbatim, for API features newer than this module."""

    def with_page(self, page: int, limit: int | None = None) -> LogQuery:
        return replace(self, page=page, limit=self.limit if limit is None else limit)

    def to_params(self) -> dict[str, str]:
        """The query string for `GET /conversation`. Only filters that are set are sent."""
        params: dict[str, str] = {"page": str(self.page), "limit": str(self.limit)}
        names = API_PARAMETER
        lists = (
            "agent_ids",
            "campaign_ids",
            "call_types",
            "statuses",
            "disconnect_reasons",
            "durations",
            "version_ids",
        )
        params.update({names[field]: ",".join(getattr(self, field)) for field in lists if getattr(self, field)})
        if self.search:
            params[names["search"]] = self.search
        if self.attempt:
            params[names["attempt"]] = self.attempt
        if self.sort_by:
            params["sortBy"] = API_SORT_FIELDS.get(self.sort_by, self.sort_by)
        if self.sort_order:
            params["sortOrder"] = self.sort_order
        if self.since is not None:
            params[names["since"]] = iso_utc(self.since)
        if self.until is not None:
            params[names["until"]] = iso_utc(self.until)
        params.update(self.extra)
        return params

    def filters_applied(self) -> dict[str, object]:
        """The filters that narrow the result (not paging), for telling the model what was asked."""
        skip = {"page", "limit", "extra"}
        return {
            f.name: getattr(self, f.name)
            for f in fields(self)
            if f.name not in skip and getattr(self, f.name) not in (None, (), "")
        }
