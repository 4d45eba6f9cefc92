"""Versions by name in every `version_ids` filter: `vN` (or `N`) resolved per agent, as get_agent reads it, through
real MCP sessions on the agent-versions dataset made by someone else (tests/data/make_agents_dataset.py, its key
agents_dataset_expected.json) and on the generated organisation. The answers are checked against the raw calls'
`versionId`s, and the Filters line names each version `Agent vN (<id>)`.
"""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import SANDBOX_KEY, call_error, call_text, mcp_client

pytestmark = pytest.mark.anyio
WINDOW = {"since": "2026-08-01", "until": "2026-12-01", "attempt": "all", "limit": 100}
SUMMARY_WINDOW = {key: value for key, value in WINDOW.items() if key != "limit"}
CALL_ID = re.compile(r"^(CALL-\S+) \|", re.M)
BILLING = "Brightline Billing Support"


def version_of(expected: dict[str, Any], agent_name: str, number: int) -> str:
    agent = next(a for a in expected["agents"].values() if a["name"] == agent_name)
    return next(v["id"] for v in agent["versions"] if v["number"] == number)


def calls_of(dataset: dict[str, Any], *version_ids: str) -> set[str]:
    return {call["callId"] for call in dataset["calls"] if call.get("versionId") in version_ids}


async def test_a_version_by_number_lists_exactly_that_versions_calls(agents_sandbox, agents_dataset, agents_expected):
    v4 = version_of(agents_expected, BILLING, 4)
    async with mcp_client(agents_sandbox) as client:
        by_name = await call_text(client, "list_logs", {**WINDOW, "agents": [BILLING], "version_ids": ["v4"]})
        bare = await call_text(client, "list_logs", {**WINDOW, "agents": [BILLING], "version_ids": ["4"]})
        by_id = await call_text(client, "list_logs", {**WINDOW, "version_ids": [v4]})
    assert set(CALL_ID.findall(by_name)) == calls_of(agents_dataset, v4) != set()
    assert set(CALL_ID.findall(bare)) == set(CALL_ID.findall(by_id)) == calls_of(agents_dataset, v4)
    label = f"version: {BILLING} v4 ({v4})"
    assert label in by_name.splitlines()[1] and label in by_id.splitlines()[1]  # an id given as an id is named too


async def test_a_number_without_an_agent_means_each_agents_version_of_that_number_and_says_so(
    agents_sandbox, agents_dataset, agents_expected
):
    having = [a["name"] for a in agents_expected["agents"].values() if any(v["number"] == 2 for v in a["versions"])]
    ids = [version_of(agents_expected, name, 2) for name in having]
    async with mcp_client(agents_sandbox) as client:
        text = await call_text(client, "list_logs", {**WINDOW, "version_ids": ["v2"]})
        summary = await call_text(client, "summarize_logs", {**SUMMARY_WINDOW, "version_ids": ["v2"]})
    assert len(having) >= 2
    assert set(CALL_ID.findall(text)) == calls_of(agents_dataset, *ids)
    meaning = next(line for line in text.splitlines() if line.startswith("v2 means, for each agent that has one: "))
    for name, version_id in zip(having, ids, strict=True):
        assert f"{name} v2 ({version_id})" in meaning
        assert f"{name} v2 ({version_id})" in summary
    assert meaning in summary.splitlines()


async def test_an_unknown_number_is_an_error_naming_the_versions_of_each_agent(agents_sandbox, agents_expected):
    async with mcp_client(agents_sandbox) as client:
        one = await call_error(client, "list_logs", {**WINDOW, "agents": [BILLING], "version_ids": ["v99"]})
        every = await call_error(client, "summarize_logs", {"since": "2026-08-01", "version_ids": ["v99"]})
    billing_id = next(i for i, a in agents_expected["agents"].items() if a["name"] == BILLING)
    assert "The agent has no version v99." in one
    assert f"{BILLING} ({billing_id}): v4, v3, v2, v1, revision 2 on branch experiment" in one
    assert "None of the agents has a version v99." in every
    for agent in agents_expected["agents"].values():
        numbers = sorted((v["number"] for v in agent["versions"] if v["number"]), reverse=True)
        shown = ", ".join(f"v{n}" for n in numbers) or "no published versions"
        assert f"{agent['name']} (" in every and shown in every


