"""Real clients: the MCP Inspector CLI over stdio and HTTP, and the official conformance suite over HTTP.

Runs scripts/real_clients.py, which installs Node 22 and both npm packages (pinned) into scripts/.node/ on
first use, and reads the summary it prints last. Skipped where npm is missing, unless
REAL_CLIENTS_REQUIRED=1 (CI) makes that a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from atoms_logs_mcp.app import TOOLS as SERVER_TOOLS
from conftest import assert_no_secret

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "real_clients.py"
TOOLS = set(SERVER_TOOLS)
MUST_PASS = {
    "server-initialize",
    "ping",
    "tools-list",
    "resources-list",
    "prompts-list",
    "completion-complete",
    "server-sse-multiple-streams",
    "dns-rebinding-protection",
}
MARKER = "REAL_CLIENTS_SUMMARY "

pytestmark = pytest.mark.heavy


@pytest.fixture(scope="module")
def summary() -> dict:
    if shutil.which("npm") is None:
        message = "npm not found: the real-client checks install Node 22 and the MCP clients from the npm registry"
        if os.environ.get("REAL_CLIENTS_REQUIRED") == "1":
            pytest.fail(message + " (REAL_CLIENTS_REQUIRED=1)")
        pytest.skip(message)
    done = subprocess.run(
        [sys.executable, str(SCRIPT)],
        env={**os.environ, "PYTHON": sys.executable},
        capture_output=True,
        text=True,
        timeout=540,
    )
    assert_no_secret(done.stdout, done.stderr)
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    assert lines, f"no summary line (exit {done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    parsed = json.loads(lines[-1][len(MARKER) :])
    parsed["_exit"] = done.returncode
    parsed["_output"] = done.stdout[-6000:]
    return parsed


@pytest.mark.timeout(600)
def test_script_succeeds(summary):
    assert summary["ok"] and summary["_exit"] == 0, summary["_output"]


@pytest.mark.timeout(600)
def test_inspector_calls_every_tool_in_both_eras(summary):
    inspector = summary["inspector"]
    failed = [f"{step['phase']} {step['name']}: {step['detail']}" for step in inspector["steps"] if not step["ok"]]
    assert not failed
    assert set(inspector["tools_called"]["stdio legacy"]) == TOOLS
    assert set(inspector["tools_called"]["stdio modern"]) == TOOLS
    names = {(step["phase"], step["name"]) for step in inspector["steps"]}
    for phase in ("stdio legacy", "stdio modern"):
        for method in ("resources/templates/list", "prompts/list", "tools/call get_log (unknown id)"):
            assert (phase, method) in names
    for phase in ("http legacy", "http modern"):
        assert (phase, "tools/call get_log") in names
    assert "MCP-Protocol-Version header: 2026-07-28" in inspector["http_protocol_versions"]["modern"]


@pytest.mark.timeout(600)
def test_conformance_applicable_scenarios_pass(summary):
    conformance = summary["conformance"]
    scenarios = {scenario["name"]: scenario for scenario in conformance["scenarios"]}
    assert conformance["applicable_failed"] == []
    for name in MUST_PASS:
        assert scenarios[name]["applies"] == "applies" and scenarios[name]["outcome"] == "pass", scenarios[name]
    for scenario in scenarios.values():
        assert scenario["outcome"] != "missing", scenario
        if scenario["applies"] != "applies":
            assert scenario["reason"], scenario
    # The suite's client is the TypeScript SDK 1.x: it speaks the 2025-11-25 era (with sessions).
    assert conformance["protocol_versions"].get("protocolVersion answered: 2025-11-25", 0) > 0
    assert not any("2026-07-28" in key for key in conformance["protocol_versions"])
