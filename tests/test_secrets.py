"""No output, log line or error text of the whole suite contains the configured key, or an unmasked
`sk_`-shaped string. Runs last (see conftest), so it scans what every other test produced; it also
drives the paths most likely to leak (rejected keys, upstream failures, check) itself, so it cannot
pass on an empty record when run alone.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import anyio
import pytest

from conftest import SANDBOX_KEY, SEEN, mcp_client, record_figure

pytestmark = pytest.mark.anyio

LEAKY_KEY = "sk_live_ZZ_leak_canary_4f2a9c1e7b"
# Keys the sandbox itself hands out on purpose (printed by `atoms-logs-mcp sandbox`), and masked forms.
ALLOWED = {"sk_sandbox_local_demo_key", "sk_cli_test_key", "sk_[redacted]"}
SK_SHAPED = re.compile(r"\bsk_[A-Za-z0-9_\-]{6,}")


async def _drive_leaky_paths(sandbox) -> None:
    async with mcp_client(sandbox, api_key=LEAKY_KEY) as client:
        for tool, arguments in [
            ("list_logs", {}),
            ("summarize_logs", {}),
            ("list_agents", {}),
            ("get_log", {"call_id": "CALL-1000000000000-abcdef"}),
            ("search_by_call_ids", {"call_ids": ["CALL-1000000000000-abcdef"]}),
        ]:
            await client.call_tool(tool, arguments)
    sandbox.set_faults(error_rate=1.0)
    async with mcp_client(sandbox, max_attempts=2) as client:
        await client.call_tool("list_logs", {})
    sandbox.set_faults(reset=True)
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SMALLEST_API_KEY": LEAKY_KEY,
        "ATOMS_BASE_URL": sandbox.base_url,
        "ATOMS_LOG_LEVEL": "DEBUG",
    }
    done = await anyio.to_thread.run_sync(
        lambda: subprocess.run(
            [sys.executable, "-m", "atoms_logs_mcp", "check"], env=env, capture_output=True, text=True, timeout=120
        )
    )
    SEEN.extend([done.stdout, done.stderr])
    assert "API key: sk_liv…1e7b" in done.stdout, "check prints the key masked"


def find_leaks(texts: list[str]) -> list[str]:
    leaks = []
    for text in texts:
        for secret in (LEAKY_KEY, SANDBOX_KEY, "ZZ_leak_canary"):
            if secret in text:
                leaks.append(f"{secret!r} in: {text[:200]!r}")
        for match in SK_SHAPED.findall(text):
            if match not in ALLOWED and match not in (LEAKY_KEY, SANDBOX_KEY):
                leaks.append(f"unmasked sk_ string {match!r} in: {text[:200]!r}")
    return leaks


def test_the_scan_finds_what_it_looks_for():
    planted = ["ok", f"Bearer {LEAKY_KEY}", f"key={SANDBOX_KEY}", "other sk_live_abcdef123456", "sk_liv…1e7b"]
    flagged = {leak.split(" in: ")[1] for leak in find_leaks(planted)}
    assert flagged == {repr(text) for text in planted[1:4]}


async def test_no_secret_in_any_output_log_or_error(sandbox):
    await _drive_leaky_paths(sandbox)
    texts = [text for text in SEEN if text]
    leaks = find_leaks(texts)
    record_figure(
        "secrets",
        texts_scanned=len(texts),
        characters_scanned=sum(map(len, texts)),
        leaks=len(leaks),
    )
    assert len(texts) > 20
    assert not leaks, "\n".join(leaks[:20])
