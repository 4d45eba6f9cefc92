"""The agent behind a call: its published versions, which one a name like `v3` means, and one version's config.

`vN` names the version whose (v1) `versionNumber` is N; when none has that number, the revision whose
`revisionNumber` is N on the agent's live branch (the branch holding the active version). Drafts never count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
        """N of the `vN` that names this revision (only when `vN` names it and nothing else), else None."""
        for candidate in (revision.version_number, revision.revision_number):
            if candidate is not None and self.by_number(candidate) is revision:
                return candidate
        return None

    def by_number(self, number: int) -> Revision | None:
        """The one revision `vN` names, or None when none does or several could."""
        legacy = [r for r in self.revisions if r.version_number == number]
        if len(legacy) > 1:  # the same number on two branches: the live branch's, if it has exactly one
            legacy = [r for r in legacy if r.branch == self.live_branch]
        if legacy:
            return legacy[0] if len(legacy) == 1 else None
        live = self.live_branch
        rows = [
            r
            for r in self.revisions
            if r.revision_number == number and r.version_number is None and r.branch == live and live is not None
        ]
        return rows[0] if len(rows) == 1 else None

    def find(self, wanted: str) -> Revision | None:
        token = wanted.strip()
        if match := VERSION_NUMBER.fullmatch(token):
            return self.by_number(int(match.group(1)))
        return self.by_id(token)

    def newest_first(self) -> list[Revision]:
        """Versions of the live branch first (newest first), then the other branches' and unplaced ones."""
        live = self.live_branch
        return sorted(self.revisions, key=lambda r: (0 if r.branch == live else 1, *_newest(r)))

    def previous(self, revision: Revision) -> Revision | None:
        """The version published just before `revision` on its branch (by time, else by number), or for the first
        revision of a forked branch, the revision it was forked from."""
        same = sorted((r for r in self.revisions if r.branch == revision.branch), key=_newest)
        index = next((i for i, r in enumerate(same) if r.id == revision.id), None)
        if index is not None and index + 1 < len(same):
            return same[index + 1]
        branches = self.listed.branches if self.listed else []
        source = next(
            (s.branch.source_revision_id for s in branches if s.branch and s.branch.id == revision.branch), None
        )
        return self.by_id(source) if source else None


def _newest(revision: Revision) -> tuple[float, int]:
    """Sort key, newest first: publication (or creation) time, then the revision's numbers."""
    moment = revision.published_at or revision.created_at
    number = revision.revision_number or revision.version_number or 0
    return (-moment.timestamp() if moment else 0.0, -number)


@dataclass(frozen=True)
class AgentReading:
    """One version of an agent: which it is, its config, and how it was read."""

    catalog: Catalog
    revision: Revision | None
    revision_id: str | None
    config: AgentConfig | None
    route: Route | None

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
        raise VersionNameError(wanted or "active", catalog) from None
    found = revision or read.revision
    return AgentReading(catalog, found, revision_id, read.config, read.route)
