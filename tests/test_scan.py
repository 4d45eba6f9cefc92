"""Reading a whole window: calls that move while it is read are caught or named, and a slow page does not
let the rest of the window pile up in memory."""

from __future__ import annotations

from datetime import UTC, datetime

import anyio
import httpx
import pytest

from atoms_logs_mcp.api.client import AtomsClient
from atoms_logs_mcp.api.query import LogQuery
from atoms_logs_mcp.domain.scan import scan_window
from atoms_logs_mcp.render.summary import coverage
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import SANDBOX_KEY, settings_for

pytestmark = pytest.mark.anyio


@pytest.fixture
def window():
    data = generate(calls=1_200, seed=21, end=datetime(2026, 11, 20, tzinfo=UTC))
    store = CallStore(data["agents"], data["calls"])
    with SandboxServer(store, api_key=SANDBOX_KEY) as server:
        yield server, store


def _touch(store: CallStore, call_id: str) -> None:
    """The call is updated now: under the default sort it jumps to the top of page 1."""
    store.put([{**store.by_id[call_id].record, "updatedAt": "2030-01-01T00:00:00.000Z"}], datetime.now(UTC))


async def test_a_call_that_moves_during_the_scan_is_caught_by_a_second_look(window):
    server, store = window
    seen: list[str] = []
    last_page = store.list_calls({"page": "3", "limit": "500"})["logs"]
    mover = last_page[-1]["callId"]

    async def consume(rows):
        seen.extend(row.call_id for row in rows)
        if len(seen) == 500:  # after page 1: a call on page 3 is updated and moves to the top
            _touch(store, mover)

    async with AtomsClient(settings_for(server)) as client:
        scan = await scan_window(client, LogQuery(), consume, concurrency=1)
    assert scan.total == len(seen) == len(set(seen)) and mover in seen
    assert scan.complete and scan.requests == 4, "three pages and one second look at page 1"


async def test_a_call_that_is_never_seen_is_named_not_hidden(window):
    server, store = window
    seen: list[str] = []
    movers = [row["callId"] for row in store.list_calls({"page": "3", "limit": "500"})["logs"][-3:]]

    async def consume(rows):
        seen.extend(row.call_id for row in rows)
        if len(seen) == 500:
            for call_id in movers:
                _touch(store, call_id)

    class NoSecondLook(httpx.AsyncHTTPTransport):
        """After the third page, page 1 fails: the scan cannot recover the calls that moved."""

        pages = 0

        async def handle_async_request(self, request):
            self.pages += 1
            if self.pages > 3:
                return httpx.Response(503, json={"status": False, "errors": ["down"]}, request=request)
            return await super().handle_async_request(request)

    async with AtomsClient(settings_for(server, max_attempts=1), transport=NoSecondLook()) as client:
        scan = await scan_window(client, LogQuery(), consume, concurrency=1)
    assert scan.missed == 3 and not scan.complete
    assert "INCOMPLETE: 3 calls changed while being read" in coverage(scan)


async def test_a_slow_page_does_not_let_the_rest_pile_up():
    started: list[int] = []
    delivered: list[int] = []

    class SlowPageTwo(httpx.AsyncHTTPTransport):
        async def handle_async_request(self, request):
            page = int(request.url.params["page"])
            started.append(page)
            if page == 2:
                await anyio.sleep(0.5)
            return await super().handle_async_request(request)

    async def consume(rows):
        delivered.append(len(started))

    data = generate(calls=6_000, seed=3, end=datetime(2026, 11, 20, tzinfo=UTC))
    with SandboxServer(CallStore(data["agents"], data["calls"]), api_key=SANDBOX_KEY) as big:
        async with AtomsClient(settings_for(big), transport=SlowPageTwo()) as client:
            scan = await scan_window(client, LogQuery(), consume, concurrency=2)
    assert scan.complete and scan.total == 6_000
    # When page 2 finally arrives, at most 2 x concurrency pages beyond it have been asked for.
    assert delivered[1] <= 2 + 2 * 2


async def test_calls_pushed_past_the_last_page_by_new_calls_are_caught(window):
    """Newest created first (the deep scan's order), a call created during the scan pushes the window's oldest
    call past its last page; the second look reads the page after it, so every call of the window is read."""
    server, store = window
    query = LogQuery(sort_by="created", sort_order="desc")
    pages = {"limit": "400", "sortBy": "createdAt", "sortOrder": "desc"}  # 1,200 calls: three full pages of 400
    original = [row["callId"] for n in (1, 2, 3) for row in store.list_calls({**pages, "page": str(n)})["logs"]]
    assert len(original) == 1200
    seen: list[str] = []

    async def consume(rows):
        seen.extend(row.call_id for row in rows)
        if len(seen) == 400:  # after page 1: a new call arrives at the top
            newest = store.calls[0]
            record = {**newest.record, "callId": "CALL-1900000000000-abcdef", "createdAt": "2030-01-01T00:00:00Z"}
            store.put([record], datetime.now(UTC))

    async with AtomsClient(settings_for(server)) as client:
        scan = await scan_window(client, query, consume, concurrency=1, page_size=400)
    assert sorted(seen) == sorted(original) and scan.complete, "the pushed call is read, the new one is not"
