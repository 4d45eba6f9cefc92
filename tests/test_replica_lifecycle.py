"""The replica's life: the server syncs it in the background and then answers from it; the first sync reaches
back `sync_since_days` and no further; a file of the previous schema is migrated, not emptied; one process syncs a
store at a time; details are read through 429s; an investigation reads the details it lacks itself;
`store clear` resets the sync; `sync` draws its progress on a terminal only."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys

import anyio
import pytest

from atoms_logs_mcp.api.client import AtomsClient
from atoms_logs_mcp.domain.calls import CallReader, key_fingerprint
from atoms_logs_mcp.domain.clock import clock_from
from atoms_logs_mcp.domain.replica.keeper import ReplicaKeeper, SyncPlan
from atoms_logs_mcp.domain.transcript_search import TextQuery
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore as SandboxStore
from atoms_logs_mcp.store import database
from atoms_logs_mcp.store.call_store import CallStore
from atoms_logs_mcp.sync_command import ProgressLine
from conftest import GENERATED_END, SANDBOX_KEY, call_text, mcp_client, server_env, settings_for
from replica_support import replica_settings, sync_once
from store_support import select

pytestmark = pytest.mark.anyio
WINDOW = {"since": "2026-10-01", "until": "2026-11-20T12:00:00Z"}


async def test_the_server_syncs_in_the_background_then_answers_from_the_replica(sandbox, store_location):
    path = store_location
    async with mcp_client(sandbox, **replica_settings(sandbox, path, sync_interval=0.5)) as client:
        for _ in range(600):
            text = await call_text(client, "summarize_logs", WINDOW)
            if "From the local replica" in text:
                break
            await anyio.sleep(0.2)
    assert "400 calls match; all 400 read." in text


async def test_the_first_sync_reaches_back_as_far_as_asked_and_no_further(store_location):
    dataset = generate(calls=3000, seed=41, end=GENERATED_END)  # 14 days of calls, about 7 pages
    with SandboxServer(SandboxStore.from_dataset(dataset), api_key=SANDBOX_KEY) as server:
        path = store_location
        result = await sync_once(server, path, details=False, sync_since_days=3)
        pages = -(-sum(1 for _ in dataset["calls"]) // 500)
        assert result.rows.requests < pages, "the walk went on past two pages of calls older than the horizon"
        async with mcp_client(server, **replica_settings(server, path, sync_since_days=3)) as client:
            recent = await call_text(client, "summarize_logs", {"since": "2d"})
            older = await call_text(client, "summarize_logs", {"since": "10d"})
    assert "From the local replica" in recent
    assert "From the local replica" not in older and "list request" in older, "10 days back is the API's to answer"


def test_a_store_of_the_previous_schema_is_migrated_with_its_calls(tmp_path):
    path = tmp_path / "calls.sqlite3"
    with sqlite3.connect(path) as old:
        for statement in database.SCHEMA:
            old.execute(statement)
        old.execute("INSERT INTO calls VALUES ('org', 'CALL-1', NULL, 'completed', NULL, NULL, x'00', '{}', 1, 0)")
        old.execute("INSERT INTO turns (org, call_id, idx, role, at, content) VALUES ('org', 'CALL-1', 1, 'user', 0, "
                    "'I want a refund')")  # fmt: skip
        old.execute("PRAGMA user_version = 3")
    store = CallStore.open(path, 10**9)
    assert store.on, store.notice
    assert store.stored_ids("org", ["CALL-1"]) == {"CALL-1"}
    assert [
        turn.content for turn, _ in store.matching_turns("org", ["CALL-1"], TextQuery.parse("refund").indexed())
    ] == ["I want a refund"]
    assert select(path, "PRAGMA user_version")[0][0] == database.SCHEMA_VERSION
    assert select(path, "SELECT count(*) FROM call_rows")[0][0] == 0
    store.close()


async def test_one_process_syncs_a_store_at_a_time(sandbox, store_location):
    path = store_location
    settings = settings_for(sandbox, **replica_settings(sandbox, path))
    stores = [CallStore.open(path, 10**9) for _ in range(2)]
    async with AtomsClient(settings) as client:
        clock = clock_from(settings.now)
        keepers = [
            ReplicaKeeper(CallReader(client, store, wall_clock=clock), SyncPlan(60, 90, 4), clock, enabled=True)
            for store in stores
        ]
        assert keepers[0]._take()  # the first holds the lease, as a running sync does
        assert (await keepers[1].sync()).held_elsewhere
        keepers[0].replica.release_lease(keepers[0].reader.org, keepers[0].holder)
        assert not (await keepers[1].sync()).held_elsewhere
    for store in stores:
        store.close()


async def test_details_are_read_through_rate_limits(live_sandbox, store_location):
    live_sandbox.set_faults(rate_limit_rate=0.3, retry_after=0.05, seed=5)
    try:
        result = await sync_once(live_sandbox, store_location, max_attempts=1)
    finally:
        live_sandbox.set_faults(reset=True)
    assert live_sandbox.stats()["statuses"].get("GET /conversation/{callId} 429", 0) > 0
    assert result.details.failed == 0 and result.details.kept > 0


async def test_an_investigation_reads_the_details_it_lacks_itself(live_sandbox, store_location):
    path = store_location
    await sync_once(live_sandbox, path, details=False)
    live_sandbox.reset_stats()
    async with mcp_client(live_sandbox, **replica_settings(live_sandbox, path)) as client:
        first = await call_text(client, "analyze_calls", {"attempt": "all", "aspects": ["tools"]})
        detail_reads = live_sandbox.stats()["requests"].get("GET /conversation/{callId}", 0)
        again = await call_text(client, "analyze_calls", {"attempt": "all", "aspects": ["tools"]})
    assert "From the local replica" in first and "lookup_order | 9 | 4 |" in first
    assert detail_reads == 60 and live_sandbox.stats()["requests"].get("GET /conversation", 0) == 0
    assert "still being fetched" in first and again.split("## Tools")[1] == first.split("## Tools")[1]


async def test_store_clear_resets_the_sync(sandbox, store_location):
    path = store_location
    await sync_once(sandbox, path, details=False)
    env = {**os.environ, **server_env(sandbox, ATOMS_STORE=str(path))}

    def store(*args: str) -> str:
        run = subprocess.run([sys.executable, "-m", "atoms_logs_mcp", "store", *args], env=env, capture_output=True,
                             text=True, timeout=60)  # fmt: skip
        assert run.returncode == 0, run.stderr
        return run.stdout

    assert "calls in the replica: 447; details local: 0" in store() and "last sync" in store()
    assert "Cleared" in store("clear")
    assert "Calls: 0 in the replica" in store()
    org = key_fingerprint(SANDBOX_KEY)
    assert select(path, "SELECT count(*) FROM sync_state WHERE org = ?", (org,))[0][0] == 0


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


async def test_sync_draws_its_progress_on_a_terminal_only():
    shown, piped = Terminal(), io.StringIO()
    for stream in (shown, piped):
        line = ProgressLine(stream)
        await line.page(3, 1500, 84210)
        await line.batch(200, 1800)
        line.done()
    assert "pages 3 · calls 1500/84210 · details 200 (1800+ queued, about" in shown.getvalue()
    assert "\r" in shown.getvalue() and piped.getvalue() == ""


def test_sync_without_a_key_or_a_store_says_which_setting(tmp_path):
    base = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    for env, wanted in (
        ({}, "SMALLEST_API_KEY"),
        ({"SMALLEST_API_KEY": "sk_test_abcdef1234567890", "ATOMS_STORE": "off"}, "ATOMS_STORE=off"),
    ):
        run = subprocess.run([sys.executable, "-m", "atoms_logs_mcp", "sync"], env={**base, **env},
                             capture_output=True, text=True, timeout=60)  # fmt: skip
        assert run.returncode == 2 and wanted in run.stderr, run.stderr
        assert "sk_test" not in run.stderr + run.stdout


def test_a_missing_store_folder_is_created_private(tmp_path):
    path = tmp_path / "deep" / "calls.sqlite3"
    store = CallStore.open(path, 10**9)
    store.close()
    assert oct(path.stat().st_mode & 0o777) == "0o600" and oct(path.parent.stat().st_mode & 0o777) == "0o700"
