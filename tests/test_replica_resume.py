"""A sync killed at any point resumes where it stopped and loses nothing.

`atoms-logs-mcp sync` runs as a real process against the sandbox over loopback HTTP and is killed (SIGKILL, no
cleanup) at five points: in the middle of the first walk of the list, at its end, and while the details are
fetched. Run again, it must finish with every call of the account in the replica once, every finished call's
detail local, and the walk resumed at its page rather than started over.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from atoms_logs_mcp.domain.calls import key_fingerprint
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import GENERATED_END, SANDBOX_KEY, server_env
from store_support import select

CALLS = 1800
PAGE = 500
KILL_POINTS = [
    ("GET /conversation", 2),  # in the middle of the first walk
    ("GET /conversation", 4),
    ("GET /conversation", 5),  # at the walk's last page or its catch-up
    ("GET /conversation/{callId}", 40),  # while details are fetched
    ("GET /conversation/{callId}", 900),
]


@pytest.fixture(scope="module")
def account() -> dict[str, Any]:
    return generate(calls=CALLS, seed=23, end=GENERATED_END)


@pytest.fixture
def slow_sandbox(account):
    """A sandbox of its own (its counters are read while the sync runs), each request a little late so that a kill
    lands where it is aimed."""
    with SandboxServer(CallStore.from_dataset(account), api_key=SANDBOX_KEY) as server:
        server.set_faults(latency_ms=15)
        yield server


def sync_process(sandbox: SandboxServer, store: Path | str) -> subprocess.Popen[bytes]:
    env = server_env(sandbox, ATOMS_STORE=str(store), ATOMS_SYNC="on", ATOMS_CONCURRENCY="4")
    command = [sys.executable, "-m", "atoms_logs_mcp", "sync"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def kill_at(process: subprocess.Popen[bytes], sandbox: SandboxServer, route: str, count: int) -> None:
    deadline = time.monotonic() + 120
    while sandbox.stats()["requests"].get(route, 0) < count:
        assert process.poll() is None, f"sync ended before {count} {route}: {process.communicate()}"
        assert time.monotonic() < deadline, "the sync never got there"
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=10)


def replica_of(store: Path | str) -> tuple[list[str], set[str]]:
    """(call ids of the replica's rows, ids of the finished calls whose detail is local for the row as it is)."""
    org = key_fingerprint(SANDBOX_KEY)
    ids = [row[0] for row in select(store, "SELECT call_id FROM call_rows WHERE org = ?", (org,))]
    local = {
        row[0]
        for row in select(
            store,
            "SELECT r.call_id FROM call_rows r JOIN calls c ON c.org = r.org AND c.call_id = r.call_id "
            "AND c.fingerprint = r.fingerprint WHERE r.org = ?",
            (org,),
        )
    }
    return ids, local


def settled_calls(account: dict[str, Any]) -> set[str]:
    """Finished calls whose post-call analytics came, or that ended over an hour before now: their detail is kept
    (a call whose analytics may still come is read again later)."""
    hour_ago = GENERATED_END - timedelta(hours=1)
    return {
        call["callId"]
        for call in account["calls"]
        if call["status"] in ("completed", "failed", "no_answer", "cancelled")
        and (
            (call.get("postCallAnalytics") or {}).get("summary")
            or datetime.fromisoformat(call["updatedAt"].replace("Z", "+00:00")) < hour_ago
        )
    }


@pytest.mark.parametrize(("route", "count"), KILL_POINTS)
def test_a_killed_sync_resumes_without_a_lost_or_duplicated_call(slow_sandbox, account, store_location, route, count):
    store = store_location
    kill_at(sync_process(slow_sandbox, store), slow_sandbox, route, count)
    listed_before = slow_sandbox.stats()["requests"].get("GET /conversation", 0)
    slow_sandbox.reset_stats()
    finished = sync_process(slow_sandbox, store)
    out, err = finished.communicate(timeout=300)
    assert finished.returncode == 0, err.decode()
    ids, local = replica_of(store)
    every = {call["callId"] for call in account["calls"]}
    assert set(ids) == every, "a call lost, or one kept that the account does not have"
    final = settled_calls(account)
    assert final <= local, f"{len(final - local)} finished calls have no detail after the resumed sync"
    pages = -(-len(every) // PAGE)
    listed_after = slow_sandbox.stats()["requests"].get("GET /conversation", 0)
    if route == "GET /conversation":  # the walk went on from its page: the pages left, and the catch-up's two
        assert listed_after <= pages - (listed_before - 1) + 2 + 1, out.decode()
    else:  # the rows were all in: one catch-up page, then only the details not yet read
        assert listed_after <= 2, out.decode()
        assert slow_sandbox.stats()["requests"].get("GET /conversation/{callId}", 0) < len(final)
