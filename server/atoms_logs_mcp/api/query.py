"""The query of `GET /conversation`, and its translation into the API's query string.

The API takes comma-separated strings and camelCase names; the rest of the package speaks in typed
lists and enums. The filters and their API names are the rows of api/filter_table.py; this module turns
a query of them into the query string.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Literal

from .filter_table import FILTER, FILTERS, QUERY_KEYS
from .filter_table import Attempt as Attempt
from .filter_table import CallType as CallType
from .filter_table import DisconnectReason as DisconnectReason
from .filter_table import DurationBucket as DurationBucket
from .filter_table import Status as Status

LIVE_STATUSES: tuple[Status, ...] = ("in_progress", "active")
"""The statuses of a call in progress: the only ones `GET /events` streams (it answers 400 for any other)."""
SortField = Literal["created", "updated", "duration", "latency"]
SortOrder = Literal["asc", "desc"]

CALL_ID_PATTERN = r"^CALL-\d{13}-[0-9a-fA-F]{6}$"
"""`CALL-{13-digit ms timestamp}-{6 hex}`, the form of every call id (NOTES.md)."""


def canonical_call_id(value: str) -> str:
    """A call id as pasted (`call-...`, `Call-...`, spaces around) in the form the API knows: `CALL-...`."""
    value = value.strip()
    return "CALL-" + value[5:] if value[:5].upper() == "CALL-" else value


FINAL_STATUSES = frozenset({"completed", "failed", "no_answer", "cancelled"})

API_SORT_FIELDS: dict[str, str] = {
    "created": "createdAt",
    "updated": "updatedAt",
    "duration": "callDuration",
    "latency": "avgLatency",
}
API_MAX_LIMIT = 500


def iso_utc(moment: datetime) -> str:
    """The API's date-time form: UTC with milliseconds and a Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


QueryValue = tuple[str, ...] | str
"""A filter's value in a query: a tuple for a list filter, a string for a one-value filter."""


@dataclass(frozen=True)
class LogQuery:
    """One `GET /conversation` request: the filter table's values, the window, paging and order.

    `where` holds a value per row of api/filter_table.py (by its `query` key); an empty value or a missing
    key means "no filter"."""

    page: int = 1
    limit: int = 20
    where: Mapping[str, QueryValue] = field(default_factory=dict)
    """The table's filters (api/filter_table.py) by their `query` key, e.g. {"statuses": ("failed",)}."""
    sort_by: str | None = None
    sort_order: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)
    """Parameters passed through verbatim, for API features newer than this module."""

    def __post_init__(self) -> None:
        if unknown := sorted(set(self.where) - set(QUERY_KEYS)):  # a renamed filter fails loudly
            raise TypeError(f"LogQuery has no filter {unknown}; the filters are {QUERY_KEYS}")

    def listed(self, key: str) -> tuple[str, ...]:
        """A filter's values; () when it is not set."""
        value = self.where.get(key)
        return (value,) if isinstance(value, str) else tuple(value or ())

    def single(self, key: str) -> str | None:
        """A one-value filter's value; None when it is not set."""
        return next(iter(self.listed(key)), None)

    def with_page(self, page: int, limit: int | None = None) -> LogQuery:
        return replace(self, page=page, limit=self.limit if limit is None else limit)

    def narrowed(self, **where: QueryValue) -> LogQuery:
        """The same query with these filters set (replaced)."""
        return replace(self, where={**self.where, **where})

    def to_params(self) -> dict[str, str]:
        """The query string for `GET /conversation`. Only filters that are set are sent."""
        params: dict[str, str] = {"page": str(self.page), "limit": str(self.limit)}
        for row in FILTERS:
            if row.api and row.query and (values := self.listed(row.query)):
                params[row.api] = ",".join(values)
        if self.sort_by:
            params["sortBy"] = API_SORT_FIELDS.get(self.sort_by, self.sort_by)
        if self.sort_order:
            params["sortOrder"] = self.sort_order
        for name, moment in (("since", self.since), ("until", self.until)):
            if moment is not None and (parameter := FILTER[name].api):
                params[parameter] = iso_utc(moment)
        params.update(self.extra)
        return params

    def filters_applied(self) -> dict[str, object]:
        """The filters that narrow the result (not paging), for telling the model what was asked."""
        applied: dict[str, object] = {key: value for key, value in self.where.items() if value}
        ordering = {"sort_by": self.sort_by, "sort_order": self.sort_order, "since": self.since, "until": self.until}
        return applied | {name: value for name, value in ordering.items() if value is not None}
