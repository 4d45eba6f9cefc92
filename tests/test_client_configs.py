"""Every client configuration shown to users, tried: read from the README (Claude Code, Cursor, VS Code) and
docs/ (RUNNING.md: Claude Desktop from a Python environment of one's own), filled in, and started exactly as that
client would start it. Claude Code is the real CLI, installed from the npm registry."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters

from conftest import SANDBOX_KEY, assert_no_secret, call_text

pytestmark = pytest.mark.anyio

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(r"<!-- client-config: ([\w-]+) -->\n```\w+\n(.*?)\n```", re.DOTALL)
CLAUDE_CODE = "@anthropic-ai/claude-code@2.1.197"
CLAUDE_PREFIX = ROOT / "build" / "claude-code"


PAGES = (ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")))
EVERY_CLIENT = {"claude-desktop-pip", "claude-desktop-uvx", "claude-code", "cursor", "vscode"}


def blocks(page: Path) -> dict[str, str]:
    return dict(BLOCK.findall(page.read_text(encoding="utf-8")))


def configs() -> dict[str, str]:
    found = [blocks(page) for page in PAGES]
    merged = {name: text for page in found for name, text in page.items()}
    assert sum(map(len, found)) == len(merged), "a client's block is shown on two pages"
    return merged


def _fill(text: str) -> str:
    script = Path(sys.executable).parent / "atoms-logs-mcp"
    return (
        text.replace("/path/to/.venv/bin/atoms-logs-mcp", str(script))
        .replace("/path/to/atoms-logs-mcp", str(ROOT))
        .replace("sk_...", SANDBOX_KEY)
    )


def test_every_client_has_its_block_and_the_readme_has_the_ides():
    assert set(configs()) == EVERY_CLIENT
    assert set(blocks(ROOT / "README.md")) == {"claude-code", "cursor", "vscode"}


@pytest.mark.parametrize(
    "name",
    # uvx downloads the package and its dependencies from the index: a heavy test, run by .ci/run's second step
    ["claude-desktop-pip", pytest.param("claude-desktop-uvx", marks=pytest.mark.heavy), "cursor", "vscode"],
)
async def test_json_configs_start_the_server(name, sandbox, tmp_path):
    config = json.loads(_fill(configs()[name]))
    entry = (config.get("mcpServers") or config["servers"])["atoms-logs"]
    env = dict(entry.get("env", {}))
    if name == "vscode":
        (field,) = config["inputs"]
        assert field["password"] is True, "VS Code asks for the key as a password"
        env = {k: v.replace("${input:" + field["id"] + "}", SANDBOX_KEY) for k, v in env.items()}
    assert env["SMALLEST_API_KEY"] == SANDBOX_KEY
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    if name == "claude-desktop-uvx":
        # uv fetches from the package index the way this machine is set up to (certificates, proxies, mirrors).
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("ATOMS_", "SMALLEST_"))}, **env}
        env["UV_CACHE_DIR"] = str(ROOT / "build" / "uv-cache")
    env.update({"ATOMS_BASE_URL": sandbox.base_url, "PATH": path, "HOME": str(tmp_path)})
    command = shutil.which(entry["command"], path=path) or entry["command"]
    params = StdioServerParameters(command=command, args=entry.get("args", []), env=env)
    with anyio.fail_after(180):
        async with Client(params) as client:
            text = await call_text(client, "list_logs", {"limit": 1})
    assert "Showing calls 1-1" in text


def _claude() -> Path:
    binary = CLAUDE_PREFIX / "node_modules" / ".bin" / "claude"
    if binary.exists():
        return binary
    if shutil.which("npm") is None:
        if os.environ.get("REAL_CLIENTS_REQUIRED"):
            pytest.fail("npm is missing, and REAL_CLIENTS_REQUIRED is set")
        pytest.skip("npm is not installed: Claude Code cannot be installed to try its configuration")
    CLAUDE_PREFIX.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--prefix", str(CLAUDE_PREFIX), "--no-audit", "--no-fund", CLAUDE_CODE],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return binary


@pytest.mark.heavy
async def test_claude_code_adds_and_connects(sandbox, tmp_path):
    claude = await anyio.to_thread.run_sync(_claude)
    line = _fill(configs()["claude-code"]).strip()
    assert line.startswith("claude mcp add atoms-logs ")
    # The shown command, with the sandbox's address added so the health check reaches it.
    arguments = line.split()[1:]
    arguments[arguments.index("--") : arguments.index("--")] = ["-e", f"ATOMS_BASE_URL={sandbox.base_url}"]
    project = tmp_path / "project"
    project.mkdir()
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "DISABLE_AUTOUPDATER": "1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(claude), *args], cwd=project, env=env, capture_output=True, text=True, timeout=120)

    added = await anyio.to_thread.run_sync(lambda: run(*arguments))
    listed = await anyio.to_thread.run_sync(lambda: run("mcp", "list"))
    assert added.returncode == 0, added.stderr
    assert "atoms-logs" in listed.stdout and "Connected" in listed.stdout, listed.stdout + listed.stderr
    assert_no_secret(listed.stdout.replace(SANDBOX_KEY, "<key>"))  # `claude mcp` may print env values; ours never
