"""An account older than the replica's horizon (`sync_since_days`): old calls updated lately sort above newer ones
in the API's default order, so no page of old calls says the rest are old. From the independent review of the
replica: a walk must neither stop early and claim the window, nor drop the calls below where it stopped; a deleted
call must go; touching an old call must not cost a walk; rows without `updatedAt` must still come out in the
API's order."""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from atoms_logs_mcp.api.models import LogPage
from atoms_logs_mcp.domain.calls import key_fingerprint
from atoms_logs_mcp.domain.replica.sync import PassRunner
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore, record_moment
from conftest import GENERATED_END, SANDBOX_KEY, call_text, mcp_client
from replica_support import replica_settings, sync_once
from store_support import select

pytestmark = pytest.mark.anyio
DAYS = 20
HORIZON = GENERATED_END - timedelta(days=DAYS)


@pytest.fixture(scope="module")
def history() -> dict[str, Any]:
    return generate(calls=4000, seed=5, end=GENERATED_END, days=60)


def served(history: dict[str, Any], updated_at: bool) -> dict[str, Any]:
    dataset = copy.deepcopy(history)
    dataset["serveUpdatedAt"] = updated_at
    return dataset


def kept(path: Path | str) -> set[str]:
    return {
        row[0] for row in select(path, "SELECT call_id FROM call_rows WHERE org = ?", (key_fingerprint(SANDBOX_KEY),))
    }


def recent(history: dict[str, Any]) -> set[str]:
    return {call["callId"] for call in history["calls"] if record_moment(call["createdAt"]) >= HORIZON}


def old_calls(history: dict[str, Any], count: int) -> list[dict[str, Any]]:
    old = [c for c in history["calls"] if record_moment(c["createdAt"]) < HORIZON - timedelta(days=5)][:count]
    return [copy.deepcopy(call) for call in old]


def match_count(text: str) -> int:
    found = re.match(r"(\d+) calls? match", text)
    assert found, text[:300]
    return int(found.group(1))


@pytest.mark.parametrize("updated_at", [True, False], ids=["with-updatedAt", "without-updatedAt"])
async def test_old_calls_touched_lately_neither_hide_nor_drop_recent_ones(history, updated_at, store_location):
    path = store_location
    with SandboxServer(CallStore.from_dataset(served(history, updated_at)), api_key=SANDBOX_KEY) as server:
        touched = old_calls(history, 1100)
        for call in touched:
            call.pop("updatedAt", None)  # stamped now: above every recent call
            call["callCost"] = 1.23
        server.put_calls(touched)
        await sync_once(server, path, details=False, sync_since_days=DAYS)
        assert recent(history) <= kept(path), "the first walk stopped above recent calls"
        await sync_once(server, path, details=False, full=True, sync_since_days=DAYS)
        assert recent(history) <= kept(path), "a full walk dropped recent calls it did not reach"
        async with mcp_client(server, **replica_settings(server, path, sync_since_days=DAYS)) as client:
            from_replica = await call_text(client, "summarize_logs", {"since": "7d"})
        async with mcp_client(server) as client:
            from_api = await call_text(client, "summarize_logs", {"since": "7d"})
    assert "From the local replica" in from_replica
    assert match_count(from_replica) == match_count(from_api)


@pytest.mark.parametrize("updated_at", [True, False], ids=["with-updatedAt", "without-updatedAt"])
async def test_a_recent_call_deleted_is_gone_after_the_next_walk(history, updated_at, store_location):
    path = store_location
    with SandboxServer(CallStore.from_dataset(served(history, updated_at)), api_key=SANDBOX_KEY) as server:
        await sync_once(server, path, details=False, sync_since_days=DAYS)
        victim = sorted(recent(history))[len(recent(history)) // 2]
        server.delete_calls([victim])
        await sync_once(server, path, details=False, sync_since_days=DAYS)
        assert victim not in kept(path)
        assert kept(path) == recent(history) - {victim}


async def test_touching_an_old_call_costs_a_catch_up_not_a_walk(history, store_location):
    path = store_location
    with SandboxServer(CallStore.from_dataset(served(history, False)), api_key=SANDBOX_KEY) as server:
        await sync_once(server, path, details=False, sync_since_days=DAYS)
        for call in old_calls(history, 3):
            call.pop("updatedAt", None)
            call["callCost"] = 2.5
            server.put_calls([call])
            server.reset_stats()
            result = await sync_once(server, path, details=False, sync_since_days=DAYS)
            assert not result.rows.walked and server.stats()["requests"]["GET /conversation"] <= 3


async def test_rows_without_updated_at_come_out_in_the_apis_order(sandbox, generated_dataset, store_location):
    """On the system clock (each page committed a moment after the one before), as a user's sync runs."""
    dataset = served(generated_dataset, False)
    path = store_location
    with SandboxServer(CallStore.from_dataset(dataset), api_key=SANDBOX_KEY) as server:
        await sync_once(server, path, details=False, now=None)
        arguments = {"since": "2026-10-01", "until": "2026-11-21", "limit": 100, "page": 3, "attempt": "all"}
        async with mcp_client(server, **replica_settings(server, path, now=None)) as client:
            from_replica = await call_text(client, "list_logs", arguments)
        async with mcp_client(server, now=None) as client:
            from_api = await call_text(client, "list_logs", arguments)
    ids = [re.findall(r"^(CALL-\S+) \|", text, re.M) for text in (from_replica, from_api)]
    assert len(ids[0]) == 100 and ids[0] == ids[1]


def test_a_page_with_a_row_that_is_not_an_object_is_not_the_last():
    runner = PassRunner(None, None, "org", lambda: 0.0, lambda: True)  # type: ignore[arg-type]
    page = LogPage.model_validate({"logs": [{"callId": f"CALL-{i}"} for i in range(499)] + ["oops"]})
    assert page.unreadable == 1 and runner._full(page)
    assert not runner._full(LogPage.model_validate({"logs": [{"callId": "CALL-1"}]}))
    assert runner._full(LogPage.model_validate({"logs": [], "pagination": {"hasMore": True}}))
