"""The command line as a user meets it: check --demo, --demo over stdio, no key, the sandbox server."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
import pytest
from mcp import Client, StdioServerParameters

from atoms_logs_mcp.sandbox.app import DEFAULT_SANDBOX_KEY

COMMAND = [sys.executable, "-m", "atoms_logs_mcp"]
BASE_ENV = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}


def test_check_demo_drives_every_tool_and_masks_the_key(tmp_path):
    env = {**BASE_ENV, "XDG_CACHE_HOME": str(tmp_path)}  # the call store's default folder, on Linux
    done = subprocess.run(
        [*COMMAND, "check", "--demo", "--calls", "120"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    for tool in (
        "=== list_agents(",
        "=== summarize_logs(",
        "=== list_logs(",
        "=== get_log(",
        "=== search_by_call_ids(",
        "=== resource atoms://calls/",
        "=== analyze_calls(",
        "=== search_transcripts(",
        "=== compare_calls(",
    ):
        assert tool in out
    assert not (tmp_path / "atoms-logs-mcp").exists(), "the demo's calls stay out of the user's store"
    assert "API key: sk_san…_key" in out and DEFAULT_SANDBOX_KEY not in out
    assert out.rstrip().endswith("OK: every check passed.")


def test_check_without_a_key_fails_clearly():
    done = subprocess.run([*COMMAND, "check"], env=BASE_ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "API key: (not set)" in done.stdout and "atoms-logs-mcp check --demo" in done.stdout


def test_serving_without_a_key_points_to_demo():
    done = subprocess.run(COMMAND, env=BASE_ENV, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no Atoms API key" in done.stderr and "--demo" in done.stderr


@pytest.mark.anyio
async def test_demo_serves_over_stdio_without_a_key():
    params = StdioServerParameters(command=sys.executable, args=["-m", "atoms_logs_mcp", "--demo"], env=BASE_ENV)
    async with Client(params) as client:
        result = await client.call_tool("list_logs", {"limit": 2})
    assert not result.is_error and "Showing calls 1-2" in result.content[0].text


def test_sandbox_command_serves_until_stopped(tmp_path):
    process = subprocess.Popen(
        [*COMMAND, "sandbox", "--port", "0", "--calls", "40", "--api-key", "sk_cli_test_key"],
        env=BASE_ENV,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
        base_url = next(line.split("=", 1)[1].strip() for line in lines if "ATOMS_BASE_URL=" in line)
        assert base_url.startswith("http://127.0.0.1:") and base_url.endswith("/atoms/v1")
        answer = httpx.get(f"{base_url}/conversation", headers={"Authorization": "Bearer sk_cli_test_key"})
        assert answer.status_code == 200 and answer.json()["data"]["pagination"]["total"] == 40
        assert httpx.get(f"{base_url}/conversation").status_code == 401
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def test_sandbox_command_rejects_a_bad_dataset(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"calls": "not a list"}')
    done = subprocess.run(
        [*COMMAND, "sandbox", "--data", str(bad)], env=BASE_ENV, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and "expected an object with a 'calls' list" in done.stderr
