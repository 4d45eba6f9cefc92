"""The call filters that list_logs, summarize_logs and export_logs share, defined once, and the API
query they become.

The filters are the rows of the table in api/filter_table.py: `Filters` holds one value per row, the tools'
filter parameters are generated from the same rows (`tools/arguments.py`), and taking them out of a call
fails loudly when a name is missing, so a renamed or dropped filter can never quietly become "no filter".
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime
from typing import Any

from ..api.filter_table import FILTER, FILTERS
from ..api.query import LogQuery, QueryValue
from .timewindow import Window, refuse_future, resolve_window, zone_named

FILTER_NAMES = tuple(row.name for row in FILTERS)
AGENTS = FILTER["agents"]
VERSIONS = FILTER["version_ids"]
"""The rows the query does not take as given: names in `Filters` (agent names, `vN`), ids (resolved) in the query."""
Value = list[str] | str | None
"""A filter as the model passed it: a list for a list filter, a string for a one-value filter, None: not filtered on."""


class Filters:
    """The call filters as the model passed them, one per row of the table (api/filter_table.py)."""

    __slots__ = ("_given",)

    def __init__(self, **given: Value) -> None:
        if unknown := sorted(set(given) - set(FILTER_NAMES)):
            raise TypeError(f"Filters has no filter {unknown}; the filters are {FILTER_NAMES}")
        self._given: dict[str, Value] = {name: given.get(name) for name in FILTER_NAMES}

    @classmethod
    def take(cls, arguments: MutableMapping[str, Any]) -> Filters:
        """The filters out of a tool call's arguments (removed from them); KeyError if one is missing."""
        return cls(**{name: arguments.pop(name) for name in FILTER_NAMES})

    def __getitem__(self, name: str) -> Value:
        return self._given[name]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filters) and self._given == other._given

    def __repr__(self) -> str:
        return f"Filters({', '.join(f'{name}={value!r}' for name, value in self._given.items())})"

    def as_arguments(self) -> dict[str, Any]:
        """As keyword arguments, for echoing back a call the model can make."""
        return dict(self._given)

    def listed(self, name: str) -> list[str] | None:
        value = self._given[name]
        return [value] if isinstance(value, str) else value

    def single(self, name: str) -> str | None:
        return next(iter(self.listed(name) or ()), None)

    @property
    def agents(self) -> list[str] | None:
        """Agent ids or names: `tools/filtering.py` resolves them to ids for the query."""
        return self.listed("agents")

    @property
    def since(self) -> str | None:
        return self.single("since")

    @property
    def until(self) -> str | None:
        return self.single("until")

    @property
    def timezone(self) -> str | None:
        return self.single("timezone")


def window_of(filters: Filters, default_zone: str, now: datetime) -> Window:
    """The UTC window the filters mean; ValueError, in one sentence, when they cannot mean one."""
    zone = zone_named(filters.timezone, default_zone)
    window = resolve_window(filters.since, filters.until, zone=zone, now=now)
    refuse_future(window, now)
    return window


def _distinct(value: Value) -> QueryValue:
    """A list without repeats (as a tuple), or one value as it is."""
    return value if isinstance(value, str) else tuple(dict.fromkeys(value or ()))


def build_query(
    filters: Filters,
    window: Window,
    agent_ids: tuple[str, ...] = (),
    version_ids: tuple[str, ...] = (),
    *,
    page: int = 1,
    limit: int = 20,
    sort_by: str | None = None,
    sort_order: str | None = None,
) -> LogQuery:
    """The API query for the filters, with agent names and version names already resolved to `agent_ids` and
    `version_ids`."""
    resolved = (AGENTS, VERSIONS)
    where = {row.query: _distinct(filters[row.name]) for row in FILTERS if row.query and row not in resolved}
    return LogQuery(
        page=page,
        limit=limit,
        # the agent first: "Filters: agent: Sales; statuses: ..."
        where={str(AGENTS.query): agent_ids, **where, str(VERSIONS.query): version_ids},
        sort_by=sort_by,
        sort_order=sort_order,
        since=window.since,
        until=window.until,
    )


def slow_query(query: LogQuery) -> bool:
    """Queries the spec warns can time out on large accounts: a createdAt filter or sort."""
    return query.since is not None or query.until is not None or query.sort_by == "created"
