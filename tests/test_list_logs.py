"""list_logs through a real MCP session against the foreign dataset: the right calls and totals.

Expectations come from tests/data/foreign_dataset_expected.json (computed by someone else from the
spec) or from plain filtering of the dataset file in this test; never from the server's own code.
"""

from __future__ import annotations

import re

import pytest

from conftest import PROTOCOL_MODES, call_error, call_text, mcp_client

pytestmark = pytest.mark.anyio

ROW = re.compile(r"^(CALL-\d{13}-[0-9a-f]{6}) \| ", re.MULTILINE)
TOTAL = re.compile(r"^(\d+) calls? match", re.MULTILINE)


def rows(text: str) -> list[str]:
    return ROW.findall(text)


def total(text: str) -> int:
    match = TOTAL.search(text)
    assert match, text
    return int(match.group(1))


async def every_row(client, **arguments) -> tuple[int, list[str]]:
    """Page through list_logs at 100 per page; the total and every call id, in order."""
    ids: list[str] = []
    page = 1
    while True:
        text = await call_text(client, "list_logs", {**arguments, "limit": 100, "page": page})
        ids += rows(text)
        if "Next page:" not in text:
            return total(text), ids
        page += 1


def roots(dataset):
    return [c for c in dataset["calls"] if not c.get("retryAttemptNumber")]


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_each_status_filter_gives_the_expected_calls(foreign_sandbox, foreign_dataset, foreign_expected, mode):
    async with mcp_client(foreign_sandbox, mode) as client:
        for status in (
            "completed",
            "failed",
            "no_answer",
            "cancelled",
            "pending",
            "in_progress",
            "in_queue",
            "processing",
            "active",
        ):
            count, ids = await every_row(client, statuses=[status])
            assert count == foreign_expected["roots_by_status"][status] == len(ids), status
            assert set(ids) == {c["callId"] for c in roots(foreign_dataset) if c["status"] == status}


async def test_disconnect_reason_call_type_agent_and_duration_filters(foreign_sandbox, foreign_expected):
    async with mcp_client(foreign_sandbox) as client:
        for reason in (
            "user_hangup",
            "agent_hangup",
            "connection_error",
            "timeout",
            "system_error",
            "transfer_complete",
        ):
            count, ids = await every_row(client, disconnect_reasons=[reason])
            assert count == len(ids) == foreign_expected["roots_by_disconnectionReason"][reason], reason
        for call_type, expected in foreign_expected["roots_by_type"].items():
            count, ids = await every_row(client, call_types=[call_type])
            assert count == len(ids) == expected, call_type
        for agent_id, expected in foreign_expected["roots_by_agentId"].items():
            count, _ = await every_row(client, agents=[agent_id])
            assert count == expected, agent_id
        for bucket, expected in foreign_expected["roots_by_duration_bucket"].items():
            count, _ = await every_row(client, durations=[bucket])
            assert count == expected, bucket


async def test_combined_filters_are_and_between_kinds_or_within(foreign_sandbox, foreign_dataset):
    async with mcp_client(foreign_sandbox) as client:
        count, ids = await every_row(client, statuses=["failed", "no_answer"], call_types=["telephony_outbound"])
    expected = {
        c["callId"]
        for c in roots(foreign_dataset)
        if c["status"] in ("failed", "no_answer") and c["type"] == "telephony_outbound"
    }
    assert count == len(expected) and set(ids) == expected


async def test_window_search_and_attempt_filters(foreign_sandbox, foreign_dataset, foreign_expected):
    window = foreign_expected["date_window"]
    phone = foreign_expected["phone_search"]
    async with mcp_client(foreign_sandbox) as client:
        count, ids = await every_row(client, since=window["dateFrom"], until=window["dateTo"])
        assert count == window["count"] and set(ids) == set(window["callIds"])
        count, ids = await every_row(client, search=phone["search"])
        assert set(ids) == set(phone["callIds"]) and count == len(phone["callIds"])
        count, ids = await every_row(client, attempt="retry")
        assert count == foreign_expected["retry_calls"]
        assert set(ids) == {c["callId"] for c in foreign_dataset["calls"] if c.get("retryAttemptNumber")}
        count, _ = await every_row(client, attempt="all")
        assert count == foreign_expected["total_calls"]


