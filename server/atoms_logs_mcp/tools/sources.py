"""Where a question's calls are read from: the local replica when it covers the window, else the API."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from ..api.query import LIVE_STATUSES, LogQuery
from ..domain.replica.reads import Lister, ReplicaLister
from ..store.engine import StoreUnavailable
from .context import AppContext

T = TypeVar("T")

UNBOUNDED = 10**9
"""The ceiling of a window read from the replica when none is asked: every call (memory stays flat, it streams)."""


async def source_for(app: AppContext, query: LogQuery) -> Lister:
    replica = await app.replica.lister_for(query, redacting=app.settings.redact_phones)
    return replica or app.client


async def read_either(app: AppContext, query: LogQuery, read: Callable[[Lister], Awaitable[T]]) -> T:
    """`read(source)` from the replica when it covers `query`, else from the API; and from the API again when the
    store is lost part-way (a PostgreSQL restart): it turned itself off, and the answer carries its notice."""
    source = await source_for(app, query)
    try:
        return await read(source)
    except* StoreUnavailable:  # also from inside a task group (the retry lookups run several at once)
        if not isinstance(source, ReplicaLister):
            raise
    return await read(app.client)


def read_ceiling(source: Lister, asked: int | None, setting: int) -> int:
    """The most calls a read takes: from the replica, what was asked or all; from the API, capped by the setting."""
    if isinstance(source, ReplicaLister):
        return asked or UNBOUNDED
    return min(asked or setting, setting)


def scans_history(query: LogQuery) -> bool:
    """Whether the API would scan the whole history for one page of `query` (a window, or the order by creation;
    the spec's warning) and no live call is asked for (the replica is a pass behind the calls in progress): the
    page is then read from the replica when it covers the window."""
    live = set(query.listed("statuses")) & set(LIVE_STATUSES)
    return not live and (query.since is not None or query.until is not None or query.sort_by == "created")
