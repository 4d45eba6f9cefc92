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
from typing import Literal

import anyio

from ..api.agent_versions import AgentVersions
from ..api.errors import AtomsAPIError
from .agent_config import VERSION_ID, VERSION_NUMBER, Catalog, catalog_of
from .cache import TTLCache
from .lookup import AgentDirectory
from .version_label import version_label

CATALOG_CONCURRENCY = 4
STANDING_SECONDS = 2.0
Standing = Literal["listed", "agent unlisted", "version unlisted", "unknown"]
"""Whether a call's agent is in the agent list and its version among the agent's (unknown: could not be read)."""
MAX_CATALOGS = 500
FAILURE_SECONDS = 30.0
LABEL_ALL_UP_TO = 10
"""Ids alone, with no agent named, read every agent's versions for their labels only on accounts of this many
agents or fewer; on larger ones the labels come from the versions already read."""


class UnknownVersionError(ValueError):
    """A `vN` that no agent in scope names, or a value that is neither `vN` nor a version id (`malformed`):
    `catalogs` are the agents looked in, with the versions they have."""

    def __init__(self, wanted: str, catalogs: Sequence[Catalog], malformed: bool = False) -> None:
        self.wanted = wanted
        self.catalogs = list(catalogs)
        self.malformed = malformed
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
        self._unreadable: TTLCache[bool] = TTLCache(1, FAILURE_SECONDS, clock)
        """Set while the agent list could not be read: get_log does not wait on it again for a while."""
        self._locks: dict[str, anyio.Lock] = {}
        """One per agent: a read of one agent's versions never waits for another's."""

    async def catalogs(self, agent_ids: Sequence[str]) -> tuple[list[Catalog], list[tuple[str, AtomsAPIError]]]:
        """The agents' catalogs, in order, and the agents whose catalog could not be read, with why."""
        failed: dict[str, AtomsAPIError] = {}
        limiter = anyio.CapacityLimiter(CATALOG_CONCURRENCY)

        async def read(agent_id: str) -> None:
            async with limiter, self._locks.setdefault(agent_id, anyio.Lock()):
                if self._kept.get(agent_id) is not None:
                    return
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
            for agent_id in dict.fromkeys(agent_ids):
                if self._kept.get(agent_id) is None:
                    group.start_soon(read, agent_id)
        found = [kept for agent_id in agent_ids if (kept := self._kept.get(agent_id)) is not None]
        return found, [(agent_id, failed[agent_id]) for agent_id in agent_ids if agent_id in failed]

    async def standing(
        self, agent_id: str | None, version_id: str | None, within: float = STANDING_SECONDS
    ) -> Standing:
        """Whether the agent and version a call names are still listed, so that get_agent can read them; "unknown"
        when that cannot be read `within` seconds (a call's log never waits long on it)."""
        with anyio.move_on_after(within):
            return await self._standing(agent_id, version_id)
        self._unreadable.put("agents", True)
        return "unknown"

    async def _standing(self, agent_id: str | None, version_id: str | None) -> Standing:
        if not agent_id or self._unreadable.get("agents"):
            return "unknown"
        try:
            agents = await self._directory.agents()
        except AtomsAPIError:
            self._unreadable.put("agents", True)
            return "unknown"
        if agent_id not in {agent.id for agent in agents}:
            return "agent unlisted"
        if not version_id:
            return "listed"
        found, _ = await self.catalogs([agent_id])
        if not found:
            return "unknown"
        listed = found[0].by_id(version_id) is not None or version_id == found[0].active_id
        return "listed" if listed else "version unlisted"

    async def resolve(self, values: Sequence[str], agent_ids: Sequence[str]) -> VersionChoice:
        """The `version_ids` values as ids, for the agents `agent_ids` (resolved), or every agent when empty.

        A `vN` needs the versions of the agents in scope: UnknownVersionError when none has it; an agent's failed
        read is raised when the filters name the agent or no agent read has the `vN`, else told in `unread`. Ids
        are sent as given: for them the versions only add labels, and a failed read only leaves the label out."""
        if not values:
            return VersionChoice()
        numbers = [value for value in values if VERSION_NUMBER.fullmatch(value.strip())]
        odd = [value for value in values if value not in numbers and not VERSION_ID.fullmatch(value.strip())]
        try:
            scope = list(agent_ids) or [a.id for a in await self._directory.agents() if a.id]
            if not numbers and not odd and len(scope) > LABEL_ALL_UP_TO:
                return VersionChoice(tuple(dict.fromkeys(v.strip() for v in values)), self._labels_kept(values))
            catalogs, failed = await self.catalogs(scope)
        except AtomsAPIError:
            if numbers:
                raise
            return VersionChoice(tuple(dict.fromkeys(values)))
        if odd:
            raise UnknownVersionError(odd[0], catalogs, malformed=True)
        if not numbers:
            failed = []
        if failed and agent_ids:
            raise failed[0][1]
        ids: list[str] = []
        meanings: dict[str, tuple[str, ...]] = {}
        for value in values:
            if value not in numbers:
                ids.append(value.strip())
                continue
            found = _numbered(value.strip(), catalogs, failed)
            ids.extend(found)
            if len(scope) > 1 or failed:
                meanings[value.strip()] = found
        labels = {i: label for i in ids for c in catalogs if (label := label_of(c, i)) is not None}
        names = await self._directory.names()
        unread = tuple((names.get(agent_id, agent_id), error) for agent_id, error in failed)
        return VersionChoice(tuple(dict.fromkeys(ids)), labels, meanings, unread)

    def _labels_kept(self, version_ids: Sequence[str]) -> dict[str, str]:
        """Labels for ids from the catalogs already read (reading every agent's versions of a large account would be
        three requests per agent before the first answer, for labels alone)."""
        kept = self._kept.values()
        return {i.strip(): label for i in version_ids for c in kept if (label := label_of(c, i.strip())) is not None}


def _numbered(wanted: str, catalogs: Sequence[Catalog], failed: Sequence[tuple[str, AtomsAPIError]]) -> tuple[str, ...]:
    """The ids `vN` names, one per agent that has it; never none (an unread agent may have it: raised)."""
    found = tuple(r.id for c in catalogs if (r := c.find(wanted)) is not None and r.id)
    if not found and failed:
        raise failed[0][1]
    if not found:
        raise UnknownVersionError(wanted, catalogs)
    return found
