"""A large account: date filters and the order by creation answer 504 (the sandbox's `--large-account`), so only
the replica can answer a question about every call. After `sync` (which never asks for a createdAt scan), the
summary, a transcript search and the analysis of every call give the dataset's exact counts with no detail request
and no list request, and say they read every call.

The account is the live-shaped dataset (made by someone else from NOTES and the spec, with its answer key) copied
many times under new call ids, so every expected count is the key's times the number of copies. Only its finished
calls are copied: a call in progress has no final detail to keep, and is read from the API when asked about.
"""

from __future__ import annotations

import copy
import json
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import pytest

from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import SANDBOX_KEY, call_text, mcp_client
from replica_support import replica_settings, sync_once

pytestmark = pytest.mark.anyio

FINAL = ("completed", "failed", "no_answer", "cancelled")
CALL_ID = re.compile(r"CALL-(\d{13})-[0-9a-f]{6}")
NOW = datetime(2026, 11, 22, tzinfo=UTC)
"""A day after the dataset's last call: every finished call has settled."""
WINDOW = {"since": "2026-10-01", "until": "2026-11-22", "attempt": "all"}
WORD = "colleague"


def copied(dataset: dict[str, Any], copies: int) -> dict[str, Any]:
    """The dataset's finished calls `copies` times, each copy's call ids (and the ids that point at them) new."""
    finished = [call for call in dataset["calls"] if call.get("status") in FINAL]
    text = json.dumps(finished)
    calls = []
    for number in range(copies):
        renamed = CALL_ID.sub(lambda found, n=number: f"CALL-{found.group(1)}-{n:06x}", text)
        calls += json.loads(renamed)
    return {**copy.deepcopy({k: v for k, v in dataset.items() if k != "calls"}), "calls": calls}


def said(call: dict[str, Any], word: str) -> bool:
    turns = call.get("transcript") if isinstance(call.get("transcript"), list) else []
    return any(isinstance(t, dict) and word in str(t.get("content") or "").lower() for t in turns)


@pytest.fixture(
    params=[
        pytest.param(40, id="2160-calls"),
        pytest.param(390, id="21060-calls", marks=[pytest.mark.heavy, pytest.mark.timeout(1200)]),
    ]
)
def large(request, live_dataset):
    copies = request.param
    dataset = copied(live_dataset, copies)
    # At 2,160 calls a createdAt scan must outlast the gateway too: 20 s per 1,000 calls.
    tuning = {} if copies > 100 else {"ms_per_1000_calls": 20_000.0}
    with SandboxServer(CallStore.from_dataset(dataset), api_key=SANDBOX_KEY, large_account=True) as server:
        server.set_large_account(True, **tuning)
        yield server, dataset, copies


async def test_a_large_account_is_answered_whole_from_the_replica(large, live_expected, store_location):
    server, dataset, copies = large
    path = store_location
    async with mcp_client(server, now=NOW) as client:  # before any sync: the API cannot scan the window
        refused = await client.call_tool("summarize_logs", WINDOW)
    assert refused.is_error and "could not scan that window" in refused.content[0].text
    assert "atoms-logs-mcp sync" in refused.content[0].text
    server.reset_stats()

    await sync_once(server, path, now=NOW)
    assert server.stats()["created_at_scans"] == 0
    server.reset_stats()

    async with mcp_client(server, now=NOW, **replica_settings(server, path)) as client:
        summary = await call_text(client, "summarize_logs", {**WINDOW, "group_by": ["status"]})
        found = await call_text(client, "search_transcripts", {**WINDOW, "text": WORD})
        analysed = await call_text(client, "analyze_calls", {**WINDOW, "aspects": ["tools"]})
    assert server.stats()["requests"].get("GET /conversation/{callId}", 0) == 0
    assert server.stats()["requests"].get("GET /conversation", 0) <= 1
    total = len(dataset["calls"])

    statuses = {s: n * copies for s, n in live_expected["calls_by_status"].items() if s in FINAL}
    assert f"{total} calls match; all {total} read." in summary
    for status, count in statuses.items():
        assert re.search(rf"^{status} \| {count} \|", summary, re.M), (status, summary)

    speaking = sum(1 for call in dataset["calls"] if said(call, WORD))
    assert f"{speaking} calls of {total} read match {WORD}" in found, found[:500]
    assert f"Read {total} calls of {total} matching: {total} from the local store" in found

    tools: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for call_id, key in live_expected.items():
        if call_id.startswith("CALL-") and key["status"] in FINAL:
            for tool in key["tool_calls"]:
                tools[tool["function_name"]] += copies
                failed[tool["function_name"]] += copies * (tool["outcome"] == "failed")
    for name, calls in tools.items():
        row = re.search(rf"^{name} \| (\d+) \| (\d+) \|", analysed, re.M)
        assert row and [int(v) for v in row.groups()] == [calls, failed[name]], (name, analysed[:2000])
    for text in (summary, found, analysed):
        assert "From the local replica: " in text