async def test_compare_calls_of_two_versions_by_number_equals_the_same_by_id(agents_sandbox, agents_expected):
    v3, v4 = version_of(agents_expected, BILLING, 3), version_of(agents_expected, BILLING, 4)
    side = {"agents": [BILLING], "since": "2026-08-01", "until": "2026-12-01"}

    async def compare(client: Any, base: str, target: str) -> str:
        arguments = {"baseline": {**side, "version_ids": [base]}, "candidate": {**side, "version_ids": [target]}}
        return await call_text(client, "compare_calls", arguments)

    async with mcp_client(agents_sandbox) as client:
        by_name = await compare(client, "v3", "v4")
        by_id = await compare(client, v3, v4)
    assert by_name == by_id
    assert f"version: {BILLING} v3 ({v3})" in by_name and f"version: {BILLING} v4 ({v4})" in by_name
    assert "What changed in the agent between the two versions" in by_name


async def test_each_agents_versions_are_read_once_per_cache_lifetime(agents_sandbox, agents_expected):
    async with mcp_client(agents_sandbox) as client:
        for version in ("v1", "v2", "v1"):
            await call_text(client, "list_logs", {**WINDOW, "version_ids": [version]})
        await call_text(client, "list_logs", {**WINDOW, "agents": [BILLING], "version_ids": ["v3"]})
    statuses = agents_sandbox.stats()["statuses"]
    assert statuses["GET /agent/{id} 200"] == len(agents_expected["agents"])
    assert statuses["GET /agent/{id}/branches 200"] == len(agents_expected["agents"])


async def test_the_generated_organisations_versions_by_number(sandbox, generated_dataset):
    support = next(a for a in generated_dataset["agents"] if a["name"] == "Support")
    calls = [c for c in generated_dataset["calls"] if c["agentId"] == support["_id"]]
    v2 = next(c["versionId"] for c in calls if c["versionNumber"] == 2)
    wanted = sum(1 for c in calls if c["versionId"] == v2)
    arguments = {"agents": ["Support"], "since": "30d", "attempt": "all", "group_by": ["status"]}
    async with mcp_client(sandbox) as client:
        text = await call_text(client, "summarize_logs", {**arguments, "version_ids": ["v2"]})
    assert f"version: Support v2 ({v2})" in text
    assert text.startswith(f"{wanted} calls match;")


# On the round-3 dataset (tests/data/make_round3_dataset.py, written from docs/atoms-api alone), against its key.
ROUND3_WINDOW = {"since": "2026-11-01", "until": "2026-11-20T12:00:00Z"}


async def test_round3_versions_by_number_match_the_key(round3_sandbox, round3_expected):
    harbor = round3_expected["versions"]["Harbor Fiber Support"]
    with_v4 = round3_expected["version_number_agents"]["v4"]
    async with mcp_client(round3_sandbox) as client:
        roots = await call_text(
            client,
            "list_logs",
            {**ROUND3_WINDOW, "agents": ["Harbor Fiber Support"], "version_ids": ["v4"], "limit": 100},
        )
        every = await call_text(
            client,
            "list_logs",
            {
                **ROUND3_WINDOW,
                "agents": ["Harbor Fiber Support"],
                "version_ids": ["v4"],
                "attempt": "all",
                "limit": 100,
            },
        )
        anywhere = await call_text(client, "list_logs", {**ROUND3_WINDOW, "version_ids": ["v4"], "limit": 100})
        unknown = await call_error(client, "list_logs", {**ROUND3_WINDOW, "version_ids": ["v99"]})
    assert set(CALL_ID.findall(roots)) == set(harbor["v4"]["root_call_ids"]) != set()
    assert set(CALL_ID.findall(every)) == set(harbor["v4"]["all_call_ids"])
    wanted = {i for name in with_v4 for i in round3_expected["versions"][name]["v4"]["root_call_ids"]}
    assert set(CALL_ID.findall(anywhere)) == wanted and len(with_v4) == 2
    meaning = next(line for line in anywhere.splitlines() if line.startswith("v4 means, for each agent that has one"))
    for name in with_v4:
        assert f"{name} v4 ({round3_expected['versions'][name]['v4']['versionId']})" in meaning
    for name, versions in round3_expected["versions"].items():
        assert f"{name} (" in unknown and ", ".join(sorted(versions, reverse=True)) in unknown


