"""The agent behind a call: its published versions, which one a name like `v3` means, and one version's config.

`vN` names the version whose (v1) `versionNumber` is N; when none has that number, the revision whose
`revisionNumber` is N on the agent's live branch (the branch holding the active version). Drafts never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..api.agent_models import AgentConfig, AgentDetail, Revision
from ..api.agent_versions import AgentVersions, Route, VersionList, VersionNotFoundError
from ..api.errors import AtomsAPIError
from .lookup import AgentDirectory

VERSION_NUMBER = re.compile(r"[vV]?(\d{1,6})")
VERSION_ID = re.compile(r"[0-9a-fA-F]{24}")


class VersionNameError(ValueError):
    """A `version` argument that names no published version of the agent."""

    def __init__(self, wanted: str, catalog: Catalog) -> None:
        self.wanted = wanted
        self.catalog = catalog
        super().__init__(f"no version {wanted!r}")


@dataclass(frozen=True)
class Catalog:
    """An agent's published versions, as listed through whichever versioning model answered."""

    agent: AgentDetail
    listed: VersionList | None
    problem: AtomsAPIError | None = None
    """Why the versions could not be listed (the active version is still read from the agent)."""

    @property
    def revisions(self) -> list[Revision]:
        return self.listed.revisions if self.listed else []

    @property
    def route(self) -> Route | None:
        return self.listed.route if self.listed else None

    @property
    def active_id(self) -> str | None:
        return self.agent.active_id or next((r.id for r in self.revisions if r.is_active), None)

    @property
    def branch_names(self) -> dict[str, str]:
        branches = self.listed.branches if self.listed else []
        return {s.branch.id: s.branch.name or s.branch.id for s in branches if s.branch and s.branch.id}

    @property
    def live_branch(self) -> str | None:
        branches = self.listed.branches if self.listed else []
        live = next((s.branch.id for s in branches if s.is_live and s.branch), None)
        active = self.by_id(self.active_id) if self.active_id else None
        default = next((s.branch.id for s in branches if s.branch and s.branch.is_default), None)
        return live or (active.branch if active else None) or default

    def by_id(self, revision_id: str) -> Revision | None:
        wanted = revision_id.lower()
        return next((r for r in self.revisions if (r.id or "").lower() == wanted), None)

    def number(self, revision: Revision) -> int | None:
        """N of the `vN` that names this revision, or None when only its id does."""
        if revision.version_number is not None:
            return revision.version_number
        if revision.revision_number is None or revision.branch != self.live_branch:
            return None
        taken = any(r.version_number == revision.revision_number for r in self.revisions)
        return None if taken else revision.revision_number

    def by_number(self, number: int) -> Revision | None:
        legacy = next((r for r in self.revisions if r.version_number == number), None)
        live = self.live_branch
        return legacy or next(
            (r for r in self.revisions if r.revision_number == number and r.branch == live and live), None
        )

    def find(self, wanted: str) -> Revision | None:
        token = wanted.strip()
        if match := VERSION_NUMBER.fullmatch(token):
            return self.by_number(int(match.group(1)))
        return self.by_id(token)

    def newest_first(self) -> list[Revision]:
        """Versions of the live branch first (newest first), then the other branches' and unplaced ones."""
        live = self.live_branch

        def key(r: Revision) -> tuple[int, float, int]:
            moment = r.published_at or r.created_at or datetime.min.replace(tzinfo=UTC)
            return (0 if r.branch == live else 1, -moment.timestamp(), -(self.number(r) or 0))

        return sorted(self.revisions, key=key)

    def previous(self, revision: Revision) -> Revision | None:
        """The version published just before `revision` on its branch (by number, else by time)."""
        mine = self.number(revision) if revision.branch == self.live_branch else revision.revision_number
        same = [r for r in self.revisions if r.branch == revision.branch and r.id != revision.id]
        if mine is not None:
            older = [r for r in same if (self.number(r) or r.revision_number or 0) < mine]
            return max(older, key=lambda r: self.number(r) or r.revision_number or 0, default=None)
        return None


@dataclass(frozen=True)
class AgentReading:
    """One version of an agent: which it is, its config, and how it was read."""

    catalog: Catalog
    revision: Revision | None
    revision_id: str | None
    config: AgentConfig | None
    route: Route | None
    notes: list[str] = field(default_factory=list)

    @property
    def agent(self) -> AgentDetail:
        return self.catalog.agent

    @property
    def active(self) -> bool:
        return bool(self.revision_id) and self.revision_id == self.catalog.active_id


async def catalog_of(api: AgentVersions, directory: AgentDirectory, agent: str) -> Catalog:
    """The agent named by `agent` (a name or an id) and its published versions."""
    agent_id = (await directory.resolve([agent]))[0]
    detail = await api.agent(agent_id)
    try:
        return Catalog(detail, await api.versions(agent_id))
    except AtomsAPIError as error:
        return Catalog(detail, None, error)


def resolve_version(catalog: Catalog, wanted: str | None) -> tuple[str | None, Revision | None]:
    """(revision id, listed revision) for a version argument: None means the active version."""
    if wanted is None or not wanted.strip() or wanted.strip().lower() == "active":
        active = catalog.active_id
        return active, catalog.by_id(active) if active else None
    if revision := catalog.find(wanted):
        return revision.id, revision
    if VERSION_ID.fullmatch(wanted.strip()):
        return wanted.strip(), None  # unlisted (a legacy row no branch holds yet, or no list): read by id
    raise VersionNameError(wanted, catalog)


async def read_version(api: AgentVersions, catalog: Catalog, wanted: str | None) -> AgentReading:
    """One version's config: the active one from the agent's `_resolvedConfig`, any other by id."""
    revision_id, revision = resolve_version(catalog, wanted)
    active = revision_id is not None and revision_id == catalog.active_id
    if active and catalog.agent.resolved_config is not None:
        return AgentReading(catalog, revision, revision_id, catalog.agent.resolved_config, catalog.route)
    if revision_id is None:
        return AgentReading(catalog, None, None, catalog.agent.resolved_config, catalog.route)
    try:
        read = await api.config(catalog.agent.id or "", revision_id, revision.branch if revision else None)
    except VersionNotFoundError:
        raise VersionNameError(wanted or revision_id, catalog) from None
    found = revision or read.revision
    return AgentReading(catalog, found, revision_id, read.config, read.route)