async def test_default_sort_paging_and_the_next_page_arguments(foreign_sandbox, foreign_expected):
    async with mcp_client(foreign_sandbox) as client:
        first = await call_text(client, "list_logs", {"limit": 10})
        assert rows(first) == foreign_expected["roots_updatedAt_desc_first10"]
        assert total(first) == foreign_expected["root_calls"]
        assert "page 1 of 20" in first
        assert "Next page: list_logs(page=2, limit=10)" in first
        count, ids = await every_row(client)
    assert count == len(ids) == len(set(ids)) == foreign_expected["root_calls"], "no call lost or repeated"
    # Agent names are fetched once per server: active agents, then archived ones.
    assert foreign_sandbox.stats()["requests"]["GET /agent"] == 2


async def test_header_states_filters_and_window(foreign_sandbox, foreign_expected):
    agent_id, name = next(iter(foreign_expected["agent_names"].items()))
    async with mcp_client(foreign_sandbox) as client:
        text = await call_text(
            client,
            "list_logs",
            {
                "statuses": ["completed"],
                "agents": [agent_id],
                "since": "2026-10-05T00:00:00Z",
                "until": "2026-10-20T12:00:00+02:00",
                "sort_by": "duration",
                "sort_order": "asc",
                "limit": 3,
            },
        )
    assert f"Filters: agent: {name} ({agent_id}); statuses: completed." in text
    assert name in text, "the rows name the agent"
    assert "Window: 2026-10-05 00:00:00Z .. 2026-10-20 10:00:00Z UTC." in text
    assert "Sorted by duration, shortest first" in text
    (params,) = [r["query"] for r in foreign_sandbox.stats()["recent"] if r["route"] == "GET /conversation"]
    assert params["dateFrom"] == "2026-10-05T00:00:00.000Z" and params["dateTo"] == "2026-10-20T10:00:00.000Z"
    assert params["sortBy"] == "callDuration" and params["sortOrder"] == "asc"


async def test_no_date_filter_is_sent_unless_asked(foreign_sandbox):
    async with mcp_client(foreign_sandbox) as client:
        await call_text(client, "list_logs", {"statuses": ["failed"]})
    (query,) = [r["query"] for r in foreign_sandbox.stats()["recent"] if r["route"] == "GET /conversation"]
    assert query == {"page": "1", "limit": "20", "statusFilter": "failed"}


async def test_one_list_request_per_call_once_agent_names_are_known(foreign_sandbox):
    async with mcp_client(foreign_sandbox) as client:
        for _ in range(3):
            await call_text(client, "list_logs", {"limit": 5})
    assert foreign_sandbox.stats()["requests"] == {"GET /conversation": 3, "GET /agent": 2}


async def test_past_the_last_page_and_empty_results_say_so(foreign_sandbox):
    async with mcp_client(foreign_sandbox) as client:
        past = await call_text(client, "list_logs", {"page": 999, "limit": 100})
        empty = await call_text(client, "list_logs", {"search": "no-such-number"})
    assert "Page 999 is past the last page (2)." in past
    assert "0 calls match" in empty and "Widen the filters" in empty


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"limit": 0}, "limit: Input should be greater than or equal to 1 (got 0)"),
        ({"limit": 101}, "limit: Input should be less than or equal to 100 (got 101)"),
        ({"statuses": ["done"]}, "statuses.0: Input should be 'pending', 'in_progress'"),
        ({"call_types": ["chat"]}, "call_types.0: Input should be 'telephony_inbound'"),
        ({"attempt": "first"}, "attempt: Input should be 'initial', 'retry' or 'all'"),
        ({"durations": ["10-20"]}, "durations.0: Input should be '0-30', '30-60', '1-5' or '5+'"),
        ({"sort_by": "createdAt"}, "sort_by: Input should be 'created', 'updated', 'duration' or 'latency'"),
        ({"statuses": "failed"}, "statuses: Input should be a valid list"),
        ({"since": "yesterday-ish"}, "since='yesterday-ish' is not a time this tool reads"),
        (
            {"since": "2026-11-02", "until": "2026-11-01"},
            "is after until ('2026-11-01' = 2026-11-01 23:59:59Z): that window is empty",
        ),
        ({"page": 0}, "page: Input should be greater than or equal to 1"),
    ],
)
async def test_bad_arguments_are_tool_errors_before_any_request(sandbox, arguments, message):
    async with mcp_client(sandbox) as client:
        error = await call_error(client, "list_logs", arguments)
    assert message in error
    assert error.startswith("Error executing tool list_logs: ")
    assert sandbox.stats()["total"] == 0
