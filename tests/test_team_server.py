"""The team server (`serve --transport http --auth-mode passthrough`): each request's own Atoms key, a limit of
calls in flight per key, the deadline, health probes, JSON log lines, stateless serving and draining on SIGTERM.

Each test runs the real command in a subprocess against the sandbox over loopback; the sandbox accepts one key,
so another key is one the API does not know. Two keys each with their own calls, through nginx and PostgreSQL, are
tested in tests/test_team_cluster.py and tests/test_team_load.py.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from atoms_logs_mcp.app import open_context
from atoms_logs_mcp.domain.calls import key_fingerprint
from atoms_logs_mcp.domain.clock import clock_from
from atoms_logs_mcp.store.call_store import CallStore
from atoms_logs_mcp.team.tenants import Tenants
from atoms_logs_mcp.tools.subscriptions import Subscribers
from conftest import http_server_process, server_env, settings_for, text_of

pytestmark = pytest.mark.anyio

HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}
PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
UNKNOWN_KEY = "sk_" + "0" * 40


def team_env(sandbox, **extra: str) -> dict[str, str]:
    env = server_env(sandbox, **extra)
    del env["SMALLEST_API_KEY"]  # a team server has no key of its own
    return env


@contextmanager
def team_server(sandbox, tmp_path: Path, *args: str, **extra: str) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    with http_server_process(
        team_env(sandbox, **extra), tmp_path / "server.log", "--auth-mode", "passthrough", *args
    ) as (
        url,
        process,
    ):
        yield url, process


@asynccontextmanager
async def session(url: str, key: str, mode: str = "auto", **headers: str) -> AsyncIterator[Client]:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}", **headers}, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        yield client


def log_lines(tmp_path: Path) -> list[dict]:
    lines = (tmp_path / "server.log").read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_each_request_reads_with_its_own_key_and_an_unknown_key_gets_the_apis_401(sandbox, tmp_path, mode):
    with team_server(sandbox, tmp_path) as (url, _):
        async with session(url, sandbox.api_key, mode) as client:
            listed = text_of(await client.call_tool("list_logs", {"limit": 2}))
        async with session(url, UNKNOWN_KEY, mode) as client:
            refused = await client.call_tool("list_logs", {"limit": 2})
    assert "Showing calls 1-2" in listed
    assert refused.is_error and "rejected the API key this request sent (HTTP 401)" in text_of(refused)
    assert "Authorization header" in text_of(refused) and "SMALLEST_API_KEY" not in text_of(refused)
    statuses = sandbox.stats()["statuses"]
    assert statuses["GET /conversation 401"] == 1 and statuses["GET /conversation 200"] >= 1
    assert UNKNOWN_KEY not in (tmp_path / "server.log").read_text()


async def test_a_request_without_a_key_gets_401_from_us_and_the_probes_answer_without_one(sandbox, tmp_path):
    with team_server(sandbox, tmp_path) as (url, _):
        async with httpx.AsyncClient(timeout=10) as http:
            missing = await http.post(url, json=PING, headers=HEADERS)
            other_scheme = await http.post(url, json=PING, headers={**HEADERS, "Authorization": "Basic abc"})
            alive = await http.get(url.replace("/mcp", "/healthz"))
            ready = await http.get(url.replace("/mcp", "/readyz"))
    assert missing.status_code == other_scheme.status_code == 401
    assert "your own Atoms API key" in missing.json()["message"]
    assert sandbox.stats()["requests"].get("GET /conversation", 0) <= 1  # only the readiness check reached it
    assert (alive.status_code, alive.json()) == (200, {"status": "alive"})
    assert (ready.status_code, ready.json()["status"]) == (200, "ready")


async def test_readiness_fails_when_the_api_is_unreachable(sandbox, tmp_path):
    env = {"ATOMS_BASE_URL": "http://127.0.0.1:9/atoms/v1"}  # the discard port: nothing listens
    with team_server(sandbox, tmp_path, **env) as (url, _):
        async with httpx.AsyncClient(timeout=10) as http:
            ready = await http.get(url.replace("/mcp", "/readyz"))
    assert ready.status_code == 503
    assert ready.json()["problems"] == ["Atoms API unreachable (ConnectError)"]


async def test_calls_past_the_keys_limit_are_refused_at_once_with_a_tool_error_and_other_keys_go_on(sandbox, tmp_path):
    sandbox.set_faults(latency_ms=1500)
    results: list[tuple[bool, str]] = []
    with team_server(sandbox, tmp_path, ATOMS_KEY_MAX_IN_FLIGHT="2") as (url, _):

        async def one() -> None:
            async with session(url, sandbox.api_key) as client:
                result = await client.call_tool("list_logs", {"limit": 1})
                results.append((result.is_error, text_of(result)))

        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(one)
            await anyio.sleep(0.4)
            async with session(url, UNKNOWN_KEY) as client:  # another key has its own limit
                other = await client.call_tool("list_logs", {"limit": 1})
    refused = [text for is_error, text in results if is_error]
    assert len(refused) == 2 and len(results) == 4
    assert all("too many requests in flight for this key: 2 at once" in text for text in refused)
    assert "ATOMS_KEY_MAX_IN_FLIGHT" in refused[0]
    assert other.is_error and "rejected the API key" in text_of(other)  # asked, not refused by the limit
    outcomes = sorted(line["outcome"] for line in log_lines(tmp_path) if line.get("tool") == "list_logs")
    assert outcomes == ["ok", "ok", "refused", "refused", "tool_error"]


async def test_every_tool_call_is_one_json_log_line_with_its_request_id_and_key_fingerprint(sandbox, tmp_path):
    with team_server(sandbox, tmp_path) as (url, _):
        async with session(url, sandbox.api_key, **{"X-Request-Id": "req-7f3e"}) as client:
            await client.call_tool("list_logs", {"limit": 1})
            await client.call_tool("get_log", {"call_id": "CALL-1700000000000-nosuch"})
    lines = [line for line in log_lines(tmp_path) if "tool" in line]
    assert [(line["tool"], line["outcome"], line["request_id"]) for line in lines] == [
        ("list_logs", "ok", "req-7f3e"),
        ("get_log", "tool_error", "req-7f3e"),
    ]
    assert {line["key"] for line in lines} == {key_fingerprint(sandbox.api_key)}
    assert all(line["took_ms"] >= 0 and line["level"] == "info" for line in lines)
    assert sandbox.api_key not in (tmp_path / "server.log").read_text()


async def test_the_deadline_bounds_a_call_and_cancels_its_upstream_work(sandbox, tmp_path):
    sandbox.set_faults(latency_ms=4000)
    with team_server(sandbox, tmp_path, ATOMS_DEADLINE="1.5", ATOMS_TIMEOUT="30") as (url, _):
        async with session(url, sandbox.api_key) as client:
            started = time.monotonic()
            result = await client.call_tool("list_logs", {"limit": 1})
            took = time.monotonic() - started
    assert result.is_error and took < 3.5
    assert "1.5 s" in text_of(result)


async def test_2025_clients_are_served_stateless_without_subscriptions(sandbox, tmp_path):
    with team_server(sandbox, tmp_path) as (url, _):
        async with session(url, sandbox.api_key, "legacy") as client:
            capabilities = client.server_capabilities
            text = text_of(await client.call_tool("list_logs", {"limit": 1}))
        async with httpx.AsyncClient(timeout=10) as http:
            opened = await http.post(
                url,
                json={
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {
                        "protocolVersion": "2025-11-25",
                        "capabilities": {},
                        "clientInfo": {"name": "probe", "version": "1"},
                    },
                },
                headers={**HEADERS, "Authorization": f"Bearer {sandbox.api_key}"},
            )
    assert "Showing calls 1-1" in text
    assert capabilities.resources is not None and not capabilities.resources.subscribe
    assert opened.status_code == 200 and "mcp-session-id" not in opened.headers


async def test_sigterm_lets_the_calls_in_flight_finish_then_exits(sandbox, tmp_path):
    sandbox.set_faults(latency_ms=2000)
    results: list[str] = []
    with team_server(sandbox, tmp_path) as (url, process):

        async def one() -> None:
            async with session(url, sandbox.api_key) as client:
                await client.list_tools()  # the client checks results against it: asked now, before the SIGTERM
                results.append(text_of(await client.call_tool("list_logs", {"limit": 1})))

        async with anyio.create_task_group() as group:
            for _ in range(3):
                group.start_soon(one)
            await anyio.sleep(0.8)
            process.send_signal(signal.SIGTERM)
        exited = await anyio.to_thread.run_sync(lambda: process.wait(timeout=30))
    assert len(results) == 3 and all("Showing calls 1-1" in text for text in results)
    assert exited in (0, -signal.SIGTERM)  # uvicorn ends as the signal asked, once the calls are done


def test_abbreviated_options_are_refused_not_guessed(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp", "serve", "--transport", "http", "--auth", "passthrough"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "unrecognized arguments: --auth" in done.stderr


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["--auth-mode", "passthrough"], "add --transport http"),
        (["--transport", "http", "--auth-mode", "passthrough", "--demo"], "--demo has none"),
        (["--transport", "http", "--auth-mode", "passthrough", "--auth-token", "t0ken"], "unset --auth-token"),
    ],
)
def test_passthrough_refuses_what_it_cannot_honour(args, problem):
    done = subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp", "serve", *args], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and problem in done.stderr


async def test_passthrough_needs_no_server_key_and_may_bind_beyond_loopback(sandbox, tmp_path):
    with http_server_process(
        team_env(sandbox, ATOMS_MCP_AUTH_MODE="passthrough"), tmp_path / "server.log", "--host", "0.0.0.0"
    ) as (url, _):
        async with session(url, sandbox.api_key) as client:
            text = text_of(await client.call_tool("list_logs", {"limit": 1}))
    assert "Showing calls 1-1" in text


async def test_a_key_is_held_in_memory_for_its_ttl_after_its_last_request_then_forgotten(sandbox):
    now = [1000.0]
    settings = settings_for(sandbox, api_key=None, auth_mode="passthrough", key_ttl=900.0)
    async with httpx.AsyncClient() as pool, anyio.create_task_group() as background:
        tenants = Tenants(
            settings,
            lambda keyed: open_context(keyed, pool, CallStore.off(), Subscribers(), clock_from(None)),
            background,
            clock=lambda: now[0],
        )
        first = tenants.tenant_for({"authorization": f"Bearer {sandbox.api_key}"})
        other = tenants.tenant_for({"authorization": f"bearer {UNKNOWN_KEY}"})
        assert first.context.client.settings.api_key == sandbox.api_key and first is not other
        now[0] += 600
        assert tenants.tenant_for({"authorization": f"Bearer {sandbox.api_key}"}) is first  # used again: kept
        now[0] += 400
        first.in_flight = 1
        assert tenants.forget_idle() == 1 and len(tenants) == 1  # the other key went; one in flight stays
        now[0] += 900
        first.in_flight = 0
        assert tenants.forget_idle() == 1 and len(tenants) == 0
        assert tenants.tenant_for({"authorization": f"Bearer {sandbox.api_key}"}) is not first
        background.cancel_scope.cancel()


async def test_a_users_key_is_never_written_to_the_store(sandbox, tmp_path):
    store = tmp_path / "store" / "calls.sqlite3"
    with team_server(sandbox, tmp_path, ATOMS_STORE=str(store), ATOMS_SYNC="on") as (url, _):
        async with session(url, sandbox.api_key) as client:
            await client.call_tool("summarize_logs", {"since": "7d"})
            await client.call_tool("search_transcripts", {"text": "order", "since": "2d"})
    written = b"".join(path.read_bytes() for path in store.parent.iterdir())
    assert sandbox.api_key.encode() not in written
    assert key_fingerprint(sandbox.api_key).encode() in written  # rows are split by the key's fingerprint


async def test_a_key_the_api_refuses_never_starts_a_background_sync(sandbox, tmp_path):
    store = tmp_path / "store" / "calls.sqlite3"
    env = {"ATOMS_STORE": str(store), "ATOMS_SYNC": "on", "ATOMS_SYNC_INTERVAL": "1"}
    with team_server(sandbox, tmp_path, **env) as (url, _):
        async with session(url, UNKNOWN_KEY) as client:
            refused = await client.call_tool("list_logs", {"limit": 1})
        async with session(url, sandbox.api_key) as client:
            await client.call_tool("list_logs", {"limit": 1})
        await anyio.sleep(3)
    statuses = sandbox.stats()["statuses"]
    assert refused.is_error and statuses["GET /conversation 401"] == 1  # the call's own, and no sync after it
    assert statuses["GET /conversation 200"] > 1  # the answered key's sync ran
