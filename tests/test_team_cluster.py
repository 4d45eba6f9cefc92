"""The team server's deployment files (deploy/) and scripts/team_cluster.py, which runs the same nginx.conf in front
of local replicas, a local PostgreSQL and a sandbox with two tenants.

No Docker here: compose.yaml is checked for consistency (its services, commands, variables and files), and
nginx.conf is rendered as team_cluster.py renders it, tested with `nginx -t`, and run in front of real replicas.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import httpx2
import pytest
import yaml
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from atoms_logs_mcp.settings_table import SETTINGS
from conftest import call_text, free_port, http_server_process, script_module, server_env, text_of

ROOT = Path(__file__).parents[1]
DEPLOY = ROOT / "deploy"
DATA = Path(__file__).parent / "data"
PING = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


team_cluster = script_module("team_cluster")


def _nginx_or_skip() -> None:
    if shutil.which("nginx") or Path("/usr/sbin/nginx").exists():
        return
    if os.environ.get("NGINX_REQUIRED"):
        pytest.fail("nginx is required here (NGINX_REQUIRED) but not installed")
    pytest.skip("nginx is not installed (Debian: apt-get install nginx)")


def _seconds(text: str) -> float:
    """An nginx or compose duration: 150s, 2m, 1m30s, or a bare number of seconds."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "": 1}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h|)", str(text).strip())
    assert parts, text
    return sum(float(number) * units[unit] for number, unit in parts)


def _default(env: str) -> Any:
    return next(setting.default for setting in SETTINGS if setting.env == env)


def _directive(conf: str, name: str) -> str:
    found = re.findall(rf"^\s*{name}\s+([^;]+);", conf, re.MULTILINE)
    assert len(found) == 1, (name, found)
    return found[0].strip()


# deploy/nginx.conf -----------------------------------------------------------------------------------------


def test_nginx_conf_holds_the_rules_of_the_issue():
    conf = (DEPLOY / "nginx.conf").read_text()
    assert _directive(conf, "proxy_buffering") == "off"
    assert _directive(conf, "gzip") == "off" and _directive(conf, "proxy_cache") == "off"
    assert _directive(conf, "proxy_request_buffering") == "on"
    assert _directive(conf, "proxy_next_upstream").split() == [
        "error",
        "timeout",
        "http_502",
        "http_503",
        "non_idempotent",
    ]
    assert _directive(conf, "proxy_next_upstream_tries") == "2"
    assert _seconds(_directive(conf, "proxy_connect_timeout")) <= 5
    assert _seconds(_directive(conf, "proxy_read_timeout")) > _default("ATOMS_DEADLINE")
    assert _directive(conf, "proxy_http_version") == "1.1"
    assert _directive(conf, "proxy_set_header Connection") == '""'
    assert _directive(conf, "proxy_set_header Host") == "$http_host"
    assert re.search(r"server \$\{ATOMS_REPLICA\} max_fails=\d+ fail_timeout=\d+s;", conf)
    assert int(_directive(conf, "keepalive")) > 0


def test_nginx_conf_renders_for_the_cluster_and_passes_nginx_t(tmp_path):
    _nginx_or_skip()
    team_cluster.write_nginx_config(tmp_path, 18080, [18001, 18002])
    rendered = (tmp_path / "atoms.conf").read_text()
    assert "listen 127.0.0.1:18080;" in rendered
    assert re.findall(r"server (127\.0\.0\.1:\d+) max_fails", rendered) == ["127.0.0.1:18001", "127.0.0.1:18002"]
    assert "${" not in rendered
    team_cluster.nginx(tmp_path, "-t")


def test_a_variable_nothing_fills_in_is_refused():
    with pytest.raises(ValueError, match="ATOMS_OTHER"):
        team_cluster.render_nginx("listen ${ATOMS_LISTEN};\nset $x ${ATOMS_OTHER};\n", "80", [])


