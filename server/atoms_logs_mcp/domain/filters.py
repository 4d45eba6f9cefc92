"""The call filters that list_logs, summarize_logs and export_logs share, defined once, and the API
query they become.

`Filters` is the one definition: the tools' filter parameters are generated from its fields
(`tools/arguments.py`), and taking them out of a call fails loudly when a name is missing, so a renamed
or dropped filter can never quietly become "no filter".
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from ..api.query import LogQuery
from .timewindow import Window, refuse_future, resolve_window, zone_named


@dataclass(frozen=True)
class Filters:
    """The call filters as the model passed them (None: not filtered on)."""

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
    def take(cls, arguments: MutableMapping[str, Any]) -> Filters:
        """The filters out of a tool call's arguments (removed from them); KeyError if one is missing."""
        return cls(**{f.name: arguments.pop(f.name) for f in fields(cls)})

    def as_arguments(self) -> dict[str, Any]:
        """As keyword arguments, for echoing back a call the model can make."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


FILTER_NAMES = tuple(f.name for f in fields(Filters))


def window_of(filters: Filters, default_zone: str, now: datetime) -> Window:
    """The UTC window the filters mean; ValueError, in one sentence, when they cannot mean one."""
    zone = zone_named(filters.timezone, default_zone)
    window = resolve_window(filters.since, filters.until, zone=zone, now=now)
    refuse_future(window, now)
    return window


def _distinct(values: list[str] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values or ()))


def build_query(
    filters: Filters,
    window: Window,
    agent_ids: tuple[str, ...] = (),
    *,
    page: int = 1,
    limit: int = 20,
    sort_by: str | None = None,
    sort_order: str | None = None,
) -> LogQuery:
    """The API query for the filters, with agent names already resolved to `agent_ids`."""
    return LogQuery(
        page=page,
        limit=limit,
        agent_ids=agent_ids,
        campaign_ids=_distinct(filters.campaign_ids),
        call_types=_distinct(filters.call_types),
        statuses=_distinct(filters.statuses),
        disconnect_reasons=_distinct(filters.disconnect_reasons),
        durations=_distinct(filters.durations),
        version_ids=_distinct(filters.version_ids),
        search=filters.search,
        attempt=filters.attempt,
        sort_by=sort_by,
        sort_order=sort_order,
        since=window.since,
        until=window.until,
    )


def slow_query(query: LogQuery) -> bool:
    """Queries the spec warns can time out on large accounts: a createdAt filter or sort."""
    return query.since is not None or query.until is not None or query.sort_by == "created"
