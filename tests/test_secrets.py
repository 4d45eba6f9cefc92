"""No output, log line or error text contains the configured key, or an unmasked `sk_`-shaped string.

Every test checks what it reads where it reads it (conftest: `text_of` and the subprocess helpers call
`assert_no_secret`, and the autouse `log_lines_leak_no_secret` fixture scans each test's log lines), so the scan
needs no record of the whole run and holds in any order and in parallel. This file drives the paths most likely
to leak (a rejected key, upstream failures, `check` at debug level) on purpose, and checks the scan itself.
"""

from __future__ import annotations

import os
import subprocess
import sys

import anyio
import pytest
from mcp.types import TextContent

from conftest import LEAKY_KEY, SANDBOX_KEY, LeakWatch, find_leaks, mcp_client, record_figure

pytestmark = pytest.mark.anyio


async def _answers_on_leaky_paths(sandbox) -> list[str]:
    texts: list[str] = []

    async def ask(client, tool: str, arguments: dict) -> None:
        result = await client.call_tool(tool, arguments)
        texts.extend(block.text for block in result.content if isinstance(block, TextContent))

    async with mcp_client(sandbox, api_key=LEAKY_KEY) as client:
        for tool, arguments in [
            ("list_logs", {}),
            ("summarize_logs", {}),
            ("list_agents", {}),
            ("get_log", {"call_id": "CALL-1000000000000-abcdef"}),
            ("search_by_call_ids", {"call_ids": ["CALL-1000000000000-abcdef"]}),
        ]:
            await ask(client, tool, arguments)
    sandbox.set_faults(error_rate=1.0)
    async with mcp_client(sandbox, max_attempts=2) as client:
        await ask(client, "list_logs", {})
    sandbox.set_faults(reset=True)
    return texts


def _check_at_debug_level(sandbox) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SMALLEST_API_KEY": LEAKY_KEY,
        "ATOMS_BASE_URL": sandbox.base_url,
        "ATOMS_LOG_LEVEL": "DEBUG",
    }
    return subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp", "check"], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_scan_finds_what_it_looks_for():
    planted = ["ok", f"Bearer {LEAKY_KEY}", f"key={SANDBOX_KEY}", "other sk_live_abcdef123456", "sk_liv…1e7b"]
    flagged = {leak.split(" in: ")[1] for leak in find_leaks(planted)}
    assert flagged == {repr(text) for text in planted[1:4]}


async def test_no_secret_on_the_paths_most_likely_to_leak(sandbox, log_lines_leak_no_secret: LeakWatch):
    answers = await _answers_on_leaky_paths(sandbox)
    done = await anyio.to_thread.run_sync(lambda: _check_at_debug_level(sandbox))
    texts = [*answers, done.stdout, done.stderr]
    leaks = find_leaks(texts)
    record_figure(
        "secrets",
        answers_and_outputs_scanned=len(texts),
        log_lines_scanned=log_lines_leak_no_secret.lines,
        characters_scanned=sum(map(len, texts)),
        leaks=len(leaks) + len(log_lines_leak_no_secret.leaks),
    )
    assert "API key: sk_liv…1e7b" in done.stdout, "check prints the key masked"
    assert len(answers) >= 6 and log_lines_leak_no_secret.lines > 20, "the scan read what it should"
    assert not leaks, "\n".join(leaks[:20])
