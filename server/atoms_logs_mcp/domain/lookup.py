"""Work that takes more than one API request: many call ids in batches, agent names by id."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import anyio

from ..api.client import SEARCH_BATCH_LIMIT, AtomsClient
from ..api.errors import AtomsAPIError
from ..api.models import Agent, CallRow
from .aggregate import Link
from .cache import TTLCache
from .replica.reads import Lister

SEARCH_CONCURRENCY = 4
_OBJECT_ID = re.compile(r"[0-9a-fA-F]{24}")


@dataclass
class SearchOutcome:
    found: dict[str, CallRow] = field(default_factory=dict)
    failed: list[tuple[list[str], AtomsAPIError]] = field(default_factory=list)
    requests: int = 0
    unreadable: int = 0
    """Rows the API sent that were not call objects."""
    uncertain: set[str] = field(default_factory=set)
    """Ids not found in a batch whose answer held unreadable rows: they may be among those rows."""


async def search_call_ids(
    client: Lister, call_ids: Sequence[str], concurrency: int = SEARCH_CONCURRENCY
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
        if result.unreadable:
            outcome.unreadable += result.unreadable
            outcome.uncertain.update(call_id for call_id in batch if call_id not in outcome.found)

    async with anyio.create_task_group() as group:
        for batch in batches:
            group.start_soon(run, batch)
    return outcome


class AgentNameError(ValueError):
    """An `agents` argument names no agent, or several: `candidates` are the matches, or every agent."""

    def __init__(self, wanted: str, candidates: Sequence[Agent], *, ambiguous: bool) -> None:
        self.wanted = wanted
        self.candidates = list(candidates)
        self.ambiguous = ambiguous
        super().__init__(f"agent {wanted!r} is {'ambiguous' if ambiguous else 'unknown'}")


class AgentDirectory:
    """The organisation's agents (active and archived), fetched once and kept `ttl` seconds."""

    def __init__(self, client: AtomsClient, ttl: float = 120.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._client = client
        self._kept: TTLCache[list[Agent]] = TTLCache(1, ttl, clock)
        self._lock = anyio.Lock()

    async def agents(self) -> list[Agent]:
        async with self._lock:
            agents = self._kept.get("agents")
            if agents is None:
                active = await self._fetch_all(archived=False)
                archived = await self._fetch_all(archived=True)
                agents = active + [a for a in archived if a.id not in {b.id for b in active}]
                self._kept.put("agents", agents)
            return agents

    async def names(self) -> dict[str, str]:
        """id -> name; empty (not an error) when the agent list cannot be read."""
        try:
            agents = await self.agents()
        except AtomsAPIError:
            return {}
        return {agent.id: agent.name for agent in agents if agent.id and agent.name}

    async def resolve(self, values: Sequence[str]) -> tuple[str, ...]:
        """Agent ids for ids or names: an exact id, else a case-insensitive name, exact before partial."""
        agents = await self.agents()
        by_id = {agent.id: agent for agent in agents if agent.id}
        resolved: list[str] = []
        for value in values:
            wanted = value.strip()
            if wanted in by_id or _OBJECT_ID.fullmatch(wanted):
                resolved.append(wanted)
                continue
            lowered = wanted.casefold()
            exact = [a for a in agents if (a.name or "").casefold() == lowered]
            candidates = exact or [a for a in agents if lowered in (a.name or "").casefold()]
            if len(candidates) == 1 and candidates[0].id:
                resolved.append(candidates[0].id)
            else:
                raise AgentNameError(wanted, candidates or agents, ambiguous=bool(candidates))
        return tuple(dict.fromkeys(resolved))

    async def _fetch_all(self, *, archived: bool, per_page: int = 100, max_pages: int = 50) -> list[Agent]:
        agents: list[Agent] = []
        for page in range(1, max_pages + 1):
            result = await self._client.list_agents(page=page, per_page=per_page, archived=archived)
            agents.extend(result.agents)
            # Stop at the total when the API gives one (it may cap the page size below ours), else at a short page.
            if not result.agents or (len(agents) >= result.total if result.total else len(result.agents) < per_page):
                break
        return agents


@dataclass
class RetryOutcomes:
    retried: int = 0
    """First attempts that did not complete and were retried."""
    recovered: list[str] = field(default_factory=list)
    """Those whose family later completed (root call ids)."""
    not_recovered: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    """Those whose retries could not be read."""
    requests: int = 0


async def retry_outcomes(client: Lister, links: Mapping[str, Link], max_depth: int = 6) -> RetryOutcomes:
    """Follow each retried, uncompleted first attempt in `links` down its retry chain (`retryCallId`).

    Calls already in `links` cost nothing; the rest are looked up 100 ids at a time.
    """
    known = dict(links)
    roots = {
        call_id: link
        for call_id, link in links.items()
        if not link.attempt and link.status != "completed" and link.retry_call_id
    }
    outcome = RetryOutcomes(retried=len(roots))
    frontier = {link.retry_call_id: root for root, link in roots.items() if link.retry_call_id}
    for _ in range(max_depth):
        if not frontier:
            break
        missing = [call_id for call_id in frontier if call_id not in known]
        if missing:
            found = await search_call_ids(client, missing)
            outcome.requests += found.requests
            for call_id, row in found.found.items():
                known[call_id] = Link(row.status, row.retry_call_id, row.retry_attempt_number or 0)
            for batch, _error in found.failed:
                for call_id in batch:
                    outcome.unknown.append(frontier.pop(call_id))
        following: dict[str, str] = {}
        for call_id, root in frontier.items():
            link = known.get(call_id)
            if link is not None and link.status == "completed":
                outcome.recovered.append(root)
            elif link is not None and link.retry_call_id:
                following[link.retry_call_id] = root
            else:
                outcome.not_recovered.append(root)  # the chain ends, or names a retry that does not exist
        frontier = following
    outcome.unknown.extend(frontier.values())
    return outcome
