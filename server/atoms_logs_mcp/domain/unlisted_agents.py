"""The calls of a window whose agent is not in the agent list (deleted, or never listed), counted by agent id, so
that list_agents' rows add up to the window's calls."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from ..api.models import CallRow
from ..api.query import LogQuery
from .replica.reads import Lister
from .scan import scan_window


@dataclass(frozen=True)
class UnlistedCalls:
    total: int
    """The window's calls, of every agent."""
    counts: dict[str, int] = field(default_factory=dict)
    """Agent id ("" for a call without one) -> its calls, for agents not in the list."""
    unread: int = 0
    """Calls of unlisted agents the window's read did not reach (it was capped, or a page failed)."""


async def unlisted_calls(
    client: Lister,
    query: LogQuery,
    listed: Collection[str],
    listed_calls: int,
    *,
    ceiling: int,
    concurrency: int,
) -> UnlistedCalls:
    """The window's total (one request) and, when the listed agents' `listed_calls` fall short of it, the window read
    to find whose the other calls are."""
    total = (await client.list_logs(query.with_page(1, 1))).pagination.total
    if total is None or total <= listed_calls:
        return UnlistedCalls(listed_calls if total is None else total)
    counts: Counter[str] = Counter()

    async def consume(rows: list[CallRow]) -> None:
        counts.update(row.agent_id or "" for row in rows if row.agent_id not in listed)

    await scan_window(client, query, consume, ceiling=ceiling, concurrency=concurrency)
    return UnlistedCalls(total, dict(counts), max(0, total - listed_calls - sum(counts.values())))
