"""`atoms-logs-mcp check`: verify the configuration and show what an assistant would see.

It starts the real server, connects a real MCP client session to it in memory, and calls every tool
but export_logs (which would write a file) and a resource once, printing each answer. The key is only
ever printed masked.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from typing import Any, TextIO

import anyio
import httpx
from mcp import Client
from mcp.types import TextContent

from .api.client import AtomsClient
from .api.errors import AtomsAPIError, AuthenticationError, UnreachableError, WrongServiceError
from .api.query import LogQuery
from .app import create_server
from .config import Settings
from .domain.call_uris import transcript_uri
from .render.failures import explain
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
    try:
        server = create_server(settings, transport=transport)
    except ValueError as error:  # the tools setting names a tool that does not exist
        say(f"FAIL: {error}")
        return 1
    if problem := await _unreadable(settings, transport):
        say(f"\nFAIL: the account could not be read, so no tool was tried. {problem}")
        return 1
    async with Client(server) as client:
        failures = await _sweep(client, say)
    say("\n" + ("OK: every check passed." if not failures else f"FAIL: {failures} check(s) failed."))
    return 1 if failures else 0


async def _unreadable(settings: Settings, transport: httpx.AsyncBaseTransport | None) -> str | None:
    """Why no tool could read the account (the key rejected or not allowed to read calls, the API not reached,
    something else answering), from the two listings every tool starts from (the agents, as the first tool reads
    them, then one call); None when they answered (other failures are reported tool by tool)."""
    async with AtomsClient(settings, transport=transport) as api:
        for read in (lambda: api.list_agents(per_page=1), lambda: api.list_logs(LogQuery(limit=1))):
            try:
                await read()
            except (AuthenticationError, UnreachableError, WrongServiceError) as error:
                return explain(error)
            except AtomsAPIError:
                return None
    return None


async def _sweep(client: Client, say: Callable[[str], None]) -> int:
    """Every tool but export_logs once, and a resource: the number of failures."""
    tools = [tool.name for tool in (await client.list_tools()).tools]
    say(f"MCP:       protocol {client.protocol_version}, tools: {', '.join(tools)}")
    failed: list[str] = []

    async def call(name: str, arguments: dict[str, Any]) -> str:
        if name not in tools:
            say(f"\n=== {name}: not offered ({env_name('tools')})")
            return ""
        result = await client.call_tool(name, arguments)
        text = _text(result)
        shown = ", ".join(f"{k}={v!r}" for k, v in arguments.items())
        say(f"\n=== {name}({shown}) {'-> ERROR' if result.is_error else ''}\n{text}")
        if result.is_error:
            failed.append(name)
        return text

    await call("list_agents", {})
    await call("summarize_logs", {"since": "7d", "group_by": ["status", "agent"]})
    await call("analyze_calls", {"since": "7d", "aspects": ["tools", "outcomes", "conversation"], "max_calls": 200})
    await call("search_transcripts", {"text": "refund", "since": "7d", "max_calls": 200})
    await call("compare_calls", {"baseline": {"since": "14d", "until": "7d"}, "candidate": {"since": "7d"}})
    live = _CALL_ID.findall(await call("list_logs", {"statuses": ["in_progress", "active"], "limit": 1}))
    if live:
        await call("watch_call", {"call_id": live[0], "seconds": 5})
    listings = len(failed)
    listing = await call("list_logs", {"limit": 5})
    completed = await call("list_logs", {"statuses": ["completed"], "limit": 3})
    call_ids = list(dict.fromkeys(_CALL_ID.findall(completed) + _CALL_ID.findall(listing)))
    if len(failed) > listings:
        say("\nThe calls could not be listed, so get_log, search_by_call_ids and the resources were not tried.")
    elif not call_ids:
        say("\nNo calls in this account, so get_log, search_by_call_ids and the resources were not tried.")
    else:
        opened = await call("get_log", {"call_id": call_ids[0]})
        await _agent_behind(call, opened)
        await call("search_by_call_ids", {"call_ids": call_ids[:3]})
        failed += await _resource(client, transcript_uri(call_ids[0]), say)
    return len(failed)


async def _resource(client: Client, uri: str, say: Callable[[str], None]) -> list[str]:
    """The call's transcript resource, its first lines shown: [] when it was read, [uri] when it failed."""
    try:
        resource = await client.read_resource(uri)
    except Exception as error:  # the check reports every failure and carries on
        say(f"\n=== resource {uri} -> ERROR\n{error}")
        return [uri]
    text = "\n".join(getattr(c, "text", "") for c in resource.contents)
    lines = text.splitlines()
    say(f"\n=== resource {uri}\n" + "\n".join(lines[:8]) + ("\n…" if len(lines) > 8 else ""))
    return []


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
