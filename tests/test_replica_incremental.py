"""After the account changes, one more sync lists only what changed, reads only the changed calls' details, and
the answers include the changes; calls updated, added and deleted while a pass pages are all right after the next
pass. Driven through the sandbox's `POST /_sandbox/calls` over loopback HTTP, with rows that carry `updatedAt` and
rows that do not (the spec's row does not promise it)."""

from __future__ import annotations

import copy
import math
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from atoms_logs_mcp.domain.calls import key_fingerprint
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import GENERATED_END, SANDBOX_KEY, call_text, mcp_client
from replica_support import replica_settings, sync_once
from store_support import select

pytestmark = pytest.mark.anyio

PAGE = 500
CHANGED = 600
WINDOW = {"since": "2026-10-01", "until": "2026-12-01"}


@pytest.fixture(params=[True, False], ids=["rows-with-updatedAt", "rows-without-updatedAt"])
def account(request) -> dict[str, Any]:
    dataset = generate(calls=1500, seed=31, end=GENERATED_END)
    dataset["serveUpdatedAt"] = request.param
    return dataset


@pytest.fixture
def changing(account):
    with SandboxServer(CallStore.from_dataset(copy.deepcopy(account)), api_key=SANDBOX_KEY) as server:
        yield server


def settled_with_analytics(account: dict[str, Any]) -> list[dict[str, Any]]:
    """Finished first attempts whose analytics came: settled whatever their update time."""
    return [
        call
        for call in account["calls"]
        if call["status"] in ("completed", "failed") and not call.get("retryAttemptNumber")
        and (call.get("postCallAnalytics") or {}).get("summary")
    ]  # fmt: skip


def replica_ids(path: Path | str) -> Counter[str]:
    return Counter(
        row[0] for row in select(path, "SELECT call_id FROM call_rows WHERE org = ?", (key_fingerprint(SANDBOX_KEY),))
    )


def requests(server: SandboxServer, route: str) -> int:
    return int(server.stats()["requests"].get(route, 0))


def status_table(text: str) -> dict[str, int]:
    lines = text.splitlines()
    start = lines.index("status | calls | share | examples")
    table = {}
    for line in lines[start + 1 :]:
        if " | " not in line:
            break
        value, calls, *_ = line.split(" | ")
        table[value] = int(calls)
    return table


async def test_one_more_sync_lists_only_what_changed_and_reads_only_changed_details(changing, account, store_location):
    path = store_location
    await sync_once(changing, path)
    changed = [copy.deepcopy(call) for call in settled_with_analytics(account)[:CHANGED]]
    for call in changed:
        call["status"], call["disconnectionReason"] = "failed", "system_error"
        call.pop("updatedAt", None)  # the sandbox stamps them now: newer than every other call
    changing.put_calls(changed)
    changing.reset_stats()

    result = await sync_once(changing, path)

    assert result.rows.changed == CHANGED
    assert requests(changing, "GET /conversation") <= math.ceil(CHANGED / PAGE) + 2
    assert requests(changing, "GET /conversation/{callId}") == CHANGED
    assert changing.stats()["created_at_scans"] == 0
    truth = Counter(call["status"] for call in account["calls"] if not call.get("retryAttemptNumber"))
    for call in settled_with_analytics(account)[:CHANGED]:
        truth[call["status"]] -= 1
        truth["failed"] += 1
    changing.reset_stats()
    async with mcp_client(changing, **replica_settings(changing, path)) as client:
        text = await call_text(client, "summarize_logs", WINDOW)
        reasons = await call_text(client, "analyze_calls", {**WINDOW, "statuses": ["failed"], "aspects": ["errors"]})
    assert status_table(text) == {status: count for status, count in truth.items() if count}
    assert "From the local replica" in text and "From the local replica" in reasons
    # The failed calls whose analytics may still come are read by the investigation itself, and said to be
    # still fetched; every other detail is local.
    fetching = re.search(r"; (\d+) still being fetched", reasons)
    assert requests(changing, "GET /conversation") == 0
    assert requests(changing, "GET /conversation/{callId}") <= (int(fetching.group(1)) if fetching else 0)


async def test_calls_updated_added_and_deleted_while_a_pass_pages_are_right_after_the_next(
    changing, account, store_location
):
    path = store_location
    await sync_once(changing, path, details=False)
    calls = sorted(account["calls"], key=lambda call: call["callId"])
    updated = copy.deepcopy(calls[10])
    updated.pop("updatedAt", None)
    updated["callCost"] = 9.99
    added = copy.deepcopy(calls[20])
    added["callId"] = "CALL-1795000000000-abcdef"
    added.pop("updatedAt", None)
    added.pop("retryCallId", None)
    deleted = calls[30]["callId"]
    # Each lands after the pass has read its first page: the update and the addition go above where it pages,
    # the deletion pulls every row below it up by one.
    changing.put_calls([updated, added], delete=[deleted], after_list_requests=1)

    await sync_once(changing, path, details=False)  # the pass the changes happen under
    await sync_once(changing, path, details=False)  # the next

    kept = replica_ids(path)
    truth = {call["callId"] for call in account["calls"]} - {deleted} | {added["callId"]}
    assert set(kept) == truth and max(kept.values()) == 1
    ((row,),) = select(path, "SELECT row FROM call_rows WHERE call_id = ?", (updated["callId"],))
    assert '"callCost": 9.99' in row


async def test_a_call_deleted_in_a_quiet_account_is_gone_after_the_next_pass(changing, account, store_location):
    path = store_location
    await sync_once(changing, path, details=False)
    gone = account["calls"][-1]["callId"]  # an old call, far below any page a catch-up reads
    changing.delete_calls([gone])
    await sync_once(changing, path, details=False)
    assert gone not in replica_ids(path)
    assert len(replica_ids(path)) == len(account["calls"]) - 1
