"""The agent reads of `openapi-agents.yaml`: an agent with its resolved config, v1 versions, v2 branches and
revisions, and the diff of two revisions (`agent_versions.py` holds what they answer)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from .agent_versions import Refused
from .envelope import error, ok
from .tenants import account_of

if TYPE_CHECKING:
    from .store import CallStore


def _store(request: Request) -> CallStore:
    return account_of(request).store


def _agent(request: Request, unknown: Refused) -> dict[str, Any]:
    agent = _store(request).agents.get(request.path_params["agent_id"])
    if agent is None:
        raise unknown
    return agent


def _refusal(refused: Refused) -> Response:
    if refused.error_type:
        response = error(refused.status, refused.message, error_type=refused.error_type)
        response.headers["Deprecation"] = "true"
        return response
    return error(refused.status, refused.message)


async def get_agent(request: Request) -> Response:
    store = _store(request)
    try:
        agent = _agent(request, Refused(400, "No agent found"))
        return ok(store.versions.with_config(store.agent_dto(agent), request.query_params))
    except Refused as refused:
        return _refusal(refused)


async def list_versions(request: Request) -> Response:
    return _answer(request, lambda store, agent: store.versions.v1_versions(agent, request.query_params))


async def get_version(request: Request) -> Response:
    version_id = request.path_params["versionId"]
    return _answer(request, lambda store, agent: store.versions.v1_version(agent, version_id))


async def list_branches(request: Request) -> Response:
    return _answer(request, lambda store, agent: store.versions.branch_list(agent))


async def list_revisions(request: Request) -> Response:
    branch = request.path_params["branchId"]
    return _answer(request, lambda store, agent: store.versions.branch_revisions(agent, branch, request.query_params))


async def get_revision(request: Request) -> Response:
    branch, revision = request.path_params["branchId"], request.path_params["revisionId"]
    return _answer(request, lambda store, agent: store.versions.revision(agent, branch, revision))


async def diff(request: Request) -> Response:
    a, b = request.query_params.get("a", ""), request.query_params.get("b", "")
    if not (1 <= len(a) <= 64 and 1 <= len(b) <= 64):
        return error(400, "a and b are required")
    return _answer(request, lambda store, agent: store.versions.diff(agent, a, b))


def _answer(request: Request, read: Any) -> Response:
    """`read(store, agent)` as the envelope; an unknown agent is a 404 on these routes."""
    store = _store(request)
    try:
        return ok(read(store, _agent(request, Refused(404, "Resource not found"))))
    except Refused as refused:
        return _refusal(refused)


ROUTES = [
    ("GET", "/agent/{id}", get_agent),
    ("GET", "/agent/{id}/diff", diff),
    ("GET", "/agent/{id}/versions", list_versions),
    ("GET", "/agent/{id}/versions/{versionId}", get_version),
    ("GET", "/agent/{id}/branches", list_branches),
    ("GET", "/agent/{id}/branches/{branchId}/revisions", list_revisions),
    ("GET", "/agent/{id}/branches/{branchId}/revisions/{revisionId}", get_revision),
]
"""(method, path as the spec writes it, handler)."""