@pytest.mark.anyio
async def test_nginx_passes_mcp_to_the_replicas_and_retries_a_dead_one(sandbox, tmp_path):
    """Two replicas (the single-user HTTP mode: the proxy rules do not depend on the auth mode) behind the rendered
    nginx.conf: MCP sessions through it work, the Host check still refuses a foreign name, and with one replica
    killed every call is answered by the other (proxy_next_upstream on a connection error)."""
    _nginx_or_skip()
    with ExitStack() as stack:
        replicas = [
            stack.enter_context(http_server_process(server_env(sandbox), tmp_path / f"replica-{i}.log"))
            for i in range(2)
        ]
        ports = [int(url.rsplit(":", 1)[1].split("/")[0]) for url, _ in replicas]
        port = free_port()
        pid = team_cluster.start_nginx(tmp_path, port, ports)
        stack.callback(team_cluster.stop, [pid], 5)
        url = f"http://127.0.0.1:{port}/mcp"
        async with Client(url) as client:
            assert "Showing calls 1-2" in await call_text(client, "list_logs", {"limit": 2})
        async with httpx.AsyncClient(timeout=10) as http:
            foreign = await http.post(url, json=PING, headers={**HEADERS, "Host": "evil.example"})
        assert foreign.status_code == 421
        replicas[0][1].send_signal(signal.SIGKILL)
        replicas[0][1].wait(timeout=10)
        for _ in range(6):
            async with Client(url) as client:
                assert "Showing calls 1-2" in await call_text(client, "list_logs", {"limit": 2})
    assert not team_cluster.alive(pid)


class _Unavailable(BaseHTTPRequestHandler):
    """A replica that answers every POST 503 (draining, say), and GET /stream one event now and one a second later."""

    hits = 0

    def do_POST(self) -> None:
        type(self).hits += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(503)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Content-Length", str(2 * len(b"data: x\n\n")))
        self.end_headers()
        self.wfile.write(b"data: x\n\n")
        self.wfile.flush()
        time.sleep(1.5)
        self.wfile.write(b"data: x\n\n")

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def unavailable_replica() -> Iterator[int]:
    _Unavailable.hits = 0
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Unavailable)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.anyio
async def test_a_503_is_resent_to_the_next_replica(sandbox, tmp_path, unavailable_replica):
    """A POST (every MCP request) answered 503 by one replica is resent to the other (http_503 with
    non_idempotent: without it nginx never resends a POST it has sent)."""
    _nginx_or_skip()
    with ExitStack() as stack:
        url, _ = stack.enter_context(http_server_process(server_env(sandbox), tmp_path / "replica.log"))
        port = free_port()
        pid = team_cluster.start_nginx(tmp_path, port, [unavailable_replica, int(url.rsplit(":", 1)[1].split("/")[0])])
        stack.callback(team_cluster.stop, [pid], 5)
        for _ in range(3):
            async with Client(f"http://127.0.0.1:{port}/mcp") as client:
                assert "Showing calls 1-2" in await call_text(client, "list_logs", {"limit": 2})
        assert _Unavailable.hits >= 1


@pytest.mark.anyio
async def test_an_event_stream_passes_as_it_is_sent(tmp_path, unavailable_replica):
    """The first event reaches the client before the replica sends the second. (nginx 1.22 passes this even with
    proxy_buffering on for so small a stream: the directive itself is checked in the file, above.)"""
    _nginx_or_skip()
    port = free_port()
    pid = team_cluster.start_nginx(tmp_path, port, [unavailable_replica])
    try:
        async with (
            httpx.AsyncClient(timeout=10) as http,
            http.stream("GET", f"http://127.0.0.1:{port}/stream") as answer,
        ):
            started = time.monotonic()
            first = await anext(answer.aiter_raw())
            assert first.startswith(b"data: x") and time.monotonic() - started < 1.0
    finally:
        team_cluster.stop([pid], 5)


# deploy/compose.yaml ---------------------------------------------------------------------------------------


