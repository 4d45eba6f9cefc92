"""The HTTP transport: bearer token, DNS-rebinding protection, no key pass-through, and a load test.

Each test runs the real `atoms-logs-mcp --transport http` in a subprocess against the sandbox.
"""

from __future__ import annotations

import statistics
import time

import anyio
import httpx
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from atoms_logs_mcp.http import BearerTokenGate
from conftest import assert_no_secret, http_server_process, record_figure, server_env, text_of

pytestmark = pytest.mark.anyio

TOKEN = "mcp-endpoint-token-7f3e9a2b41"
PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


async def _list_logs_with(url: str, headers: dict[str, str]) -> str:
    async with (
        httpx2.AsyncClient(headers=headers, timeout=30) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        result = await client.call_tool("list_logs", {"limit": 2})
    assert not result.is_error
    return text_of(result)


async def test_the_token_is_required_and_checked(sandbox, tmp_path):
    env = server_env(sandbox, ATOMS_MCP_AUTH_TOKEN=TOKEN)
    log = tmp_path / "server.log"
    with http_server_process(env, log) as (url, _):
        async with httpx.AsyncClient(timeout=10) as http:
            missing = await http.post(url, json=PING, headers=HEADERS)
            wrong = await http.post(url, json=PING, headers={**HEADERS, "Authorization": "Bearer nope"})
            prefix = await http.post(url, json=PING, headers={**HEADERS, "Authorization": f"Bearer {TOKEN[:-1]}"})
            other_scheme = await http.post(url, json=PING, headers={**HEADERS, "Authorization": f"Basic {TOKEN}"})
        text = await _list_logs_with(url, {"Authorization": f"Bearer {TOKEN}"})
        # The scheme is case-insensitive (RFC 9110 11.1): clients that send "bearer" are not refused.
        assert "Showing calls 1-2" in await _list_logs_with(url, {"Authorization": f"bearer {TOKEN}"})
        assert "Showing calls 1-2" in await _list_logs_with(url, {"Authorization": f"BEARER  {TOKEN}"})
    assert missing.status_code == wrong.status_code == prefix.status_code == other_scheme.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert "Showing calls 1-2" in text
    assert TOKEN not in log.read_text(), "the token is never logged"
    record_figure("http_transport", token_required_status=missing.status_code, wrong_token_status=wrong.status_code)


async def test_the_gate_compares_in_constant_time(monkeypatch):
    import hmac

    from atoms_logs_mcp import http as http_module

    compared: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return original(a, b)

    monkeypatch.setattr(http_module.hmac, "compare_digest", spy)
    reached: list[bool] = []

    async def app(scope, receive, send):
        reached.append(True)

    gate = BearerTokenGate(app, TOKEN)
    sent: list[dict] = []

    async def send(message):
        sent.append(message)

    async def receive():
        return {"type": "http.request", "body": b""}

    for header in (b"Bearer wrong", f"Bearer {TOKEN}".encode()):
        scope = {"type": "http", "method": "POST", "path": "/mcp", "headers": [(b"authorization", header)]}
        await gate(scope, receive, send)
    assert compared == [(b"wrong", TOKEN.encode()), (TOKEN.encode(),) * 2]
    assert reached == [True] and sent[0]["status"] == 401


async def test_cli_flag_sets_the_token(sandbox, tmp_path):
    with http_server_process(server_env(sandbox), tmp_path / "server.log", "--auth-token", TOKEN) as (url, _):
        async with httpx.AsyncClient(timeout=10) as http:
            assert (await http.post(url, json=PING, headers=HEADERS)).status_code == 401
        await _list_logs_with(url, {"Authorization": f"Bearer {TOKEN}"})


async def test_the_atoms_key_never_comes_from_the_mcp_request(sandbox, tmp_path):
    # The server's own key is wrong; a client offering a valid Atoms key in its Authorization header must
    # not make the call work: the server never takes (or forwards) a key from an MCP request.
    env = server_env(sandbox, SMALLEST_API_KEY="sk_server_side_wrong_key_123")
    with http_server_process(env, tmp_path / "server.log") as (url, _):
        async with (
            httpx2.AsyncClient(headers={"Authorization": f"Bearer {sandbox.api_key}"}, timeout=30) as http,
            Client(streamable_http_client(url, http_client=http)) as client,
        ):
            result = await client.call_tool("list_logs", {"limit": 1})
    assert result.is_error and "rejected the API key" in text_of(result)
    assert sandbox.stats()["statuses"] == {"GET /conversation 401": 1}


async def test_foreign_host_and_origin_are_refused_and_loopback_is_the_default(sandbox, tmp_path):
    log = tmp_path / "server.log"
    with http_server_process(server_env(sandbox), log) as (url, _):
        async with httpx.AsyncClient(timeout=10) as http:
            rebinding = await http.post(url, json=PING, headers={**HEADERS, "Host": "attacker.example"})
            origin = await http.post(url, json=PING, headers={**HEADERS, "Origin": "https://attacker.example"})
    assert (rebinding.status_code, origin.status_code) == (421, 403)
    assert "http://127.0.0.1:" in log.read_text()
    record_figure(
        "http_transport",
        default_bind="127.0.0.1",
        foreign_host_status=rebinding.status_code,
        foreign_origin_status=origin.status_code,
    )


async def test_load_50_clients_times_20_tool_calls(sandbox, generated_dataset, tmp_path):
    ids = [c["callId"] for c in generated_dataset["calls"]]
    latencies: list[float] = []
    errors: list[str] = []
    with http_server_process(server_env(sandbox), tmp_path / "server.log") as (url, process):

        async def one_client(index: int) -> None:
            try:
                async with Client(url) as client:
                    for call in range(20):
                        tool, arguments = [
                            ("list_logs", {"limit": 10, "page": 1 + (index + call) % 5}),
                            ("get_log", {"call_id": ids[(index * 20 + call) % len(ids)]}),
                            ("search_by_call_ids", {"call_ids": ids[call : call + 20]}),
                        ][call % 3]
                        started = time.perf_counter()
                        result = await client.call_tool(tool, arguments)
                        latencies.append(time.perf_counter() - started)
                        if result.is_error:
                            errors.append(text_of(result)[:200])
            except Exception as error:
                errors.append(repr(error)[:200])

        started = time.perf_counter()
        async with anyio.create_task_group() as group:
            for index in range(50):
                group.start_soon(one_client, index)
        wall = time.perf_counter() - started
        alive = process.poll() is None
    quantiles = statistics.quantiles(latencies, n=100)
    figures = {
        "clients": 50,
        "calls_per_client": 20,
        "tool_calls": len(latencies),
        "errors": len(errors),
        "p50_ms": round(quantiles[49] * 1000),
        "p99_ms": round(quantiles[98] * 1000),
        "wall_s": round(wall, 1),
        "server_alive_after": alive,
    }
    record_figure("http_load", **figures)
    print("\n", figures)
    assert_no_secret(*errors)
    assert not errors, errors[:3]
    assert len(latencies) == 1000 and alive


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10"])
def test_binding_beyond_loopback_without_a_token_refuses_to_start(sandbox, host):
    import subprocess
    import sys

    started = subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp", "--transport", "http", "--host", host, "--port", "9"],
        env=server_env(sandbox),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert started.returncode == 2
    assert "refusing to serve beyond loopback" in started.stderr
    assert "--auth-token" in started.stderr and "--insecure-no-auth" in started.stderr


def test_beyond_loopback_is_allowed_with_a_token_or_an_explicit_flag():
    from atoms_logs_mcp.http import exposure_problem

    assert exposure_problem("127.0.0.1", None, False) is None
    assert exposure_problem("localhost", None, False) is None
    assert exposure_problem("::1", None, False) is None
    assert exposure_problem("0.0.0.0", TOKEN, False) is None
    assert exposure_problem("0.0.0.0", None, True) is None
    assert exposure_problem("0.0.0.0", None, False) is not None
