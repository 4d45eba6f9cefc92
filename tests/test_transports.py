"""The server as users run it: a stdio subprocess and the streamable HTTP endpoint, in both protocol eras.

Both run the real `atoms-logs-mcp` command in a subprocess, reading the sandbox over loopback.
"""

from __future__ import annotations

import re
import socket
import sys
from collections.abc import Iterator

import httpx
import pytest
from mcp import Client, StdioServerParameters

from conftest import PROTOCOL_MODES, call_text, http_server_process, server_env

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_stdio_subprocess(sandbox, mode):
    params = StdioServerParameters(command=sys.executable, args=["-m", "atoms_logs_mcp"], env=server_env(sandbox))
    async with Client(params, mode=mode) as client:
        assert client.protocol_version == ("2025-11-25" if mode == "legacy" else "2026-07-28")
        names = {tool.name for tool in (await client.list_tools()).tools}
        assert {"list_logs", "get_log", "search_by_call_ids"} <= names
        text = await call_text(client, "list_logs", {"limit": 3, "statuses": ["completed"]})
    assert "Showing calls 1-3" in text
    assert sandbox.stats()["requests"]["GET /conversation"] == 1


@pytest.fixture
def http_server(sandbox, tmp_path) -> Iterator[str]:
    with http_server_process(server_env(sandbox), tmp_path / "server.log") as (url, _):
        yield url


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_streamable_http(http_server, sandbox, mode):
    async with Client(http_server, mode=mode) as client:
        assert client.protocol_version == ("2025-11-25" if mode == "legacy" else "2026-07-28")
        text = await call_text(client, "list_logs", {"limit": 2})
        call_id = re.findall(r"^(CALL-\S+) \| ", text, re.MULTILINE)[0]
        detail = await call_text(client, "get_log", {"call_id": call_id, "include": ["overview"]})
    assert f"Call {call_id}" in detail


def test_http_refuses_foreign_host_and_origin(http_server):
    body = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
    with httpx.Client(timeout=5) as http:
        rebinding = http.post(http_server, json=body, headers={**headers, "Host": "evil.example:80"})
        cross_site = http.post(http_server, json=body, headers={**headers, "Origin": "http://evil.example"})
    assert rebinding.status_code == 421
    assert cross_site.status_code == 403


def test_http_binds_to_loopback_by_default(http_server):
    port = int(http_server.rsplit(":", 1)[1].split("/")[0])
    addresses = [a for a in socket.getaddrinfo(socket.gethostname(), None) if a[4][0] not in ("127.0.0.1", "::1")]
    for family, _, _, _, address in addresses[:1]:
        with socket.socket(family) as probe:
            probe.settimeout(0.5)
            assert probe.connect_ex((address[0], port)) != 0, "reachable from a non-loopback address"