async def test_round3_compare_by_number_equals_by_id(round3_sandbox, round3_expected):
    harbor = round3_expected["versions"]["Harbor Fiber Support"]
    side = {**ROUND3_WINDOW, "agents": ["Harbor Fiber Support"]}

    async def compare(client: Any, base: str, target: str) -> str:
        arguments = {"baseline": {**side, "version_ids": [base]}, "candidate": {**side, "version_ids": [target]}}
        return await call_text(client, "compare_calls", arguments)

    async with mcp_client(round3_sandbox) as client:
        by_name = await compare(client, "v3", "v4")
        by_id = await compare(client, harbor["v3"]["versionId"], harbor["v4"]["versionId"])
    assert by_name == by_id
    assert f"Harbor Fiber Support v4 ({harbor['v4']['versionId']})" in by_name


@pytest.mark.parametrize("odd", ["4.0", "vv4", "v1234567", "version 4"])
async def test_a_value_neither_a_number_nor_an_id_is_an_error_naming_the_versions(agents_sandbox, odd):
    """It was sent as an id and matched no call, answered as "0 calls match": the same silence as v4 before."""
    async with mcp_client(agents_sandbox) as client:
        error = await call_error(client, "list_logs", {**WINDOW, "agents": [BILLING], "version_ids": [odd]})
    assert "is neither a version number like v4 nor a version id" in error, error
    assert "v4" in error and "The agent's versions" in error


async def test_a_number_for_an_agent_listing_no_versions_says_to_pass_the_id(foreign_sandbox, foreign_dataset):
    """The foreign dataset's agents list no versions while their calls carry versionNumber: the error says the
    number names nothing there and how to pass the version id instead."""
    agent = foreign_dataset["agents"][0]
    async with mcp_client(foreign_sandbox) as client:
        arguments = {"since": "2025-01-01", "attempt": "all", "agents": [agent["_id"]], "version_ids": ["v3"]}
        error = await call_error(client, "list_logs", arguments)
    assert "no published versions" in error and "pass the version id" in error, error


def _many_agents(dataset: dict[str, Any], extra: int) -> dict[str, Any]:
    """The agent-versions dataset with `extra` more agents that have no calls (a larger account)."""
    copied = copy.deepcopy(dataset)
    template = copied["agents"][0]
    for index in range(extra):
        clone = {**copy.deepcopy(template), "_id": f"{index:024x}", "name": f"Idle agent {index}"}
        clone.pop("activeVersionId", None)
        clone.pop("versionId", None)
        copied["agents"].append(clone)
    return copied


async def test_ids_alone_on_a_large_account_read_no_agents_versions(agents_dataset, agents_expected):
    """An id needs no version list to filter by: on an account of more than ten agents, labels come only from the
    versions already read, so a filter by id costs no request per agent."""
    v4 = version_of(agents_expected, BILLING, 4)
    with SandboxServer(CallStore.from_dataset(_many_agents(agents_dataset, 12)), api_key=SANDBOX_KEY) as server:
        async with mcp_client(server) as client:
            text = await call_text(client, "list_logs", {**WINDOW, "version_ids": [v4]})
            statuses = server.stats()["statuses"]
            labelled = await call_text(client, "list_logs", {**WINDOW, "agents": [BILLING], "version_ids": [v4]})
            again = await call_text(client, "list_logs", {**WINDOW, "version_ids": [v4]})
    assert not [route for route in statuses if "branches" in route or "revisions" in route], statuses
    assert set(CALL_ID.findall(text)) == calls_of(agents_dataset, v4)
    assert f"version: {BILLING} v4 ({v4})" in labelled and f"version: {BILLING} v4 ({v4})" in again
