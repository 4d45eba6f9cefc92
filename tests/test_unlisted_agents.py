"""Calls whose agent is not in the agent list (deleted) or whose version the agent does not list (issue 24, item 6),
through real MCP sessions on the agent-versions dataset made by someone else, with such calls added: get_log
suggests no call that fails, and list_agents(with_calls=true) counts them, so its rows add up to the window."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import SANDBOX_KEY, call_text, mcp_client

pytestmark = pytest.mark.anyio
DELETED_AGENT = "0123456789abcdef0123dead"
UNKNOWN_VERSION = "0123456789abcdef0123beef"
OF_DELETED = ("CALL-1790000000001-dead01", "CALL-1790000000002-dead02")
OF_UNKNOWN_VERSION = "CALL-1790000000003-beef03"
WINDOW = {"since": "2026-08-01", "until": "2026-12-01"}
SUGGESTED = re.compile(r"\b(get_agent|diff_agent_versions)\(([^)]*)\)")


@contextmanager
def with_orphans(dataset: dict[str, Any]) -> Iterator[SandboxServer]:
    """The dataset with two calls of an agent no longer listed and one of a version its agent does not list."""
    data = copy.deepcopy(dataset)
    first = next(c for c in data["calls"] if not c.get("retryAttemptNumber"))
    for number, call_id in enumerate((*OF_DELETED, OF_UNKNOWN_VERSION), start=1):
        call = copy.deepcopy(first) | {"_id": f"{number:024x}", "callId": call_id}
        if call_id in OF_DELETED:
            call |= {"agentId": DELETED_AGENT, "versionId": f"{number:024d}", "versionNumber": 3}
            call.pop("agent", None)
        else:
            call |= {"versionId": UNKNOWN_VERSION, "versionNumber": 9}
        data["calls"].append(call)
    with SandboxServer(CallStore.from_dataset(data), api_key=SANDBOX_KEY) as server:
        yield server


def arguments_of(call: str) -> dict[str, str]:
    return dict(re.findall(r'(\w+)="([^"]*)"', call))


async def test_get_log_of_a_deleted_agents_call_or_an_unknown_version_suggests_no_failing_call(agents_dataset):
    with with_orphans(agents_dataset) as server:
        async with mcp_client(server) as client:
            deleted = await call_text(client, "get_log", {"call_id": OF_DELETED[0], "include": ["overview"]})
            unknown = await call_text(client, "get_log", {"call_id": OF_UNKNOWN_VERSION, "include": ["overview"]})
            suggested = SUGGESTED.findall(deleted) + SUGGESTED.findall(unknown)
            for tool, call in suggested:  # every call suggested works
                await call_text(client, tool, arguments_of(call))
            listed = await call_text(client, "get_log", {"call_id": agents_dataset["calls"][0]["callId"]})
    assert f"The agent behind this call ({DELETED_AGENT}) is not in the agent list (deleted or unknown)" in deleted
    assert "get_agent(" not in deleted
    assert f"behind this call ({UNKNOWN_VERSION}) is not among the agent's versions (deleted or unknown)" in unknown
    assert f'version="{UNKNOWN_VERSION}"' not in unknown and suggested
    assert "The agent version behind this call (prompt, tools): get_agent(agent=" in listed  # a listed one still is


async def test_list_agents_counts_the_calls_of_agents_no_longer_listed(agents_dataset):
    with with_orphans(agents_dataset) as server:
        async with mcp_client(server) as client:
            text = await call_text(client, "list_agents", {"with_calls": True, **WINDOW})
            listing = await call_text(client, "list_logs", {**WINDOW, "limit": 1})
            by_id = await call_text(
                client, "list_logs", {**WINDOW, "agents": [DELETED_AGENT], "version_ids": [f"{1:024d}"]}
            )
    total = int(re.match(r"(\d+) calls match", listing).group(1))
    counts = [int(row.split(" | ")[2]) for row in text.splitlines() if re.match(r"[0-9a-f]{24} \| ", row)]
    assert f"{DELETED_AGENT} | not in the agent list (deleted?) | 2 |" in text
    assert f"The window has {total} calls (first attempts) of every agent: the rows add up to it." in text
    assert sum(counts) == total
    assert OF_DELETED[0] in by_id  # a version by id needs no agent list: the deleted agent's calls are still found


async def test_round3_deleted_agent_and_unknown_versions(round3_sandbox, round3_expected):
    """The round-3 dataset (written from docs/atoms-api alone) has a deleted agent's calls and calls of versions
    their agent does not list: no failing suggestion, and list_agents adds up to the window."""
    window = {"since": "2026-11-01", "until": "2026-11-20T12:00:00Z"}
    deleted = round3_expected["unknown_agent"]
    opened = [*deleted["call_ids"][:1], *round3_expected["unknown_version_call_ids"]]
    async with mcp_client(round3_sandbox) as client:
        logs = [await call_text(client, "get_log", {"call_id": call_id, "include": ["overview"]}) for call_id in opened]
        for tool, call in (found for log in logs for found in SUGGESTED.findall(log)):
            await call_text(client, tool, arguments_of(call))
        agents = await call_text(client, "list_agents", {"with_calls": True, **window})
        listing = await call_text(client, "list_logs", {**window, "limit": 1})
    assert "is not in the agent list (deleted or unknown)" in logs[0] and "get_agent(" not in logs[0]
    assert all("is not among the agent's versions (deleted or unknown)" in log for log in logs[1:])
    total = int(re.match(r"(\d+) calls match", listing).group(1))
    assert f"{deleted['agent_ids'][0]} | not in the agent list (deleted?) | {len(deleted['call_ids'])} |" in agents
    assert f"The window has {total} calls (first attempts) of every agent: the rows add up to it." in agents
