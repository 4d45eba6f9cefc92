"""Contract tests of the agent reads against the official subset docs/atoms-api/openapi-agents.yaml.

(a) Every answer the sandbox gives on those routes (each agent, each revision through v2 and v1, both
    versioning modes, the diff of every pair, the errors: 400, 401, 404, and the 409 of the branch model with its
    `Deprecation: true` header) validates against the spec's response schema for that operation and status. On
    the generated data strictly; on the agent-versions dataset (made by someone else, tests/data/
    make_agents_dataset.py) only the drift it plants on purpose is accepted (AGENTS_DRIFT), only where the dataset
    file holds exactly that value, and every listed drift must occur.
(b) Every request AgentVersions sends (v2 reads, the v1 fallback, the diff) validates against the spec's
    parameters and security.
The machinery (adapters, error-envelope check) is test_contract's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_core.validation.response.exceptions import InvalidData

from atoms_logs_mcp.api.agent_versions import AgentVersions
from atoms_logs_mcp.api.client import AtomsClient
from conftest import SANDBOX_KEY, settings_for
from test_contract import (
    HttpxOpenAPIRequest,
    HttpxOpenAPIResponse,
    RecordingTransport,
    Spec,
    _load_spec,
    request_problems,
)

AUTH = {"Authorization": f"Bearer {SANDBOX_KEY}"}
UNKNOWN = "0123456789abcdef01234567"
AGENTS_DRIFT: dict[tuple[str, Any], str] = {
    ("publishedAt", 1789482600000): "an epoch (ms) where the spec says date-time (NOTES: epoch timestamps)",
    ("description", None): "a tool whose description is null",
    (1, None): "a null inside supportedLanguages",
    ("workflowGraph", None): "null on single_prompt agents, as the spec's own description says, though typed non-null",
}


@pytest.fixture
def agents_spec(agents_spec_path: Path) -> Spec:
    return _load_spec(str(agents_spec_path))


def _values(data: Any) -> Iterator[tuple[Any, Any]]:
    """Every (key or index, value) pair in a JSON value."""
    items = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, value in items:
        yield key, value
        yield from _values(value)


class AgentContract:
    def __init__(self, spec: Spec, dataset: dict[str, Any], drift: dict[tuple[str, Any], str]) -> None:
        self.spec, self.drift = spec, drift
        self.stored = {(k, repr(v)) for k, v in _values(dataset) if not isinstance(v, dict | list)}
        self.checked, self.problems, self.drift_seen = 0, [], set()

    def check(self, response: httpx.Response, status: int) -> None:
        self.checked += 1
        where = f"{response.request.method} {response.request.url.path}?{response.request.url.query.decode()}"
        assert response.status_code == status, f"{where}: {response.status_code} {response.text[:200]}"
        request = HttpxOpenAPIRequest(response.request, self.spec.server_url)
        try:
            self.spec.api.validate_response(request, HttpxOpenAPIResponse(response))
        except InvalidData as error:
            for schema_error in getattr(error.__cause__, "schema_errors", ()):
                path = list(schema_error.absolute_path)
                key = (path[-1] if path else None, schema_error.instance)
                if key in self.drift and (key[0], repr(key[1])) in self.stored:
                    self.drift_seen.add(key)
                else:
                    self.problems.append(
                        f"{where} -> {status}: /{'/'.join(map(str, path))}: {schema_error.message[:160]}"
                    )
        if status >= 400:
            body = response.json()
            assert body["status"] is False and body["errors"], f"{where}: {body}"

    def assert_clean(self) -> None:
        assert self.checked > 20
        assert not self.problems, "\n".join(self.problems[:30])
        assert self.drift_seen == set(self.drift), (
            f"listed drift that never occurred: {set(self.drift) - self.drift_seen}"
        )


def _exercise(server: Any, dataset: dict[str, Any], contract: AgentContract) -> None:
    with httpx.Client(base_url=server.base_url + "/", headers=AUTH) as http:
        _requests(http, server, dataset, contract)


def _requests(http: httpx.Client, server: Any, dataset: dict[str, Any], contract: AgentContract) -> None:
    agents = [a["_id"] for a in dataset["agents"]]
    revisions = [r["revision"] for r in dataset.get("revisions") or []]
    published = [r for r in revisions if r.get("status") == "published"]
    listed = http.get("agent", params={"offset": "100"})  # held to openapi.yaml in test_contract
    assert listed.status_code == 200 and not any("_resolvedConfig" in row for row in listed.json()["data"]["agents"])
    for agent in agents:
        contract.check(http.get(f"agent/{agent}"), 200)
        branches = http.get(f"agent/{agent}/branches")
        contract.check(branches, 200)
        for row in branches.json()["data"]["branches"]:
            branch = row["branch"]["_id"]
            contract.check(http.get(f"agent/{agent}/branches/{branch}/revisions", params={"limit": "2"}), 200)
            page = http.get(f"agent/{agent}/branches/{branch}/revisions", params={"limit": "100"})
            contract.check(page, 200)
            for revision in page.json()["data"]["revisions"]:
                contract.check(http.get(f"agent/{agent}/branches/{branch}/revisions/{revision['_id']}"), 200)
        contract.check(http.get(f"agent/{agent}/versions"), 409)
        assert http.get(f"agent/{agent}/versions").headers["deprecation"] == "true"
    for revision in published:
        agent = revision["agent"]
        contract.check(http.get(f"agent/{agent}", params={"versionId": revision["_id"]}), 200)
        contract.check(http.get(f"agent/{agent}/versions/{revision['_id']}"), 200)
        contract.check(
            http.get(f"agent/{agent}/diff", params={"a": published[0]["_id"], "b": revision["_id"]}),
            200 if agent == published[0]["agent"] else 404,
        )
    for draft in (r for r in revisions if r.get("status") == "draft"):
        contract.check(http.get(f"agent/{draft['agent']}", params={"draftId": draft["draftId"]}), 200)
    if published:
        first = published[0]
        agent = first["agent"]
        contract.check(http.get(f"agent/{agent}/diff", params={"a": first["_id"], "b": "not-an-id"}), 400)
        contract.check(http.get(f"agent/{agent}/versions/{UNKNOWN}"), 404)
        contract.check(http.get(f"agent/{agent}", params={"versionId": UNKNOWN}), 400)
        other = next(
            (b["_id"] for b in dataset["branches"] if b["agent"] == agent and b["_id"] != first.get("branch")), None
        )
        if other:
            contract.check(http.get(f"agent/{agent}/branches/{other}/revisions/{first['_id']}"), 400)
    contract.check(http.get(f"agent/{UNKNOWN}"), 400)
    for path in ("branches", "versions", f"versions/{UNKNOWN}", f"diff?a={UNKNOWN}&b={UNKNOWN}"):
        contract.check(http.get(f"agent/{UNKNOWN}/{path}"), 404)
    contract.check(http.get(f"agent/{agents[0]}/branches", headers={"Authorization": ""}), 401)
    server.set_versioning("v1")
    for agent in agents:
        contract.check(http.get(f"agent/{agent}/versions", params={"limit": "100"}), 200)
        contract.check(http.get(f"agent/{agent}/branches"), 404)
    server.set_versioning("v2")


def test_the_generated_agents_answer_as_the_spec_says(agents_spec, sandbox, generated_dataset):
    contract = AgentContract(agents_spec, generated_dataset, {})
    _exercise(sandbox, generated_dataset, contract)
    contract.assert_clean()


def test_the_foreign_agents_answer_as_the_spec_says(agents_spec, agents_sandbox, agents_dataset):
    contract = AgentContract(agents_spec, agents_dataset, AGENTS_DRIFT)
    _exercise(agents_sandbox, agents_dataset, contract)
    contract.assert_clean()


@pytest.mark.anyio
async def test_every_agent_read_the_client_sends_validates(agents_spec, agents_sandbox, agents_expected):
    transport = RecordingTransport()
    agent_id, agent = next((i, a) for i, a in agents_expected["agents"].items() if len(a["versions"]) > 3)
    older = next(v for v in agent["versions"] if not v["active"])
    async with AtomsClient(settings_for(agents_sandbox), transport=transport) as client:
        versions = AgentVersions(client)
        await versions.agent(agent_id)
        listed = await versions.versions(agent_id)
        branch = next(r.branch for r in listed.revisions if r.id == older["id"])
        await versions.config(agent_id, older["id"], branch)
        await versions.diff(agent_id, older["id"], agent["active_id"])
        agents_sandbox.set_versioning("v1")
        fallback = AgentVersions(client)
        await fallback.versions(agent_id)
        await fallback.config(agent_id, older["id"], None)
    paths = {r.url.path.split("/atoms/v1")[1] for r in transport.requests}
    assert any(p.endswith("/versions") for p in paths) and any("/branches/" in p and "/revisions/" in p for p in paths)
    problems = [p for request in transport.requests for p in request_problems(agents_spec, request)]
    assert not problems, "\n".join(problems[:20])
