"""Issue 4's investigations through real MCP sessions: whole-window summaries, agents by name, time
windows people say, exports, caching, prompts and completions."""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime, timedelta

import pytest
from mcp.types import PromptReference

import conftest
from atoms_logs_mcp.sandbox.data import generate
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import GENERATED_END, SANDBOX_KEY, call_error, call_text, mcp_client, text_of

pytestmark = pytest.mark.anyio

ROW = re.compile(r"^(CALL-\d{13}-[0-9a-f]{6}) \| ", re.MULTILINE)


@pytest.fixture(autouse=True)
def _each_store(store_location: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every investigation of this module with the call store on, on each engine (tests/store_support.py)."""
    monkeypatch.setitem(conftest.TEST_SETTINGS, "store", store_location)


def table(text: str, title: str) -> dict[str, int]:
    """value -> calls, from one summarize_logs table."""
    lines = text.splitlines()
    start = lines.index(f"{title} | calls | share | examples")
    counts = {}
    for line in lines[start + 1 :]:
        if not line.strip() or line.startswith("<<<"):
            break
        value, calls, *_ = line.split(" | ")
        counts[value] = int(calls)
    return counts


def roots(dataset):
    return [c for c in dataset["calls"] if not c.get("retryAttemptNumber")]


async def test_summary_counts_equal_the_true_counts_of_the_foreign_dataset(foreign_sandbox, foreign_expected):
    names = foreign_expected["agent_names"]
    async with mcp_client(foreign_sandbox) as client:
        text = await call_text(client, "summarize_logs", {"group_by": ["status", "disconnect_reason", "agent"]})
    assert f"{foreign_expected['root_calls']} calls match; all {foreign_expected['root_calls']} scanned" in text
    assert table(text, "status") == foreign_expected["roots_by_status"]
    assert table(text, "disconnect reason") == foreign_expected["roots_by_disconnectionReason"]
    assert table(text, "agent") == {names[a]: n for a, n in foreign_expected["roots_by_agentId"].items()}


async def test_summary_with_every_attempt_counts_retries_too(foreign_sandbox, foreign_expected):
    async with mcp_client(foreign_sandbox) as client:
        text = await call_text(client, "summarize_logs", {"attempt": "all", "group_by": ["status", "attempt"]})
    assert table(text, "status") == foreign_expected["all_by_status"]
    assert table(text, "attempt") == {
        "initial": foreign_expected["root_calls"],
        "retry": foreign_expected["retry_calls"],
    }


async def test_retry_outcomes_follow_the_chains(foreign_sandbox, foreign_dataset):
    by_id = {c["callId"]: c for c in foreign_dataset["calls"]}
    expected_recovered = 0
    retried = 0
    for call in roots(foreign_dataset):
        if call["status"] == "completed" or not call.get("retryCallId"):
            continue
        retried += 1
        node = by_id.get(call["retryCallId"])
        while node is not None:
            if node["status"] == "completed":
                expected_recovered += 1
                break
            node = by_id.get(node.get("retryCallId") or "")
    async with mcp_client(foreign_sandbox) as client:
        text = await call_text(client, "summarize_logs", {})
    assert (
        f"Retries: {retried} first attempts did not complete and were retried; {expected_recovered} completed" in text
    )


@pytest.fixture(scope="module")
def big_sandbox():
    data = generate(calls=750, seed=5, end=datetime(2026, 11, 20, tzinfo=UTC))
    with SandboxServer(CallStore(data["agents"], data["calls"]), api_key=SANDBOX_KEY) as server:
        yield server, data


async def test_a_700_call_window_takes_at_most_3_list_requests_and_reports_progress(big_sandbox):
    server, data = big_sandbox
    server.reset_stats()
    updates: list[tuple[float, float | None]] = []

    async def on_progress(progress: float, total: float | None, message: str | None) -> None:
        updates.append((progress, total))

    async with mcp_client(server) as client:
        result = await client.call_tool("summarize_logs", {"group_by": ["status"]}, progress_callback=on_progress)
    text = text_of(result)
    true_total = len(roots(data))
    assert true_total >= 700
    assert f"all {true_total} scanned (2 list requests)" in text
    assert server.stats()["requests"]["GET /conversation"] <= 3
    assert updates and updates[-1] == (true_total, true_total)
    assert [p for p, _ in updates] == sorted(p for p, _ in updates)
    assert len(text) < 3000, "a few hundred tokens however large the window"


async def test_the_ceiling_is_said_plainly(big_sandbox):
    server, data = big_sandbox
    async with mcp_client(server) as client:
        text = await call_text(client, "summarize_logs", {"max_calls": 300})
    assert f"scanned 300 of {len(roots(data))}" in text and "(the ceiling)" in text


async def test_agents_by_name(sandbox, generated_dataset, foreign_sandbox, foreign_expected):
    support = next(a for a in generated_dataset["agents"] if a["name"] == "Support")
    async with mcp_client(sandbox) as client:
        text = await call_text(client, "list_logs", {"agents": ["support"], "limit": 100, "attempt": "all"})
        by_id = {c["callId"]: c for c in generated_dataset["calls"]}
        assert all(by_id[call_id]["agentId"] == support["_id"] for call_id in ROW.findall(text))
        assert f"Filters: agent: Support ({support['_id']}); attempt: all." in text
        partial = await call_text(client, "list_logs", {"agents": ["reminder"], "limit": 1})
        reminders = next(a for a in generated_dataset["agents"] if a["name"] == "Appointment Reminders")
        assert f"agent: {reminders['name']} ({reminders['_id']})" in partial
        unknown = await call_error(client, "list_logs", {"agents": ["nobody"]})
        assert "No agent is named 'nobody'. The agents are:\n<<<call-data " in unknown and "\nSupport (" in unknown
    async with mcp_client(foreign_sandbox) as client:
        ambiguous = await call_error(client, "summarize_logs", {"agents": ["support"]})
    names = {name: agent_id for agent_id, name in foreign_expected["agent_names"].items()}
    assert "Agent 'support' is ambiguous: it matches these agents:\n<<<call-data " in ambiguous
    assert f"Support Inbound ({names['Support Inbound']})" in ambiguous
    assert f"Support Escalations ({names['Support Escalations']})" in ambiguous


async def test_list_agents_with_calls_in_a_window(foreign_sandbox, foreign_expected):
    async with mcp_client(foreign_sandbox) as client:
        plain = await call_text(client, "list_agents", {})
        counted = await call_text(
            client, "list_agents", {"with_calls": True, "since": "2026-10-01", "until": "2026-10-31", "timezone": "UTC"}
        )
    for name in foreign_expected["agent_names"].values():
        assert name in plain
    rows = [line.split(" | ") for line in counted.splitlines() if re.match(r"^[0-9a-f]{24} \| ", line)]
    assert {row[0]: int(row[2]) for row in rows} == foreign_expected["roots_by_agentId"]


async def test_time_windows_people_say(tmp_path):
    now = GENERATED_END
    data = generate(calls=300, seed=3, end=now.replace(minute=0, second=0, microsecond=0), days=10)
    with SandboxServer(CallStore(data["agents"], data["calls"]), api_key=SANDBOX_KEY) as server:
        async with mcp_client(server, timezone="Asia/Kolkata") as client:
            day = await call_text(client, "list_logs", {"since": "24h", "limit": 100})
            yesterday = await call_text(client, "summarize_logs", {"since": "yesterday"})
            paris = await call_text(client, "list_logs", {"since": "this week", "timezone": "Europe/Paris"})
            bad_zone = await call_error(client, "list_logs", {"timezone": "Mars/Olympus"})
    created = {c["callId"]: datetime.fromisoformat(c["createdAt"].replace("Z", "+00:00")) for c in data["calls"]}
    ids = ROW.findall(day)
    assert ids and all(created[i] >= now - timedelta(hours=24, minutes=5) for i in ids)
    assert "Asia/Kolkata)" in yesterday and "Z .. " in yesterday, "the window in UTC and in the zone"
    assert "whole" in yesterday.lower()
    assert "Europe/Paris)" in paris
    assert "Mars/Olympus" in bad_zone


async def test_a_504_on_a_date_filtered_query_suggests_narrowing(sandbox):
    sandbox.set_faults(error_rate=1.0, error_status=504)
    async with mcp_client(sandbox, max_attempts=1) as client:
        error = await call_error(client, "summarize_logs", {"since": "2026-11-01T00:00:00Z"})
    assert "HTTP 504" in error and "narrower since/until window" in error


async def test_export_of_the_failed_calls_writes_as_many_rows_as_the_summary_counts(foreign_sandbox, tmp_path):
    async with mcp_client(foreign_sandbox, export_dir=str(tmp_path)) as client:
        summary = await call_text(client, "summarize_logs", {"statuses": ["failed"]})
        exported = await call_text(
            client, "export_logs", {"format": "csv", "statuses": ["failed"], "file_name": "failed calls"}
        )
        again = await call_text(client, "export_logs", {"format": "json", "statuses": ["failed"]})
        traversal = await call_error(client, "export_logs", {"format": "csv", "file_name": "../escape.csv"})
    count = int(re.search(r"^(\d+) calls match", summary, re.MULTILINE).group(1))
    path = tmp_path / "failed calls.csv"
    assert f"Exported {count} calls to {path}" in exported
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == count and {row["status"] for row in rows} == {"failed"}
    assert "Columns: created_at, call_id, agent" in exported
    assert ".json" in again
    assert "escape" in traversal and not (tmp_path.parent / "escape.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir())[0] == "atoms-calls-" + sorted(p.name for p in tmp_path.iterdir())[
        0
    ].removeprefix("atoms-calls-")


async def test_export_is_annotated_as_writing_but_not_destructive(sandbox):
    async with mcp_client(sandbox) as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "export_logs")
    hints = tool.annotations
    assert (hints.read_only_hint, hints.destructive_hint, hints.idempotent_hint, hints.open_world_hint) == (
        False,
        False,
        False,
        True,
    )


async def test_a_second_get_log_of_a_completed_call_makes_no_request(sandbox, generated_dataset):
    call = next(
        c
        for c in generated_dataset["calls"]
        if c["status"] == "completed" and not c.get("retryCallId") and not c["retryAttemptNumber"]
    )
    async with mcp_client(sandbox) as client:
        await call_text(client, "get_log", {"call_id": call["callId"]})
        after_first = sandbox.stats()["total"]
        await call_text(client, "get_log", {"call_id": call["callId"]})
        await client.read_resource(f"atoms://calls/{call['callId']}/transcript")
    # The first reads the call, and the agent list and the agent's versions (are they still listed?), each once.
    assert sandbox.stats()["requests"]["GET /conversation/{callId}"] == 1
    assert sandbox.stats()["total"] == after_first


async def test_calls_still_in_progress_are_not_cached(sandbox, generated_dataset):
    call = next(c for c in generated_dataset["calls"] if c["status"] == "in_progress")
    async with mcp_client(sandbox) as client:
        for _ in range(2):
            await call_text(client, "get_log", {"call_id": call["callId"], "include": ["transcript"]})
    assert sandbox.stats()["requests"]["GET /conversation/{callId}"] == 2


async def test_get_log_shows_the_retry_family_and_a_recording_link_on_request(sandbox, generated_dataset):
    root = next(c for c in generated_dataset["calls"] if c.get("retryCallId") and not c["retryAttemptNumber"])
    async with mcp_client(sandbox) as client:
        text = await call_text(client, "get_log", {"call_id": root["callId"], "recording": True})
        plain = await call_text(client, "get_log", {"call_id": root["callId"], "include": ["overview"]})
    assert f"first attempt {root['callId']} (this call): {root['status']}" in text
    assert "retry #1 " in text
    assert "Recording" in text and "Recording" not in plain


async def test_prompts_are_listed_render_and_complete(foreign_sandbox, foreign_expected):
    async with mcp_client(foreign_sandbox) as client:
        listed = {p.name: p for p in (await client.list_prompts()).prompts}
        assert set(listed) == {"triage_failed_calls", "debug_call"}
        assert {a.name for a in listed["triage_failed_calls"].arguments} == {"agent", "window"}
        triage = await client.get_prompt("triage_failed_calls", {"agent": "Sales Outbound", "window": "yesterday"})
        debug = await client.get_prompt("debug_call", {"call_id": foreign_expected["long_transcript_callId"]})
        names = await client.complete(PromptReference(name="triage_failed_calls"), {"name": "agent", "value": "sup"})
        windows = await client.complete(PromptReference(name="triage_failed_calls"), {"name": "window", "value": "l"})
        prefix = foreign_expected["long_transcript_callId"][:12]
        ids = await client.complete(PromptReference(name="debug_call"), {"name": "call_id", "value": prefix})
    text = triage.messages[0].content.text
    assert 'summarize_logs(statuses=["failed", "no_answer"], since="yesterday", agents=["Sales Outbound"]' in text
    assert foreign_expected["long_transcript_callId"] in debug.messages[0].content.text
    assert set(names.completion.values) == {"Support Inbound", "Support Escalations"}
    assert windows.completion.values == ["last week", "last month"]
    assert ids.completion.values and all(v.startswith(prefix) for v in ids.completion.values)


async def test_prompt_with_a_malformed_call_id_is_rejected(sandbox):
    from mcp import MCPError

    async with mcp_client(sandbox) as client:
        with pytest.raises(MCPError, match="is not a call id"):
            await client.get_prompt("debug_call", {"call_id": "nonsense"})
    assert sandbox.stats()["total"] == 0


async def test_an_export_that_cannot_read_the_window_writes_nothing(sandbox, tmp_path):
    sandbox.set_faults(error_rate=1.0, error_status=503)
    async with mcp_client(sandbox, export_dir=str(tmp_path / "out"), max_attempts=1) as client:
        error = await call_error(client, "export_logs", {"format": "json"})
    assert "unavailable right now (HTTP 503)" in error
    assert not any((tmp_path / "out").glob("*")) if (tmp_path / "out").exists() else True


async def test_an_export_with_a_page_missing_is_not_written(big_sandbox, tmp_path):
    server, _ = big_sandbox
    async with mcp_client(server, export_dir=str(tmp_path), max_attempts=1) as client:
        # The first page succeeds; then every request fails, so page 2 is missing.
        server.set_faults(reset=True)

        async def fail_after_first(*_: object) -> None:
            server.set_faults(error_rate=1.0, error_status=500)

        result = await client.call_tool("export_logs", {"format": "csv"}, progress_callback=fail_after_first)
    server.set_faults(reset=True)
    assert result.is_error and "Export not written" in text_of(result) and "INCOMPLETE: calls 501-" in text_of(result)
    assert list(tmp_path.iterdir()) == []


async def test_max_calls_cannot_raise_the_servers_ceiling(big_sandbox):
    server, data = big_sandbox
    async with mcp_client(server, scan_ceiling=100) as client:
        text = await call_text(client, "summarize_logs", {"max_calls": 200_000})
    assert f"scanned 100 of {len(roots(data))}" in text


async def test_a_retry_shows_its_family_even_when_the_detail_omits_the_retry_fields(generated_dataset):
    # The spec's detail response has no retryCount or retryAttemptNumber; a last retry has no retryCallId.
    data = {"agents": generated_dataset["agents"], "calls": [dict(c) for c in generated_dataset["calls"]]}
    child = next(c for c in data["calls"] if c["retryAttemptNumber"] > 0 and not c.get("retryCallId"))
    for key in ("retryCount", "retryAttemptNumber"):
        del child[key]
    with SandboxServer(CallStore(data["agents"], data["calls"]), api_key=SANDBOX_KEY) as server:
        async with mcp_client(server) as client:
            text = await call_text(client, "get_log", {"call_id": child["callId"], "include": ["overview"]})
    assert "attempts: first attempt CALL-" in text and f"{child['callId']} (this call)" in text
