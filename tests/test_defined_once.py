"""Written once: analyze_calls' aspects, the TTL cache (for calls, windows and the agent list), the call resources'
URIs."""

from __future__ import annotations

from pathlib import Path

import pytest

from atoms_logs_mcp.api.client import AtomsClient
from atoms_logs_mcp.app import create_server
from atoms_logs_mcp.config import Settings
from atoms_logs_mcp.domain.cache import TTLCache
from atoms_logs_mcp.domain.call_uris import CALL_TEMPLATE, TRANSCRIPT_TEMPLATE, call_uri, transcript_uri
from atoms_logs_mcp.domain.lookup import AgentDirectory
from atoms_logs_mcp.tools.analyze_calls import ASPECTS, DESCRIPTION, Calls
from conftest import settings_for

PACKAGE = Path(__file__).resolve().parents[1] / "server" / "atoms_logs_mcp"
URI_MODULE = PACKAGE / "domain" / "call_uris.py"


@pytest.mark.anyio
async def test_the_aspect_parameter_takes_the_defined_aspects_and_each_draws_a_section():
    server = create_server(Settings(api_key="unused", base_url="http://unused.invalid"))
    tool = next(t for t in await server.list_tools() if t.name == "analyze_calls")
    names = [row.name for row in ASPECTS]
    assert tool.input_schema["properties"]["aspects"]["items"]["enum"] == names
    assert len(set(names)) == len(names)
    described = " ".join(DESCRIPTION.split())
    for row in ASPECTS:
        assert (f"{row.name} ({row.gloss})" if row.gloss else row.name) in described
        assert row.section(Calls([], {}, 3000)).startswith("## "), row.name


def test_an_entry_expires_by_the_clock_given_and_reads_need_not_keep_it():
    now = [0.0]
    cache: TTLCache[str] = TTLCache(2, 10, clock=lambda: now[0], refresh_on_get=False)
    cache.put("a", "one")
    cache.put("b", "two", ttl=30)
    assert cache.get("a") == "one"
    cache.put("c", "three")
    assert cache.get("a") is None, "the oldest put goes first, though it was just read"
    now[0] = 10
    assert cache.get("c") == "three", "kept for exactly its ttl"
    now[0] = 10.5
    assert cache.get("c") is None and cache.get("b") == "two" and len(cache) == 1
    lru: TTLCache[str] = TTLCache(2, 10, clock=lambda: now[0])
    lru.put("a", "one")
    lru.put("b", "two")
    lru.get("a")
    lru.put("c", "three")
    assert lru.get("a") == "one" and lru.get("b") is None, "by default the least recently used goes first"


def test_the_call_uris_are_written_in_one_module():
    written = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path != URI_MODULE
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "atoms://" in line
    ]
    assert URI_MODULE.is_file() and not written, written
    assert call_uri("CALL-1") == "atoms://calls/CALL-1" == CALL_TEMPLATE.format(call_id="CALL-1")
    assert transcript_uri("CALL-1") == "atoms://calls/CALL-1/transcript" == TRANSCRIPT_TEMPLATE.format(call_id="CALL-1")


@pytest.mark.anyio
async def test_the_resource_templates_are_the_ones_defined():
    server = create_server(Settings(api_key="unused", base_url="http://unused.invalid"))
    templates = {t.uri_template for t in await server.list_resource_templates()}
    assert templates == {CALL_TEMPLATE, TRANSCRIPT_TEMPLATE}


@pytest.mark.anyio
async def test_the_agent_list_is_kept_by_the_same_cache_for_its_ttl(sandbox):
    now = [0.0]
    async with AtomsClient(settings_for(sandbox)) as client:
        directory = AgentDirectory(client, ttl=120.0, clock=lambda: now[0])
        await directory.agents()
        listed = sandbox.stats()["total"]
        now[0] = 119.0
        await directory.agents()
        assert sandbox.stats()["total"] == listed, "kept while fresh"
        now[0] = 121.0
        await directory.agents()
        assert sandbox.stats()["total"] == 2 * listed, "read again once expired"