def test_compose_file_is_consistent():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "server", "nginx"}
    assert services["postgres"]["image"].startswith("postgres:")

    server = services["server"]
    build = server["build"]
    dockerfile = (DEPLOY / build["context"] / build["dockerfile"]).resolve()
    assert dockerfile.is_file() and 'pip install --no-cache-dir ".[team]"' in dockerfile.read_text()
    command = server["command"]
    assert command[:2] == ["atoms-logs-mcp", "serve"]
    options = dict(zip(command[2::2], command[3::2], strict=False))
    assert options["--transport"] == "http" and options["--auth-mode"] == "passthrough"
    assert options["--host"] == "0.0.0.0" and options["--port"] == "8000"

    env = server["environment"]
    store = re.fullmatch(r"postgresql://(\w+):(\S+)@(\w+):5432/(\w+)", env["ATOMS_STORE"])
    assert store, env["ATOMS_STORE"]
    postgres_env = services["postgres"]["environment"]
    assert store.group(3) == "postgres" and store.group(1) == postgres_env["POSTGRES_USER"]
    assert store.group(4) == postgres_env["POSTGRES_DB"] and store.group(2) == postgres_env["POSTGRES_PASSWORD"]
    known = {setting.env for setting in SETTINGS}
    assert set(env) <= known, set(env) - known
    deadline = float(env.get("ATOMS_DEADLINE", _default("ATOMS_DEADLINE")))
    assert _seconds(server["stop_grace_period"]) >= deadline

    nginx = services["nginx"]
    template = next(v.split(":")[0] for v in nginx["volumes"] if v.endswith("default.conf.template:ro"))
    conf = (DEPLOY / template).read_text()
    assert set(re.findall(r"\$\{(ATOMS_\w+)\}", conf)) == {k for k in nginx["environment"] if k.startswith("ATOMS_")}
    assert nginx["environment"]["NGINX_ENVSUBST_FILTER"] == "^ATOMS_"
    assert nginx["environment"]["ATOMS_REPLICA"] == f"server:{options['--port']}"
    assert _seconds(_directive(conf, "proxy_read_timeout")) > deadline
    assert nginx["environment"]["ATOMS_LISTEN"] in {port.split(":")[-1] for port in nginx["ports"]}


# scripts/team_cluster.py end to end ------------------------------------------------------------------------

KEYS = {
    "sk_team_org_a_0123456789": DATA / "round3_dataset.json",
    "sk_team_org_b_9876543210": DATA / "foreign_dataset.json",
}


def _postgres_or_skip() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import local_postgres

    if not local_postgres.available():
        if os.environ.get("POSTGRES_REQUIRED"):
            pytest.fail("PostgreSQL is required here (POSTGRES_REQUIRED) but not installed")
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")


def _script(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "team_cluster.py"), *args],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


async def _list_with(url: str, key: str) -> str:
    async with (
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {key}"}, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        result = await client.call_tool("list_logs", {"limit": 50, "since": "2020-01-01", "until": "2030-01-01"})
    assert not result.is_error, text_of(result)
    return text_of(result)


@pytest.mark.anyio
async def test_cluster_up_serves_each_key_its_own_calls_and_down_stops_everything(tmp_path):
    _nginx_or_skip()
    _postgres_or_skip()
    folder = tmp_path / "cluster"
    tenants = [arg for key, path in KEYS.items() for arg in ("--sandbox-tenant", f"{key}={path}")]
    port = str(free_port())
    lines = _script("up", "--replicas", "2", "--port", port, "--dir", str(folder), *tenants).splitlines()
    assert len(lines) == 1
    cluster = json.loads(lines[0])
    pids = cluster["pids"]
    everything = [pids["postgres"], pids["nginx"], pids["sandbox"], *pids["replicas"]]
    try:
        assert len(pids["replicas"]) == 2 and all(team_cluster.alive(pid) for pid in everything)
        ids = {key: {c["callId"] for c in json.loads(path.read_text())["calls"]} for key, path in KEYS.items()}
        for key in KEYS:
            shown = set(re.findall(r"CALL-\d{13}-[0-9a-f]{6}", await _list_with(cluster["url"], key)))
            others = set().union(*(ids[other] for other in KEYS if other != key))
            assert shown and shown <= ids[key] and not shown & others
    finally:
        _script("down", "--dir", cluster["dir"], "--grace", "20")
    assert not [pid for pid in everything if team_cluster.alive(pid)]
    assert not folder.exists()
