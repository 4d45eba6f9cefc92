#!/usr/bin/env python3
"""What the tool definitions cost: tokens of `tools/list` per tool, as sent and as pydantic would have them.

The definitions are in the model's context in every conversation, before the user says anything. This
counts each tool's JSON as a client session receives it (name, description, input schema, annotations) with the
cl100k_base BPE, next to the same tool with pydantic's raw schema (titles, anyOf-null, null defaults),
and the server instructions once. Counts are exact, not timed: one run is the figure.
    python bench/tool_definitions.py
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import anyio
from common import Section
from mcp import Client
from mcp.client.extension import advertise
from mcp.server import MCPServer
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from token_economy import encoder

from atoms_logs_mcp.app import create_server
from atoms_logs_mcp.config import Settings
from atoms_logs_mcp.tools.apps import without_views
from atoms_logs_mcp.tools.instructions import INSTRUCTIONS

APPS = advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})
"""What a host that renders MCP Apps advertises."""
BUDGET, APPS_BUDGET = 4_500, 5_300
BEFORE, APPS_BEFORE = 6_194, 7_005
"""tools/list before issue 27 (no titles; the filters' wording and their guard bounds on every filter tool), as a
client session received it at 7f2bcea."""


def _json(tool: Any) -> str:
    return json.dumps(tool.model_dump(mode="json", by_alias=True, exclude_none=True), separators=(",", ":"))


async def _received(extensions: list[Any]) -> list[Any]:
    """tools/list as a real client session receives it (the same JSON, in the same order, as on the wire)."""
    settings = Settings(api_key="sk_measure_only_0000")
    async with Client(create_server(settings), extensions=extensions) as client:  # type: ignore[arg-type]
        return list((await client.list_tools()).tools)


async def measure() -> tuple[dict[str, tuple[int, int]], int, int]:
    """Per tool as a host without MCP Apps gets it (tokens as sent, tokens with pydantic's raw schema), the
    instructions' tokens, and what a host with Apps gets in all (the view bindings and the app-only tools too)."""
    count = encoder().encode
    sent = {tool.name: len(count(_json(tool))) for tool in await _received([])}
    server = create_server(Settings(api_key="sk_measure_only_0000"))
    raw = {tool.name: len(count(_json(tool))) for tool in without_views(await MCPServer.list_tools(server))}
    with_apps = sum(len(count(_json(tool))) for tool in await _received([APPS]))
    return {name: (sent[name], raw[name]) for name in sent}, len(count(INSTRUCTIONS)), with_apps


def run(quick: bool = False) -> Section:
    del quick  # exact counts: nothing to repeat
    tools, instructions, with_apps = anyio.run(measure)
    table = [["tool", "tokens as sent", "with pydantic's raw schema", "ratio"]]
    for name, (sent, raw) in tools.items():
        table.append([name, f"{sent:,}", f"{raw:,}", f"{sent / raw:.2f}x"])
    total, total_raw = sum(s for s, _ in tools.values()), sum(r for _, r in tools.values())
    table.append(["**all of tools/list**", f"**{total:,}**", f"{total_raw:,}", f"{total / total_raw:.2f}x"])
    method = (
        "Each tool of `tools/list` as JSON (name, description, inputSchema, annotations), counted with the "
        "cl100k_base BPE; beside it the same tool with the schema pydantic generates, before `lean_schema` drops "
        "titles, anyOf-null, null defaults and false ones (bounds that only stop abuse, `arguments.Guard`, are "
        f"left out of both). The budget for all of tools/list is {BUDGET:,} tokens, {APPS_BUDGET:,} for a host "
        "with MCP Apps (tests/test_tool_definitions.py enforces both, through a real session each). What the six "
        "filter tools share (the filters' meaning, the time-window grammar, defaults and ceilings) is in the server "
        "instructions, once; each parameter keeps a brief description with its examples (`since`: ISO 8601, 90m, "
        "24h, yesterday) for hosts that drop instructions."
    )
    notes = [
        f"Server instructions (sent once per session): {instructions:,} tokens.",
        f"A host that negotiated MCP Apps receives {with_apps:,} tokens of tools/list: {with_apps - total:,} more, "
        "for the view bindings (`_meta.ui`) of get_log, summarize_logs and compare_calls and the three app-only data "
        'tools (their filters one loose object each), which such a host keeps from the model (visibility ["app"]).',
        f"Before issue 27 (no titles; each filter's wording and guard bounds repeated on every filter tool): "
        f"{BEFORE:,} tokens, {APPS_BEFORE:,} with MCP Apps.",
    ]
    return Section("Tool definitions", method, table, notes)


def main() -> int:
    argparse.ArgumentParser(description=__doc__.splitlines()[0]).parse_args()
    print(run().markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
