"""Agents' branches and revisions, answering the reads of `openapi-agents.yaml` the way the API does.

A dataset may carry `"branches": [Branch...]` and `"revisions": [{"revision": Revision, "resolvedConfig": {...}}]`
next to `agents` and `calls`. An agent's `_resolvedConfig` is its record's own, else its active revision's.
`mode` is the account's versioning model: "v2" (the branch model, as the spec describes it now: the v1 list
route answers 409 `versioning_v2_migration_required`, v1 reads by id still answer) or "v1" (before the
migration: the v2 branch routes are not there). A legacy row whose `branch` is still null ("until
backfilled") is served on the agent's default branch, where the migration put the v1 versions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Literal

from .config_diff import diff_configs

Mode = Literal["v2", "v1"]
OBJECT_ID = re.compile(r"[a-f\d]{24}")
DRAFT_REF = re.compile(r"([a-f\d]{24}):draft")


class Refused(Exception):
    """The API's answer is an error: `status` with the spec's envelope (and `error_type` for a 409)."""

    def __init__(self, status: int, message: str, error_type: str | None = None) -> None:
        self.status = status
        self.message = message
        self.error_type = error_type
        super().__init__(message)


MIGRATION_REQUIRED = Refused(
    409,
    "This endpoint is deprecated on the branch model: use /agent/{id}/branches/{branchId}/revisions",
    "versioning_v2_migration_required",
)


class AgentVersions:
    def __init__(
        self, agents: Mapping[str, dict[str, Any]], branches: list[dict[str, Any]], revisions: list[dict[str, Any]]
    ) -> None:
        self.agents = agents
        self.mode: Mode = "v2"
        self.branches: dict[str, dict[str, Any]] = {str(b["_id"]): b for b in branches if isinstance(b, dict)}
        self.revisions: dict[str, dict[str, Any]] = {}
        self.configs: dict[str, dict[str, Any]] = {}
        for item in revisions:
            revision = item.get("revision") if isinstance(item, dict) else None
            if isinstance(revision, dict) and revision.get("_id"):
                self.revisions[str(revision["_id"])] = revision
                self.configs[str(revision["_id"])] = dict(item.get("resolvedConfig") or {})

    # The agent ----------------------------------------------------------------------------------------

    def resolved_config(self, agent: Mapping[str, Any]) -> dict[str, Any] | None:
        own = agent.get("_resolvedConfig")
        if isinstance(own, dict):
            return own
        active = agent.get("activeVersionId") or agent.get("versionId")
        return self.configs.get(str(active)) if active else None

    def with_config(self, dto: dict[str, Any], params: Mapping[str, str]) -> dict[str, Any]:
        """The single-agent read: `_resolvedConfig` of the active version, or of `?versionId=` / `?draftId=`."""
        dto = dict(dto)
        config, source = self.resolved_config(dto), None
        if version := params.get("versionId"):
            try:
                config, source = self.configs[self._published(dto, version)["_id"]], "version"
            except Refused as refused:  # this route answers every "not found" with 400 (the spec)
                raise Refused(400, refused.message) from None
        elif draft := params.get("draftId"):
            found = [r for r in self._of(dto) if r.get("draftId") == draft and r.get("status") == "draft"]
            config, source = (self.configs[found[-1]["_id"]] if found else None), "draft"
            if config is None:
                raise Refused(400, "Draft not found")
        if config is None:
            dto.pop("_resolvedConfig", None)
            return dto
        dto["_resolvedConfig"] = config
        dto["_versionedWorkflow"] = {k: config[k] for k in ("prompt", "tools", "workflowGraph") if k in config}
        if source:
            dto["_configSource"] = source
        return dto

    # v1 ---------------------------------------------------------------------------------------------------

    def v1_versions(self, agent: Mapping[str, Any], params: Mapping[str, str]) -> dict[str, Any]:
        if self.mode == "v2":
            raise MIGRATION_REQUIRED
        limit, skip = _bounded(params, "limit", 20, 1, 100), _bounded(params, "skip", 0, 0, None)
        published = [r for r in self._of(agent) if r.get("status") == "published"]
        pinned = params.get("isPinned")
        if pinned in ("true", "false"):
            published = [r for r in published if bool(r.get("isPinned")) == (pinned == "true")]
        published.sort(key=lambda r: (r.get("versionNumber") or 0, str(r.get("publishedAt"))), reverse=True)
        return {"versions": published[skip : skip + limit], "total": len(published)}

    def v1_version(self, agent: Mapping[str, Any], version_id: str) -> dict[str, Any]:
        """By id across branches (kept working during the coexistence window, in both modes)."""
        return {"version": self._published(agent, version_id), "resolvedConfig": self.configs[version_id]}

    # v2 ---------------------------------------------------------------------------------------------------

    def branch_list(self, agent: Mapping[str, Any]) -> dict[str, Any]:
        self._require_v2()
        live = self._live_branch(agent)
        rows = []
        for branch in self._branches_of(agent):
            if branch.get("status", "active") != "active":
                continue
            committed = self._committed(agent, branch["_id"])
            head = next((r for r in committed if r["_id"] == branch.get("headRevisionId")), None)
            rows.append(
                {
                    "branch": branch,
                    "isLive": branch["_id"] == live,
                    "hasOpenDraft": bool(branch.get("openDraftId")),
                    "revisionsCount": len(committed),
                    "headRevisionNumber": head.get("revisionNumber") if head else None,
                }
            )
        return {"branches": rows}

    def branch_revisions(self, agent: Mapping[str, Any], branch_id: str, params: Mapping[str, str]) -> dict[str, Any]:
        self._branch(agent, branch_id)
        limit, skip = _bounded(params, "limit", 20, 1, 100), _bounded(params, "skip", 0, 0, None)
        committed = self._committed(agent, branch_id)
        return {"revisions": committed[skip : skip + limit], "total": len(committed)}

    def revision(self, agent: Mapping[str, Any], branch_id: str, revision_id: str) -> dict[str, Any]:
        self._branch(agent, branch_id)
        if not OBJECT_ID.fullmatch(revision_id):
            raise Refused(400, "Invalid revisionId")
        revision = self.revisions.get(revision_id)
        if revision is None or revision.get("agent") != agent["_id"] or self._on(agent, revision) != branch_id:
            raise Refused(400, "Revision does not belong to this branch")
        return {"revision": revision, "resolvedConfig": self.configs[revision_id]}

    def diff(self, agent: Mapping[str, Any], a: str, b: str) -> dict[str, Any]:
        return diff_configs(self._reference(agent, a), self._reference(agent, b))

    # Lookups -------------------------------------------------------------------------------------------

    def _of(self, agent: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [r for r in self.revisions.values() if r.get("agent") == agent.get("_id")]

    def _branches_of(self, agent: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [b for b in self.branches.values() if b.get("agent") == agent.get("_id")]

    def _on(self, agent: Mapping[str, Any], revision: Mapping[str, Any]) -> str | None:
        """The branch a revision is on: its own, or for a legacy row not yet backfilled, the default branch."""
        if revision.get("branch"):
            return str(revision["branch"])
        return next((b["_id"] for b in self._branches_of(agent) if b.get("isDefault")), None)

    def _committed(self, agent: Mapping[str, Any], branch_id: str) -> list[dict[str, Any]]:
        rows = [r for r in self._of(agent) if self._on(agent, r) == branch_id and r.get("status") == "published"]
        return sorted(rows, key=lambda r: r.get("revisionNumber") or 0, reverse=True)

    def _live_branch(self, agent: Mapping[str, Any]) -> str | None:
        active = self.revisions.get(str(agent.get("activeVersionId") or agent.get("versionId")))
        return self._on(agent, active) if active else self._on(agent, {})

    def _require_v2(self) -> None:
        if self.mode == "v1":
            raise Refused(404, "Not found")  # the route is not there, as for any unknown path

    def _branch(self, agent: Mapping[str, Any], branch_id: str) -> dict[str, Any]:
        self._require_v2()
        if not OBJECT_ID.fullmatch(branch_id):
            raise Refused(400, "Invalid branchId")
        branch = self.branches.get(branch_id)
        if branch is None or branch.get("agent") != agent["_id"]:
            raise Refused(404, "Resource not found")
        return branch

    def _published(self, agent: Mapping[str, Any], version_id: str) -> dict[str, Any]:
        if not OBJECT_ID.fullmatch(version_id):
            raise Refused(400, "Invalid versionId")
        revision = self.revisions.get(version_id)
        if revision is None or revision.get("agent") != agent["_id"] or revision.get("status") != "published":
            raise Refused(404, "Version not found")
        return revision

    def _reference(self, agent: Mapping[str, Any], ref: str) -> dict[str, Any]:
        if draft := DRAFT_REF.fullmatch(ref):
            branch = self._branch(agent, draft.group(1))
            found = self.revisions.get(str(branch.get("openDraftId")))
            rows = [r for r in self._of(agent) if r.get("draftId") == branch.get("openDraftId")]
            revision = found or (rows[-1] if rows else None)
            if revision is None:
                raise Refused(404, "The branch has no open draft")
            return self.configs[revision["_id"]]
        if not OBJECT_ID.fullmatch(ref):
            raise Refused(400, "a and b must be revision ids or <branchId>:draft")
        revision = self.revisions.get(ref)
        if revision is None or revision.get("agent") != agent["_id"]:
            raise Refused(404, "Resource not found")
        return self.configs[ref]


def _bounded(params: Mapping[str, str], name: str, default: int, low: int, high: int | None) -> int:
    raw = params.get(name)
    try:
        value = default if raw in (None, "") else int(str(raw))
    except ValueError:
        raise Refused(400, f"{name} must be an integer") from None
    if value < low or (high is not None and value > high):
        raise Refused(400, f"{name} must be between {low} and {high or 'any'}")
    return value
