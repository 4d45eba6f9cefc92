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

from atoms_logs_mcp.domain.transcript_search import TextQuery
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
        detail={"callId": call_id, "padding": os.urandom(6000).hex()},  # does not compress
        digest={"v": 1, "call_id": call_id},
        turns=[(1, "agent", 0.0, text)],
    )


def test_the_least_recently_read_calls_go_first_when_the_store_is_over_its_cap(store_location: str) -> None:
    store = CallStore.open(store_location, max_bytes=10**9)
    store.touch_resolution = 0  # every read is recorded (the default records at most hourly)
    for n in range(30):
        _put(store, f"CALL-{n}")
        time.sleep(0.002)
    store.digests("org", ["CALL-0", "CALL-1"])  # read now: the newest reads
    store.max_bytes = int(store.used_bytes() * 0.6)
    dropped = store.evict()
    kept = set(store.stored_ids("org", [f"CALL-{n}" for n in range(30)]))
    assert 8 <= dropped <= 20 and {"CALL-0", "CALL-1"} <= kept, (dropped, kept)
    assert store.used_bytes() <= store.max_bytes, "the file's used pages are under the cap"
    assert not kept & {"CALL-2", "CALL-3"}, "the oldest unread go first"
    assert store.matching_turns("org", sorted(kept), TextQuery.parse('"hello"').indexed()), "the index finds them"
    store.close()


def test_two_processes_share_one_store(store_location: str) -> None:
    """A second connection (another server process) sees what the first wrote, while the first stays open."""
    path = store_location
    first, second = CallStore.open(path, 10**9), CallStore.open(path, 10**9)
    _put(first, "CALL-shared")
    assert second.stored_ids("org", ["CALL-shared"]) == {"CALL-shared"}
    _put(second, "CALL-other")
    assert first.stored_ids("org", ["CALL-other"]) == {"CALL-other"}
    assert first.on and second.on and first.notice is None
    first.close()
    second.close()


def _store_command(path: Path | str, *args: str) -> str:
    env = {**os.environ, "ATOMS_STORE": str(path)}
    run = subprocess.run(
        [sys.executable, "-m", "atoms_logs_mcp", "store", *args], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    return run.stdout


async def test_the_store_command_shows_and_clears_the_store(
    live_sandbox: SandboxServer, tmp_path: Path, store_location: str
) -> None:
    server_store = store_location.startswith("postgresql://")
    path = store_location if server_store else tmp_path / "store" / "calls.sqlite3"
    assert "Not created yet" in _store_command(path) or server_store
    async with mcp_client(live_sandbox, store=str(path)) as client:
        await call_text(client, "analyze_calls", {"attempt": "all", "aspects": ["tools"]})
    shown = _store_command(path)
    assert f"Call store: {path}" in shown and "Calls: 0 in the replica; details local: 54" in shown, shown
    assert "sk_" not in shown and "(a fingerprint of its API key):" in shown
    assert "calls in the replica: 0; details local: 54 (" in shown and "never synced" in shown
    assert "Cleared" in _store_command(path, "clear")
    assert "Calls: 0" in _store_command(path)
    if isinstance(path, str):
        return
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


async def test_redaction_applies_to_what_is_shown_whatever_is_stored(
    sandbox: SandboxServer, store_location: str
) -> None:
    """Calls stored without redaction are shown masked once ATOMS_REDACT=phone is on, and a masked number
    is not found by searching for its hidden digits."""
    path = store_location
    window = {"agents": ["Support"], "since": "2026-11-13", "until": "2026-11-19"}
    async with mcp_client(sandbox, store=path) as client:
        plain = await call_text(client, "search_transcripts", {"text": '"415 555"', **window})
    assert "+1 415 555 0199" in plain
    call_id = plain.split(" | ")[0].splitlines()[-1]
    async with mcp_client(sandbox, store=path, redact_phones=True) as client:
        hidden = await call_text(client, "search_transcripts", {"text": '"415 555"', **window})
        shown = await call_text(client, "search_transcripts", {"text": "0199", **window})
        detail = await call_text(client, "get_log", {"call_id": call_id, "include": ["transcript"]})
    assert "0 calls of" in hidden and " 0 from the API" in hidden, "all from the store, none matching"
    assert "0199" in shown and "415 555" not in shown
    assert "0199" in detail and "415 555" not in detail


async def test_a_capped_scan_says_what_it_did_not_cover_and_the_until_that_continues_it(
    live_sandbox: SandboxServer,
) -> None:
    import re

    async with mcp_client(live_sandbox) as client:
        first = await call_text(client, "analyze_calls", {"attempt": "all", "max_calls": 20, "aspects": ["errors"]})
        assert "Read 20 calls of 60 matching" in first and "NOT COVERED: the 40 oldest matching calls" in first
        until = re.search(r"call again with until=(\S+) ", first)
        assert until
        rest = await call_text(
            client, "analyze_calls", {"attempt": "all", "until": until.group(1), "aspects": ["errors"]}
        )
    assert "Read 40 calls of 40 matching" in rest and "NOT COVERED" not in rest


def test_a_newer_or_foreign_database_is_left_alone(tmp_path: Path) -> None:
    import sqlite3

    newer, foreign = tmp_path / "newer.sqlite3", tmp_path / "foreign.sqlite3"
    with sqlite3.connect(newer) as db:
        db.execute("PRAGMA user_version = 99")
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE invoices (id INTEGER)")
    before = newer.read_bytes(), foreign.read_bytes()
    for path, why in ((newer, "a newer atoms-logs-mcp"), (foreign, "something else")):
        store = CallStore.open(path, 10**9)
        assert not store.on and store.notice and why in store.notice, store.notice
        assert store.digests("org", ["CALL-1"]) == {}, "a store of nothing"
    assert (newer.read_bytes(), foreign.read_bytes()) == before


def test_store_clear_leaves_a_store_in_use_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any) -> None:
    import sqlite3

    from atoms_logs_mcp.store import database
    from atoms_logs_mcp.store_command import run_store_command

    path = tmp_path / "calls.sqlite3"
    _put(CallStore.open(path, 10**9), "CALL-kept")
    monkeypatch.setenv("ATOMS_STORE", str(path))
    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 100)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process in the middle of a write that does not end
    try:
        assert run_store_command("clear") == 1
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "Not cleared" in capsys.readouterr().err
    assert CallStore.open(path, 10**9).stored_ids("org", ["CALL-kept"]) == {"CALL-kept"}
