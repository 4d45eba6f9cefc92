"""The views on a team server: what a view draws for one key is read with that key, never from what another key's
answer kept. Two keys, each with its own account (the sandbox's tenants), one passthrough server, hosts that
render MCP Apps."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from conftest import call_text, http_server_process
from test_sandbox_tenants import KEY_A, KEY_B, tenants_url  # noqa: F401 - the fixture
from test_views import APPS

pytestmark = pytest.mark.anyio
SIDES = {"baseline": {"statuses": ["completed"]}, "candidate": {"statuses": ["failed", "no_answer"]}}


@asynccontextmanager
async def apps_session(url: str, key: str) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http), extensions=[APPS]) as client,
    ):
        yield client


async def _drawn(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert not result.is_error, result.content
    return result.structured_content or {}


async def test_a_view_reads_with_its_own_key_not_from_what_another_keys_answer_kept(tenants_url, tmp_path: Path):  # noqa: F811
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "ATOMS_BASE_URL": tenants_url,
        "ATOMS_STORE": "off",
        "ATOMS_SYNC": "off",
    }
    with http_server_process(env, tmp_path / "server.log", "--auth-mode", "passthrough") as (url, _):
        async with apps_session(url, KEY_A) as first:
            answered_a = await call_text(first, "compare_calls", SIDES)  # kept for A's view, in A's context
            summary_a = await call_text(first, "summarize_logs", {})
            compared_a = await _drawn(first, "compare_view_data", SIDES)
            window_a = await _drawn(first, "window_view_data", {"filters": {}})
        async with apps_session(url, KEY_B) as second:
            compared_b = await _drawn(second, "compare_view_data", SIDES)  # the same sides: nothing of A's kept
            window_b = await _drawn(second, "window_view_data", {"filters": {}})
            answered_b = await call_text(second, "compare_calls", SIDES)
            summary_b = await call_text(second, "summarize_logs", {})
    rows = {key: [row for panel in drawn["panels"] for row in panel["rows"]] for key, drawn in
            (("a", compared_a), ("b", compared_b))}  # fmt: skip
    assert rows["a"] and all(row["difference"] in answered_a for row in rows["a"])
    assert rows["b"] and all(row["difference"] in answered_b for row in rows["b"])
    assert [row["difference"] for row in rows["a"]] != [row["difference"] for row in rows["b"]]
    assert f"{window_a['calls']} calls match" in summary_a and f"{window_b['calls']} calls match" in summary_b
    assert window_a["calls"] != window_b["calls"]
