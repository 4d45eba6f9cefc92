"""Work that takes more than one API request: many call ids in batches, agent names by id."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import anyio

from .client import SEARCH_BATCH_LIMIT, AtomsClient
from .errors import AtomsAPIError
from .models import Agent, CallRow

SEARCH_CONCURRENCY = 4


@dataclass
class SearchOutcome:
    found: dict[str, CallRow] = field(default_factory=dict)
    failed: list[tuple[list[str], AtomsAPIError]] = field(default_factory=list)
    requests: int = 0


async def search_call_ids(
    client: AtomsClient, call_ids: Sequence[str], concurrency: int = SEARCH_CONCURRENCY
) -> SearchOutcome:
    """Look up any number of ids, 100 per request, a few requests at a time.

    A batch that fails after the client's retries is reported in `failed` with its ids, so the
    caller can say exactly what is missing instead of presenting a partial answer as whole.
    """
    outcome = SearchOutcome()
    batches = [list(call_ids[i : i + SEARCH_BATCH_LIMIT]) for i in range(0, len(call_ids), SEARCH_BATCH_LIMIT)]
    limiter = anyio.CapacityLimiter(concurrency)

    async def run(batch: list[str]) -> None:
        async with limiter:
            outcome.requests += 1
            try:
                result = await client.search(batch)
            except AtomsAPIError as error:
                outcome.failed.append((batch, error))
                return
        wanted = set(batch)
        for row in result.logs:
            if row.call_id in wanted:
                outcome.found[row.call_id] = row

    async with anyio.create_task_group() as group:
        for batch in batches:
            group.start_soon(run, batch)
    return outcome


class AgentDirectory:
    """Agent names by id, fetched once and kept `ttl` seconds (names change rarely)."""

    def __init__(self, client: AtomsClient, ttl: float = 300.0) -> None:
        self._client = client
        self._ttl = ttl
        self._agents: list[Agent] | None = None
        self._fetched_at = 0.0
        self._lock = anyio.Lock()

    async def agents(self) -> list[Agent]:
        async with self._lock:
            if self._agents is None or time.monotonic() - self._fetched_at > self._ttl:
                self._agents = await self._fetch_all()
                self._fetched_at = time.monotonic()
            return self._agents

    async def names(self) -> dict[str, str]:
        """id -> name; empty (not an error) when the agent list cannot be read."""
        try:
            agents = await self.agents()
        except AtomsAPIError:
            return {}
        return {agent.id: agent.name for agent in agents if agent.id and agent.name}

    async def _fetch_all(self, per_page: int = 100, max_pages: int = 50) -> list[Agent]:
        agents: list[Agent] = []
        for page in range(1, max_pages + 1):
            result = await self._client.list_agents(page=page, per_page=per_page)
            agents.extend(result.agents)
            if not result.agents or len(result.agents) < per_page or (result.total and len(agents) >= result.total):
                break
        return agents
