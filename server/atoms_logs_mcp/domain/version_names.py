"""What the `version_ids` filter's values mean: a version id as it is, `vN` (or `N`) the version each agent in
scope names by that number (`Catalog.find`, as get_agent reads it), and the label of every version known.

The scope is the agents the filters name, or, when they name none, every agent in the agent list. Each agent's
versions are read once and kept (`VersionCatalogs`, like the agent list in `AgentDirectory`), so a filter by
version costs one read per agent per `ttl`, not one per call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import anyio

from ..api.agent_versions import AgentVersions
from ..api.errors import AtomsAPIError
from .agent_config import VERSION_NUMBER, Catalog, catalog_of
from .cache import TTLCache
from .lookup import AgentDirectory
from .version_label import version_label

CATALOG_CONCURRENCY = 4
MAX_CATALOGS = 500


class UnknownVersionError(ValueError):
    """A `vN` that no agent in scope names: `catalogs` are the agents looked in, with the versions they have."""

    def __init__(self, wanted: str, catalogs: Sequence[Catalog]) -> None:
        self.wanted = wanted
        self.catalogs = list(catalogs)
        super().__init__(f"no agent names a version {wanted!r}")


@dataclass(frozen=True)
class VersionChoice:
    """The `version_ids` filter resolved: the ids to send, how to label each, and what each `vN` meant."""

    ids: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    """Version id -> `Support v4 (<id>)`, for every id whose agent lists it."""
    meanings: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """`vN` -> the ids it stands for, when looked up across several agents (one per agent that has it)."""
    unread: tuple[tuple[str, AtomsAPIError], ...] = ()
    """Agents (their names, else ids) whose versions could not be read: a `vN` may miss their calls."""


def label_of(catalog: Catalog, version_id: str) -> str | None:
    """The version's label when this agent lists it, else None."""
    revision = catalog.by_id(version_id)
    if revision is None or not revision.id:
        return None
    return version_label(catalog.agent.name, catalog.number(revision), revision.id)


class VersionCatalogs:
    """Each agent's published versions, read once and kept `ttl` seconds (a failed read is not kept)."""

    def __init__(
        self,
        api: AgentVersions,
        directory: AgentDirectory,
        ttl: float = 120.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._directory = directory
        self._kept: TTLCache[Catalog] = TTLCache(MAX_CATALOGS, ttl, clock)
        self._lock = anyio.Lock()

    async def catalogs(self, agent_ids: Sequence[str]) -> tuple[list[Catalog], list[tuple[str, AtomsAPIError]]]:
        """The agents' catalogs, in order, and the agents whose catalog could not be read, with why."""
        failed: dict[str, AtomsAPIError] = {}
        async with self._lock:
            missing = [agent_id for agent_id in dict.fromkeys(agent_ids) if self._kept.get(agent_id) is None]
            limiter = anyio.CapacityLimiter(CATALOG_CONCURRENCY)

            async def read(agent_id: str) -> None:
                async with limiter:
                    try:
                        catalog = await catalog_of(self._api, self._directory, agent_id)
                    except AtomsAPIError as error:
                        failed[agent_id] = error
                        return
                if catalog.problem is None:
                    self._kept.put(agent_id, catalog)
                else:
                    failed[agent_id] = catalog.problem

            async with anyio.create_task_group() as group:
                for agent_id in missing:
                    group.start_soon(read, agent_id)
        found = [kept for agent_id in agent_ids if (kept := self._kept.get(agent_id)) is not None]
        return found, [(agent_id, failed[agent_id]) for agent_id in agent_ids if agent_id in failed]

    async def resolve(self, values: Sequence[str], agent_ids: Sequence[str]) -> VersionChoice:
        """The `version_ids` values as ids, for the agents `agent_ids` (resolved), or every agent when empty.
        UnknownVersionError for a `vN` no agent in scope has; an agent's failed read is raised when the filters
        name the agent or no agent read has the `vN`, else reported in `unread`."""
        if not values:
            return VersionChoice()
        scope = list(agent_ids) or [a.id for a in await self._directory.agents() if a.id]
        catalogs, failed = await self.catalogs(scope)
        if failed and agent_ids:
            raise failed[0][1]
        ids: list[str] = []
        meanings: dict[str, tuple[str, ...]] = {}
        for value in values:
            wanted = value.strip()
            if not VERSION_NUMBER.fullmatch(wanted):
                ids.append(wanted or value)
                continue
            found = tuple(r.id for c in catalogs if (r := c.find(wanted)) is not None and r.id)
            if not found and failed:
                raise failed[0][1]  # an unread agent may have it: never a filter that silently matches nothing
            if not found:
                raise UnknownVersionError(wanted, catalogs)
            ids.extend(found)
            if len(scope) > 1 or failed:
                meanings[wanted] = found
        labels = {i: label for i in ids for c in catalogs if (label := label_of(c, i)) is not None}
        names = await self._directory.names()
        unread = tuple((names.get(agent_id, agent_id), error) for agent_id, error in failed)
        return VersionChoice(tuple(dict.fromkeys(ids)), labels, meanings, unread)
