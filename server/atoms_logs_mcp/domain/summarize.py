"""Whole-window investigations that take many requests: the summary and the per-agent call counts."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import tzinfo

import anyio

from ..api.errors import AtomsAPIError
from ..api.models import Agent, CallRow
from ..api.query import LogQuery
from .aggregate import Aggregator, GroupKey, WindowStats
from .lookup import RetryOutcomes, retry_outcomes
from .replica.reads import Lister
from .scan import Progress, Scan, scan_window

AGENT_COUNT_CONCURRENCY = 4


@dataclass(frozen=True)
class WindowSummary:
    stats: WindowStats
    scan: Scan
    """How much of the window was read."""
    retries: RetryOutcomes | None
    """How retried first attempts ended; None when only retries were asked for."""


async def summarize_window(
    client: Lister,
    query: LogQuery,
    *,
    group_by: Sequence[GroupKey],
    zone: tzinfo,
    agent_names: Mapping[str, str],
    ceiling: int,
    concurrency: int = 4,
    progress: Progress | None = None,
    retries: bool = True,
) -> WindowSummary:
    """Scan the window, aggregate as pages arrive, and (unless `retries` is off) follow the retry chains of what did
    not complete."""
    aggregator = Aggregator(group_by, zone, agent_names)

    async def consume(rows: list[CallRow]) -> None:
        aggregator.add(rows)

    scan = await scan_window(client, query, consume, ceiling=ceiling, concurrency=concurrency, progress=progress)
    retried_only = query.single("attempt") == "retry"
    outcomes = None if retried_only or not retries else await retry_outcomes(client, aggregator.links)
    return WindowSummary(aggregator.result(), scan, outcomes)


async def calls_per_agent(client: Lister, agents: Sequence[Agent], query: LogQuery) -> dict[str, int | None]:
    """Each agent's number of calls matching `query`: one `limit=1` request per agent, a few at a time.

    An agent whose count could not be read maps to None.
    """
    counts: dict[str, int | None] = {}
    limiter = anyio.CapacityLimiter(AGENT_COUNT_CONCURRENCY)

    async def count(agent_id: str) -> None:
        async with limiter:
            try:
                page = await client.list_logs(query.narrowed(agent_ids=(agent_id,)).with_page(1, 1))
            except AtomsAPIError:
                counts[agent_id] = None
                return
        counts[agent_id] = page.pagination.total

    async with anyio.create_task_group() as group:
        for agent in agents:
            if agent.id:
                group.start_soon(count, agent.id)
    return counts
