"""The agent reads of `openapi-agents.yaml`, over the one `AtomsClient`: an agent with its resolved config,
its published versions, one version's config by id, and the diff of two.

The API is between two versioning models (NOTES): v2 branches and revisions, and the deprecated v1
`versions` routes, which answer `409 versioning_v2_migration_required` for list reads once an account is on
the branch model. Each read tries the model that answered last (v2 at first) and falls back to the other
when the route is not there (404) or refuses (409); every answer says which one it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import quote

import anyio

from .agent_models import AgentConfig, AgentDetail, BranchSummary, DiffResult, Revision, RevisionConfig, RevisionPage
from .client import AtomsClient, parse_data
from .errors import AtomsAPIError, BadRequestError, NotFoundError, WrongServiceError

Model = Literal["v2", "v1"]
PAGE = 100
MAX_REVISIONS = 1_000
"""Per branch (or v1 list): more published versions than this is not an agent anyone reads by number."""
BRANCH_CONCURRENCY = 4


class VersionNotFoundError(NotFoundError):
    """No published version with that id on the agent, through either model."""


@dataclass(frozen=True)
class Route:
    """Which versioning model answered a read, and why the other did not."""

    model: Model
    fallback_from: str | None = None
    """What the model tried first answered, when it was not this one (e.g. "HTTP 409")."""

    def describe(self) -> str:
        name = "v2 branch/revision routes" if self.model == "v2" else "deprecated v1 versions routes"
        return name if self.fallback_from is None else f"{name} (the {_other(self.model)} routes: {self.fallback_from})"


@dataclass(frozen=True)
class VersionList:
    revisions: list[Revision]
    """Published versions, each once, newest first within a branch."""
    branches: list[BranchSummary]
    """Empty when read through v1."""
    route: Route
    unread: list[tuple[str, AtomsAPIError]] = field(default_factory=list)
    """Branches whose revisions could not be read (their versions are missing from `revisions`)."""


@dataclass(frozen=True)
class VersionConfig:
    revision: Revision | None
    config: AgentConfig | None
    route: Route


def _other(model: Model) -> Model:
    return "v1" if model == "v2" else "v2"


def _absent(error: AtomsAPIError) -> str | None:
    """Why a versioning route does not serve this account, or None when the error is about something else: a
    route that is not there (404) or the v1 refusal of the branch model (409)."""
    if isinstance(error, NotFoundError | WrongServiceError) and error.status == 404:
        return "HTTP 404"
    if isinstance(error, BadRequestError) and error.status == 409:
        return "HTTP 409 versioning_v2_migration_required"
    return None


class AgentVersions:
    """The agent reads, remembering per server lifetime which versioning model answers."""

    def __init__(self, client: AtomsClient, prefer: Model = "v2") -> None:
        self._client = client
        self.model: Model = prefer
        self.fallback_from: str | None = None
        """Why `model` answers and not the other (None while the preferred one does): said with every read."""

    async def agent(self, agent_id: str) -> AgentDetail:
        """`GET /agent/{id}`: the agent with its active version's resolved config (when it has one)."""
        return await self._client.get_agent(agent_id)

    async def versions(self, agent_id: str) -> VersionList:
        """The published versions, through the model that answers."""
        first = self.model
        try:
            return await self._versions(agent_id, first, None)
        except AtomsAPIError as error:
            if (why := _absent(error)) is None:
                raise
        return await self._versions(agent_id, _other(first), why)

    async def config(self, agent_id: str, revision_id: str, branch_id: str | None) -> VersionConfig:
        """One version's resolved config by id. The v2 route needs the revision's branch: a revision without
        one (a legacy row not yet backfilled) is read through v1, which resolves ids across branches."""
        order: list[Model] = [self.model, _other(self.model)]
        if branch_id is None:
            order = ["v1", "v2"]
        why: str | None = None
        for model in order:
            try:
                read = await self._config(agent_id, revision_id, branch_id, model)
            except AtomsAPIError as error:
                if (reason := _absent(error)) is None and not _not_on_branch(error):
                    raise
                why = why or reason or "not on that branch"
                continue
            if read is not None:
                reason = why or (self.fallback_from if model == self.model else None)
                return VersionConfig(read.revision or read.version, read.resolved_config, Route(model, reason))
        raise VersionNotFoundError(f"No published version {revision_id} on agent {agent_id}", status=404)

    async def diff(self, agent_id: str, base: str, target: str) -> DiffResult:
        """`GET /agent/{id}/diff?a=&b=`: what changed from `base` to `target`, per section."""
        subject = f"the diff of versions {base} and {target}"
        data = await self._client.request(
            "GET", f"{_agent_path(agent_id)}/diff", params={"a": base, "b": target}, subject=subject
        )
        return parse_data(DiffResult, data, "GET /agent/{id}/diff")

    # Each model ----------------------------------------------------------------------------------------

    async def _versions(self, agent_id: str, model: Model, why: str | None) -> VersionList:
        if model == "v1":
            revisions = await self._pages(f"{_agent_path(agent_id)}/versions", "versions")
            branches: list[BranchSummary] = []
            unread: list[tuple[str, AtomsAPIError]] = []
        else:
            branches = await self._branches(agent_id)
            revisions, unread = await self._branch_revisions(agent_id, branches)
        if model != self.model or why:
            self.model, self.fallback_from = model, why
        published = [r for r in revisions if (r.status or "published") == "published" and r.id]
        return VersionList(
            list({r.id: r for r in published}.values()), branches, Route(model, self.fallback_from), unread
        )

    async def _branches(self, agent_id: str) -> list[BranchSummary]:
        data = await self._client.request("GET", f"{_agent_path(agent_id)}/branches", subject=f"agent {agent_id}")
        rows = data.get("branches") if isinstance(data, dict) else None
        summaries = [
            parse_data(BranchSummary, row, "GET /agent/{id}/branches") for row in rows or [] if isinstance(row, dict)
        ]
        return [s for s in summaries if s.branch and s.branch.id and (s.branch.status or "active") == "active"]

    async def _branch_revisions(
        self, agent_id: str, branches: list[BranchSummary]
    ) -> tuple[list[Revision], list[tuple[str, AtomsAPIError]]]:
        """Each branch's revisions, a few branches at a time. A branch that cannot be read is left out and named;
        when none can be, its error is raised."""
        found: dict[int, list[Revision]] = {}
        unread: list[tuple[str, AtomsAPIError]] = []
        limiter = anyio.CapacityLimiter(BRANCH_CONCURRENCY)

        async def read(index: int, branch_id: str) -> None:
            path = f"{_agent_path(agent_id)}/branches/{quote(branch_id, safe='')}/revisions"
            async with limiter:
                try:
                    rows = await self._pages(path, "revisions")
                except AtomsAPIError as error:
                    unread.append((branch_id, error))
                    return
            found[index] = [r if r.branch else r.model_copy(update={"branch": branch_id}) for r in rows]

        async with anyio.create_task_group() as group:
            for index, summary in enumerate(branches):
                assert summary.branch is not None and summary.branch.id is not None
                group.start_soon(read, index, summary.branch.id)
        if unread and not found:
            raise unread[0][1]
        return [revision for index in sorted(found) for revision in found[index]], unread

    async def _pages(self, path: str, key: Literal["revisions", "versions"]) -> list[Revision]:
        """Every page of a revision (or v1 version) list, `PAGE` at a time, at most `MAX_REVISIONS`."""
        rows: list[Revision] = []
        while len(rows) < MAX_REVISIONS:
            params = {"limit": str(PAGE), "skip": str(len(rows))}
            page = parse_data(RevisionPage, await self._client.request("GET", path, params=params, subject=path), path)
            batch = getattr(page, key)
            rows += batch
            if len(batch) < PAGE or (page.total is not None and len(rows) >= page.total):
                break
        return rows

    async def _config(
        self, agent_id: str, revision_id: str, branch_id: str | None, model: Model
    ) -> RevisionConfig | None:
        if model == "v2":
            if branch_id is None:
                return None
            path = (
                f"{_agent_path(agent_id)}/branches/{quote(branch_id, safe='')}/revisions/{quote(revision_id, safe='')}"
            )
            operation = "GET /agent/{id}/branches/{branchId}/revisions/{revisionId}"
        else:
            path = f"{_agent_path(agent_id)}/versions/{quote(revision_id, safe='')}"
            operation = "GET /agent/{id}/versions/{versionId}"
        data = await self._client.request("GET", path, subject=f"version {revision_id}")
        return parse_data(RevisionConfig, data, operation)


def _agent_path(agent_id: str) -> str:
    return f"agent/{quote(agent_id, safe='')}"


def _not_on_branch(error: AtomsAPIError) -> bool:
    """The v2 route's 400 for a revision of another branch (or an id it does not know)."""
    return isinstance(error, BadRequestError) and error.status == 400
