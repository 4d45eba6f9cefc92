"""`atoms-logs-mcp check` as a user runs it (a subprocess, against a real sandbox over loopback): a wrong key
stops at one paragraph that names the setting to fix; an account that could not be listed is never called
empty; `check --demo` leaves the user's call store alone."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from mcp import Client, StdioServerParameters

from atoms_logs_mcp.store.call_store import CallStore
from conftest import server_env

COMMAND = [sys.executable, "-m", "atoms_logs_mcp"]
BASE_ENV = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}


def _check(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, "check", *args], env=env, capture_output=True, text=True, timeout=180)


def test_a_wrong_key_stops_at_one_paragraph_naming_the_setting(sandbox):
    done = _check(server_env(sandbox, SMALLEST_API_KEY="sk_wrong_key_000000000000"))
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert out.count("rejected the API key") == 1, out
    failure = next(line for line in out.splitlines() if line.startswith("FAIL"))
    assert "the account could not be read" in failure and "HTTP 401" in failure
    assert "SMALLEST_API_KEY" in failure and "ATOMS_API_KEY" in failure
    assert "===" not in out and "No calls in this account" not in out


def test_calls_that_could_not_be_listed_are_not_called_none(sandbox):
    sandbox.set_faults(error_rate=1.0, error_status=503)  # the key works; every read fails, after the retries
    try:
        done = _check(server_env(sandbox, ATOMS_DEADLINE="0.5"))
    finally:
        sandbox.set_faults(reset=True)
    out = done.stdout
    assert done.returncode == 1, out + done.stderr
    assert "No calls in this account" not in out
    assert "The calls could not be listed, so get_log" in out


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_check_demo_leaves_the_users_store_alone(tmp_path):
    mine = tmp_path / "mine" / "calls.sqlite3"
    mine.parent.mkdir()
    CallStore.open(mine, 10 * 1024 * 1024).close()
    before = _digest(mine)
    cache = tmp_path / "cache"
    env = {**BASE_ENV, "ATOMS_STORE": str(mine), "XDG_CACHE_HOME": str(cache)}
    done = _check(env, "--demo", "--calls", "60")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "=== get_log(" in done.stdout and "=== search_transcripts(" in done.stdout
    assert _digest(mine) == before, "check --demo wrote into the user's store"
    assert sorted(p.name for p in mine.parent.iterdir()) == ["calls.sqlite3"]
    assert not cache.exists(), "nor into the default per-user store"
    listed = subprocess.run([*COMMAND, "store"], env=env, capture_output=True, text=True, timeout=60)
    assert "Calls: 0" in listed.stdout, listed.stdout
    shown = next(line for line in done.stdout.splitlines() if line.strip().startswith("ATOMS_STORE:"))
    assert str(mine) not in shown and "atoms-logs-mcp-demo-" in shown


@pytest.mark.anyio
async def test_serve_demo_leaves_the_users_store_alone(tmp_path):
    """`atoms-logs-mcp --demo` over stdio: an investigation that fills the call store fills the demo's own."""
    mine = tmp_path / "mine" / "calls.sqlite3"
    env = {**BASE_ENV, "ATOMS_STORE": str(mine), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    params = StdioServerParameters(command=sys.executable, args=["-m", "atoms_logs_mcp", "--demo"], env=env)
    async with Client(params) as client:
        result = await client.call_tool("search_transcripts", {"text": "refund", "since": "7d", "max_calls": 50})
    assert not result.is_error
    assert not mine.parent.exists() and not (tmp_path / "cache").exists()
