"""`atoms-logs-mcp check`: verify the configuration and show what an assistant would see.

It starts the real server, connects a real MCP client session to it in memory, and calls every tool
but export_logs (which would write a file) and a resource once, printing each answer. The key is only
ever printed masked.
"""

from __future__ import annotations

import re
import sys
from typing import Any, TextIO

import anyio
import httpx
from mcp import Client
from mcp.types import TextContent

from .app import create_server
from .config import Settings
from .domain.call_uris import transcript_uri
from .settings_table import env_name, key_names

_GET_AGENT = re.compile(r'get_agent\(agent="(?P<agent>[0-9a-f]{24})", version="(?P<version>[0-9a-f]{24})"\)')
_DIFF = re.compile(
    r'diff_agent_versions\(agent="(?P<agent>[^"]+)", base="(?P<base>[^"]+)", target="(?P<target>[^"]+)"\)'
)
_CALL_ID = re.compile(r"CALL-\d{13}-[0-9a-fA-F]{6}")


def run_check(configured: tuple[Settings, Any], out: TextIO = sys.stdout) -> int:
    settings, transport = configured
    return anyio.run(_check, settings, transport, out)


def _text(result: Any) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def _check(settings: Settings, transport: httpx.AsyncBaseTransport | None, out: TextIO) -> int:
    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    say("Settings in effect:")
    for name, value in settings.in_effect():
        say(f"  {name}: {value}")
    if not settings.api_key:
        say(f"FAIL: no API key. Set {key_names()}, or run `atoms-logs-mcp check --demo`.")
        return 1
    failures = 0
    try:
        server = create_server(settings, transport=transport)
    except ValueError as error:  # the tools setting names a tool that does not exist
        say(f"FAIL: {error}")
        return 1
    async with Client(server) as client:
        tools = [tool.name for tool in (await client.list_tools()).tools]
        say(f"MCP:       protocol {client.protocol_version}, tools: {', '.join(tools)}")

        async def call(name: str, arguments: dict[str, Any]) -> str:
            nonlocal failures
            if name not in tools:
                say(f"\n=== {name}: not offered ({env_name('tools')})")
                return ""
            result = await client.call_tool(name, arguments)
            text = _text(result)
            shown = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
            say(f"\n=== {name}({shown}) {'-> ERROR' if result.is_error else ''}\n{text}")
            failures += bool(result.is_error)
            return text

        await call("list_agents", {})
        await call("summarize_logs", {"since": "7d", "group_by": ["status", "agent"]})
        await call("analyze_calls", {"since": "7d", "aspects": ["tools", "outcomes", "conversation"], "max_calls": 200})
        await call("search_transcripts", {"text": "refund", "since": "7d", "max_calls": 200})
        await call("compare_calls", {"baseline": {"since": "14d", "until": "7d"}, "candidate": {"since": "7d"}})
        live = _CALL_ID.findall(await call("list_logs", {"statuses": ["in_progress", "active"], "limit": 1}))
        if live:
            await call("watch_call", {"call_id": live[0], "seconds": 5})
        listing = await call("list_logs", {"limit": 5})
        completed = await call("list_logs", {"statuses": ["completed"], "limit": 3})
        call_ids = list(dict.fromkeys(_CALL_ID.findall(completed) + _CALL_ID.findall(listing)))
        if not call_ids:
            say("\nNo calls in this account, so get_log, search_by_call_ids and the resources were not tried.")
        else:
            opened = await call("get_log", {"call_id": call_ids[0]})
            await _agent_behind(call, opened)
            await call("search_by_call_ids", {"call_ids": call_ids[:3]})
            uri = transcript_uri(call_ids[0])
            try:
                resource = await client.read_resource(uri)
                text = "\n".join(getattr(c, "text", "") for c in resource.contents)
                lines = text.splitlines()
                say(f"\n=== resource {uri}\n" + "\n".join(lines[:8]) + ("\n…" if len(lines) > 8 else ""))
            except Exception as error:  # the check reports every failure and carries on
                failures += 1
                say(f"\n=== resource {uri} -> ERROR\n{error}")
    say("\n" + ("OK: every check passed." if not failures else f"FAIL: {failures} check(s) failed."))
    return 1 if failures else 0


async def _agent_behind(call: Any, opened: str) -> None:
    """get_agent as get_log points to it, then the diff get_agent offers (none for a first version)."""
    pointer = _GET_AGENT.search(opened)
    if pointer is None:
        return
    agent = await call("get_agent", {"agent": pointer["agent"], "version": pointer["version"], "include": ["versions"]})
    if offered := _DIFF.search(agent):
        await call(
            "diff_agent_versions", {"agent": offered["agent"], "base": offered["base"], "target": offered["target"]}
        )
