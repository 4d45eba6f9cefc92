"""The call store's promises beyond the answer key: eviction, sharing, the `store` command, rate limits,
progress and both protocol eras for the investigations."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.store.call_store import CallStore
from conftest import PROTOCOL_MODES, call_text, mcp_client

pytestmark = pytest.mark.anyio


def _put(store: CallStore, call_id: str, text: str = "hello there") -> None:
    store.put(
        "org",
        call_id,
        created=None,
        status="completed",
        detail={"callId": call_id, "padding": "x" * 4000},
        digest={"v": 1, "call_id": call_id},
        turns=[(1, "agent", 0.0, text)],
    )


def test_the_least_recently_read_calls_go_first_when_the_store_is_over_its_cap(tmp_path: Path) -> None:
    store = CallStore.open(tmp_path / "calls.sqlite3", max_bytes=10**9)
    store.touch_resolution = 0  # every read is recorded (the default records at most hourly)
    for n in range(10):
        _put(store, f"CALL-{n}")
        time.sleep(0.002)
    store.digests("org", ["CALL-0", "CALL-1"])  # read now: the newest reads
    size = sum(u.bytes for u in store.usage())
    store.max_bytes = size // 2
    dropped = store.evict()
    kept = set(store.stored_ids("org", [f"CALL-{n}" for n in range(10)]))
    assert dropped >= 5 and {"CALL-0", "CALL-1"} <= kept, "the two calls just read stay"
    assert sum(u.bytes for u in store.usage()) <= store.max_bytes
    assert not kept & {"CALL-2", "CALL-3"}, "the oldest unread go first"
    assert store.matching_turns("org", sorted(kept), '"hello"'), "the index still finds what is kept"


def test_two_processes_share_one_store(tmp_path: Path) -> None:
    """A second connection (another server process) sees what the first wrote, while the first stays open."""
    path = tmp_path / "calls.sqlite3"
    first, second = CallStore.open(path, 10**9), CallStore.open(path, 10**9)
    _put(first, "CALL-shared")
    assert second.stored_ids("org", ["CALL-shared"]) == {"CALL-shared"}
    _put(second, "CALL-other")
    assert first.stored_ids("org", ["CALL-other"]) == {"CALL-other"}
    assert first.on and second.on and first.notice is None


def _store_command(path: Path, *args: str) -> str:
    env = {**os.environ, "ATOMS_STORE": str(path)}
    run = subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp", "store", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


async def test_the_store_command_shows_and_clears_the_store(live_sandbox: SandboxServer, tmp_path: Path) -> None:
    path = tmp_path / "store" / "calls.sqlite3"
    assert "Not created yet" in _store_command(path)
    async with mcp_client(live_sandbox, store=str(path)) as client:
        await call_text(client, "analyze_calls", {"attempt": "all", "aspects": ["tools"]})
    shown = _store_command(path)
    assert f"Call store: {path}" in shown and "Calls: 54" in shown, shown
    assert "sk_" not in shown and "(a fingerprint of its API key): 54 calls" in shown
    assert "Cleared" in _store_command(path, "clear")
    assert "Calls: 0" in _store_command(path)
    path.write_bytes(b"garbage" * 100)
    assert "Cleared" in _store_command(path, "clear") and not path.exists(), "a file it cannot open is deleted"


async def test_a_rate_limited_scan_slows_down_and_reads_every_call(live_sandbox: SandboxServer) -> None:
    """The API answers 429 to a third of requests; the client's own retries are cut to two attempts, so some
    429s reach the scan, which waits, halves its pace and goes on instead of failing."""
    live_sandbox.set_faults(rate_limit_rate=0.35, retry_after=0.05, seed=3)
    async with mcp_client(live_sandbox, max_attempts=2) as client:
        text = await call_text(client, "analyze_calls", {"attempt": "all", "aspects": ["tools"]})
    live_sandbox.set_faults(reset=True)
    assert "Read 60 calls of 60 matching" in text
    assert "slowed down" in text and "could not be opened" not in text
    assert "lookup_order | 9 | 4 |" in text


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_investigations_answer_in_both_eras_with_progress(live_sandbox: SandboxServer, mode: str) -> None:
    seen: list[tuple[float, Any]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        seen.append((progress, total))

    async with mcp_client(live_sandbox, mode=mode) as client:
        result = await client.call_tool("analyze_calls", {"attempt": "all"}, progress_callback=on_progress)
        assert not result.is_error
        assert "later" in await call_text(client, "search_transcripts", {"text": "later", "attempt": "all"})
        compared = await call_text(
            client, "compare_calls", {"baseline": {"since": "60d"}, "candidate": {"since": "7d"}}
        )
        assert "calls |" in compared
    assert seen and seen[-1] == (60, 60), seen[-3:]
    assert [p for p, _ in seen] == sorted(p for p, _ in seen), "progress only goes up"
