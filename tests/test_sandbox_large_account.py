"""The sandbox as a large account that changes while a client reads it (issue 25, item 5), over loopback HTTP.

- Large-account mode: `sortBy=createdAt`, `dateFrom` and `dateTo` are slow in proportion to the account's size and
  answer the gateway's 504 past its timeout; the default order stays fast; `created_at_scans` counts them.
- `POST`/`DELETE /_sandbox/calls`, at once or after K more list pages: pages, details, searches and retry families
  follow; a call put without `updatedAt` is newer than every stored call.
- List rows carry `updatedAt` only when served (`serveUpdatedAt: false`, `--no-updated-at`: the spec's row), and the
  default order is by the update time either way.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.large_account import LargeAccount
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import SANDBOX_KEY

AUTH = {"Authorization": f"Bearer {SANDBOX_KEY}"}
START = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
AGENT = "a" * 24


def _at(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _call(index: int, *, updated: bool = True, **fields: Any) -> dict[str, Any]:
    """Call `index`: created `index` minutes after START, updated in another order (the reverse, an hour on)."""
    created = START + timedelta(minutes=index)
    record: dict[str, Any] = {
        "_id": f"{index:024x}",
        "callId": f"CALL-{int(created.timestamp() * 1000)}-{index:06x}",
        "agentId": AGENT,
        "status": "completed",
        "type": "webcall",
        "duration": 30 + index,
        "createdAt": _at(created),
        "retryAttemptNumber": 0,
        "transcript": [{"role": "agent", "content": f"hello {index}"}],
    }
    if updated:
        record["updatedAt"] = _at(START + timedelta(hours=3, minutes=-index))
    return {**record, **fields}


def _dataset(count: int = 40, **flags: Any) -> dict[str, Any]:
    return {"agents": [{"_id": AGENT, "name": "Support"}], "calls": [_call(i) for i in range(count)], **flags}


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with SandboxServer(CallStore.from_dataset(_dataset()), api_key=SANDBOX_KEY) as running:
        yield running


@pytest.fixture
def api(server: SandboxServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.base_url, headers=AUTH, timeout=30) as client:
        yield client


def _page(api: httpx.Client, **params: Any) -> dict[str, Any]:
    answer = api.get("/conversation", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()["data"]  # type: ignore[no-any-return]


def _ids(data: dict[str, Any]) -> list[str]:
    return [row["callId"] for row in data["logs"]]


def _timed(api: httpx.Client, **params: Any) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    answer = api.get("/conversation", params=params)
    return answer, time.perf_counter() - started


# Large account ------------------------------------------------------------------------------------------------

CREATED_AT_SCANS = [
    {"sortBy": "createdAt"},
    {"sortBy": "createdAt", "sortOrder": "asc"},
    {"dateFrom": "2026-05-01T00:00:00Z"},
    {"dateTo": "2026-06-01T00:00:00Z"},
    {"sortBy": "callDuration", "dateFrom": "2026-05-01T00:00:00Z", "dateTo": "2026-06-01T00:00:00Z"},
]


def test_created_at_scans_answer_the_gateway_504_on_a_large_account(server, api):
    # 40 calls at 100 s per 1,000 calls: 4 s, past a 1 s gateway.
    settings = server.set_large_account(ms_per_1000_calls=100_000, gateway_timeout_s=1, timeout_wait_s=0)
    assert settings == {"on": True, "ms_per_1000_calls": 100_000, "gateway_timeout_s": 1, "timeout_wait_s": 0}
    for params in CREATED_AT_SCANS:
        answer = api.get("/conversation", params={"limit": 5, **params})
        assert answer.status_code == 504, params
        assert answer.json() == {"message": "Endpoint request timed out"}
    for params in ({}, {"sortBy": "updatedAt"}, {"sortBy": "callDuration", "sortOrder": "asc"}, {"page": 3}):
        assert api.get("/conversation", params=params).status_code == 200, params
    stats = server.stats()
    assert stats["created_at_scans"] == len(CREATED_AT_SCANS)
    assert stats["statuses"]["GET /conversation 504"] == len(CREATED_AT_SCANS)
    server.reset_stats()
    assert server.stats()["created_at_scans"] == 0


def test_a_created_at_scan_takes_time_in_proportion_to_the_account_not_the_page(server, api):
    server.set_large_account(ms_per_1000_calls=10_000, gateway_timeout_s=29)  # 40 calls: 0.4 s
    answer, took = _timed(api, sortBy="createdAt", limit=1)
    assert answer.status_code == 200 and took >= 0.4
    assert _ids(answer.json()["data"]) == [_call(39)["callId"]]
    server.put_calls([_call(i) for i in range(40, 80)])  # 80 calls: 0.8 s
    answer, took = _timed(api, dateFrom="2026-05-01T00:00:00Z", limit=1)
    assert answer.status_code == 200 and took >= 0.8
    _, fast = _timed(api, limit=500)
    assert fast < 0.4, "the default order is index-backed: never delayed"
    server.set_large_account(on=False)
    _, took = _timed(api, sortBy="createdAt")
    assert took < 0.4
    assert server.stats()["created_at_scans"] == 3, "counted whether the mode is on or off"


def test_the_large_account_defaults_time_out_at_twenty_thousand_calls():
    mode = LargeAccount(on=True)
    assert mode.wait(20_000) == (mode.timeout_wait_s, True) and mode.timeout_wait_s <= 1
    assert mode.gateway_timeout_s == 29 and mode.scan_seconds(20_000) >= 1.3 * mode.gateway_timeout_s
    assert mode.wait(1_000) == (2.0, False)


def test_the_large_account_control_refuses_odd_settings(server):
    with httpx.Client(base_url=server.root_url, timeout=10) as control:
        for body in ({"on": "yes"}, {"gateway_timeout_s": -1}, {"speed": 1}, ["on"]):
            assert control.post("/_sandbox/large-account", json=body).status_code == 400, body
        assert control.get("/_sandbox/large-account").json()["on"] is False


def test_a_large_account_from_the_constructor():
    mode = LargeAccount(on=True, ms_per_1000_calls=100_000, gateway_timeout_s=1, timeout_wait_s=0)
    with SandboxServer(CallStore.from_dataset(_dataset()), api_key=SANDBOX_KEY, large_account=mode) as big:
        answer = httpx.get(f"{big.base_url}/conversation", params={"sortBy": "createdAt"}, headers=AUTH)
        assert answer.status_code == 504
        assert httpx.get(f"{big.base_url}/conversation", headers=AUTH).status_code == 200


# Changes while it runs ----------------------------------------------------------------------------------------


def _newest_update(api: httpx.Client) -> str:
    return max(row["updatedAt"] for row in _page(api, limit=500, callAttemptFilter="all")["logs"])


def test_put_calls_adds_and_replaces_and_each_is_updated_after_every_stored_call(server, api):
    before = _newest_update(api)
    new = _call(100, updated=False, status="failed")
    changed = {**_call(5, updated=False), "status": "no_answer", "duration": 0}
    done = server.put_calls([new, changed])
    assert done == {"added": 1, "replaced": 1, "deleted": 0, "calls": 41}
    rows = _page(api, limit=3)["logs"]
    assert [row["callId"] for row in rows[:2]] == [changed["callId"], new["callId"]], "newest update first"
    assert rows[1]["updatedAt"] > before and rows[0]["updatedAt"] > rows[1]["updatedAt"]
    assert rows[0]["status"] == "no_answer" and rows[0]["duration"] == 0
    assert _page(api, limit=1)["pagination"]["total"] == 41
    assert api.get(f"/conversation/{new['callId']}").json()["data"]["status"] == "failed"
    found = api.post("/conversation/search", json={"callIds": [changed["callId"]]}).json()["data"]["logs"]
    assert [row["status"] for row in found] == ["no_answer"]
    assert _page(api, statusFilter="no_answer")["pagination"]["total"] == 1


def test_a_call_put_with_its_own_update_time_keeps_it(server, api):
    old = _call(101, updatedAt="2026-01-01T00:00:00.000Z")
    server.put_calls([old])
    last = _page(api, limit=500)["logs"][-1]
    assert last["callId"] == old["callId"] and last["updatedAt"] == "2026-01-01T00:00:00.000Z"


def test_delete_calls_takes_them_out_of_every_answer(server, api):
    gone = [_call(0)["callId"], _call(39)["callId"]]
    assert server.delete_calls(gone) == {"added": 0, "replaced": 0, "deleted": 2, "calls": 38}
    data = _page(api, limit=500)
    assert data["pagination"]["total"] == 38 and not set(gone) & set(_ids(data))
    assert api.get(f"/conversation/{gone[0]}").status_code == 404
    assert api.post("/conversation/search", json={"callIds": gone}).json()["data"]["total"] == 0


def test_retry_families_follow_the_changes(server, api):
    parent = _call(7, updated=False)
    retry = _call(200, updated=False, retryAttemptNumber=1, status="completed")
    server.put_calls([{**parent, "retryCallId": retry["callId"]}, retry])
    family = api.get(f"/conversation/{retry['callId']}/retries").json()["data"]["retries"]
    assert [row["callId"] for row in family] == [parent["callId"], retry["callId"]]
    assert retry["callId"] not in _ids(_page(api, limit=500)), "a retry is not a first attempt"
    assert retry["callId"] in _ids(_page(api, limit=500, callAttemptFilter="retry"))
    server.delete_calls([retry["callId"]])
    family = api.get(f"/conversation/{parent['callId']}/retries").json()["data"]["retries"]
    assert [row["callId"] for row in family] == [parent["callId"]]


def test_a_change_scheduled_after_k_pages_applies_just_after_the_kth(server, api):
    added, deleted = _call(300, updated=False), _call(20)["callId"]
    assert server.put_calls([added], delete=[deleted], after_list_requests=2) == {"pending": 1, "calls": 40}
    first = _page(api, limit=10)
    assert api.get("/conversation", params={"limit": "x"}).status_code == 400, "not a page: not counted"
    assert api.get(f"/conversation/{deleted}").status_code == 200, "only list pages count"
    second = _page(api, limit=10, page=2)
    assert server.calls_state() == {"calls": 40, "pending": 0}
    third = _page(api, limit=10, page=1)
    assert added["callId"] not in _ids(first) + _ids(second) and first["pagination"]["total"] == 40
    assert _ids(third)[0] == added["callId"] and third["pagination"]["total"] == 40
    assert deleted not in _ids(_page(api, limit=500))


def test_a_scheduled_delete_pulls_rows_up_mid_paging(server, api):
    first = _page(api, limit=10)
    server.delete_calls(_ids(first)[:3], after_list_requests=1)
    second = _page(api, limit=10, page=2)  # answered before the delete
    third = _page(api, limit=10, page=3)
    assert second["pagination"]["total"] == 40 and third["pagination"]["total"] == 37
    assert _ids(third)[0] == _ids(_page(api, limit=40))[20], "rows moved up by three"


def test_the_calls_control_refuses_odd_bodies(server):
    with httpx.Client(base_url=server.root_url, timeout=10) as control:
        for body in ({"calls": [{"status": "completed"}]}, {"calls": "x"}, {"after_list_requests": -1}, {"x": 1}, 5):
            assert control.post("/_sandbox/calls", json=body).status_code == 400, body
        assert control.request("DELETE", "/_sandbox/calls", json={"callIds": [3]}).status_code == 400
    assert server.calls_state() == {"calls": 40, "pending": 0}


# Rows without updatedAt ---------------------------------------------------------------------------------------


def test_rows_come_without_updated_at_when_not_served_and_are_still_ordered_by_it():
    store = CallStore.from_dataset(_dataset(serveUpdatedAt=False))
    with (
        SandboxServer(store, api_key=SANDBOX_KEY) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=10) as api,
    ):
        data = _page(api, limit=500)
        assert _ids(data) == [_call(i)["callId"] for i in range(40)], "the hidden update order (reverse creation)"
        assert all("updatedAt" not in row for row in data["logs"])
        some = _call(3)["callId"]
        assert "updatedAt" not in api.get(f"/conversation/{some}").json()["data"]
        assert "updatedAt" not in api.post("/conversation/search", json={"callIds": [some]}).json()["data"]["logs"][0]
        server.put_calls([_call(10, updated=False, status="failed")])
        rows = _page(api, limit=2)["logs"]
        assert rows[0]["callId"] == _call(10)["callId"] and "updatedAt" not in rows[0], "updated now, not said"
        server.put_calls([_call(11)])  # its own updatedAt orders it, and is not served either
        assert "updatedAt" not in _page(api, limit=500)["logs"][12]


def test_records_without_updated_at_are_served_without_it_in_creation_order():
    data = {"agents": [], "calls": [_call(i, updated=False) for i in range(6)]}
    with (
        SandboxServer(CallStore.from_dataset(data), api_key=SANDBOX_KEY) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=10) as api,
    ):
        rows = _page(api, limit=10)["logs"]
        assert [row["callId"] for row in rows] == [_call(i)["callId"] for i in reversed(range(6))]
        assert all("updatedAt" not in row for row in rows)
        server.put_calls([_call(0, updated=False, status="failed")])
        rows = _page(api, limit=10)["logs"]
        assert rows[0]["callId"] == _call(0)["callId"] and rows[0]["updatedAt"] > _call(5)["createdAt"]


def test_the_sandbox_command_serves_a_large_account_without_updated_at():
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
    command = [sys.executable, "-m", "atoms_logs_mcp", "sandbox", "--port", "0", "--calls", "40"]
    process = subprocess.Popen(
        [*command, "--api-key", SANDBOX_KEY, "--large-account", "--no-updated-at"],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(4)]
        base_url = next(line.split("=", 1)[1].strip() for line in lines if "ATOMS_BASE_URL=" in line)
        assert any("504" in line for line in lines)
        root = base_url.removesuffix("/atoms/v1")
        assert httpx.get(f"{root}/_sandbox/large-account").json()["on"] is True
        rows = httpx.get(f"{base_url}/conversation", params={"limit": 50}, headers=AUTH).json()["data"]["logs"]
        assert rows and all("updatedAt" not in row for row in rows)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


# A large generated account ------------------------------------------------------------------------------------


@pytest.mark.heavy
@pytest.mark.parametrize("calls", [20_000, 100_000])
def test_a_large_generated_account_starts_and_lists_fast(calls):
    started = time.perf_counter()
    store = CallStore.from_dataset(generate(calls=calls, seed=7, end=START), serve_updated_at=False)
    built = time.perf_counter() - started
    assert built < calls / 1000 * 0.5 + 5
    with (
        SandboxServer(store, api_key=SANDBOX_KEY, large_account=True) as server,
        httpx.Client(base_url=server.base_url, headers=AUTH, timeout=60) as api,
    ):
        took = [_timed(api, limit=500)[1] for _ in range(11)]
        assert statistics.median(took) < 0.25
        answer = api.get("/conversation", params={"dateFrom": "2026-04-01T00:00:00Z"})
        assert answer.status_code == 504 and server.stats()["created_at_scans"] == 1
