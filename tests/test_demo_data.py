"""The generated organisation (the demo's data) agrees with itself where a user would notice: a failure that
says the platform waited N seconds is on a call that lasted at least N seconds; a tool's timeout errors say the
timeout its version configures, and took that long; an agent line announcing a check is followed by the tool
call it announces. Checked over every call of several generated organisations, read through the same event
readers as the server (a third of calls are in the live shapes)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from atoms_logs_mcp.api import event_fields as ef
from atoms_logs_mcp.api.events import read_events
from atoms_logs_mcp.sandbox.data import generate
from conftest import GENERATED_END, call_text, mcp_client

WAITED = re.compile(r"\b(?:for|after) (\d+(?:\.\d+)?) s\b(?! of ringing)")
TIMEOUT = re.compile(r"timeout after (\d+) ms")
ANNOUNCES = re.compile(r"please hold while i check", re.I)
ANNOUNCED = "lookup_order"
"""What the hold line (\"check that with the warehouse\") announces: the order lookup."""


@pytest.fixture(scope="module", params=[(400, 11), (750, 5), (500, 7)], ids=lambda p: f"{p[0]}calls-seed{p[1]}")
def organisation(request: pytest.FixtureRequest) -> dict[str, Any]:
    calls, seed = request.param
    return generate(calls=calls, seed=seed, end=GENERATED_END)


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def test_no_failure_waits_longer_than_its_call(organisation: dict[str, Any]) -> None:
    checked = 0
    for call in organisation["calls"]:
        if call["status"] != "failed" or not (waited := WAITED.search(str(call.get("callFailureReason") or ""))):
            continue
        checked += 1
        assert call["duration"] >= float(waited.group(1)), (call["callId"], call["callFailureReason"], call["duration"])
    assert checked, "no failure that names a wait"


def _timeouts(organisation: dict[str, Any]) -> dict[tuple[str, str], int]:
    """(version id, tool name) -> the timeout (ms) that version's config gives the tool."""
    return {
        (revision["revision"]["_id"], tool["name"]): tool["timeout"]
        for revision in organisation["revisions"]
        for tool in revision["resolvedConfig"]["tools"]
        if tool.get("timeout") is not None
    }


def test_timeout_errors_say_the_versions_configured_timeout(organisation: dict[str, Any]) -> None:
    configured = _timeouts(organisation)
    seen: set[int] = set()
    for call in organisation["calls"]:
        for event in read_events(call.get("events") or []):
            if not (said := TIMEOUT.search(ef.error_words(event) or "")):
                continue
            wanted = configured[(call["versionId"], ef.tool_name(event))]
            assert int(said.group(1)) == wanted, (call["callId"], ef.tool_name(event), said.group(0), wanted)
            assert (ef.latency_ms(event) or 0) >= wanted, (call["callId"], ef.latency_ms(event))
            seen.add(wanted)
    assert 10_000 in seen, "the regressed lookup_order's timeouts"


def test_a_tool_call_runs_inside_the_wait_it_belongs_to(organisation: dict[str, Any]) -> None:
    """A tool called while the agent prepares a reply starts after the caller's last word (`user_end`) and ends
    before the reply (`bot_start`): a 10-second lookup makes a wait of at least 10 seconds."""
    checked = 0
    for call in organisation["calls"]:
        created = _when(call["createdAt"])
        waits = (call.get("turnLatencyMetrics") or {}).get("transitions") or []
        for event in read_events(call.get("events") or []):
            if event.kind != "tool_call_start" or event.at is None:
                continue
            started = (event.at - created).total_seconds() * 1000
            wait = next((w for w in waits if w["bot_start"] >= started), None)
            if wait is None:  # after the last reply: the lookup a caller on hold hung up on
                continue
            checked += 1
            assert wait["user_end"] <= started, (call["callId"], wait, started)
            assert wait["bot_start"] - wait["user_end"] == pytest.approx(wait["latency"], abs=1)
    assert checked


def test_every_announced_check_is_followed_by_its_tool_call(organisation: dict[str, Any]) -> None:
    announced = 0
    for call in organisation["calls"]:
        transcript = call.get("transcript") or []
        starts = sorted(
            (e.at, ef.tool_name(e))
            for e in read_events(call.get("events") or [])
            if e.kind == "tool_call_start" and e.at
        )
        for index, turn in enumerate(transcript):
            if turn.get("role") != "agent" or not ANNOUNCES.search(str(turn.get("content"))):
                continue
            announced += 1
            said = _when(turn["timestamp"])
            following = [t for t in transcript[index + 1 :] if t.get("role") == "agent"]
            until = _when(following[0]["timestamp"]) if following else None
            after = [name for at, name in starts if at >= said and (until is None or at <= until)]
            assert after[:1] == [ANNOUNCED], (call["callId"], after)
    assert announced, "no call with the hold line"


@pytest.mark.anyio
async def test_the_demo_agrees_through_the_tools(sandbox: Any, generated_dataset: dict[str, Any]) -> None:
    """What a user reads: the regressed Support version configures lookup_order with 10000 ms, and its calls'
    lookup_order errors say 10000 ms; a call ended by the hold line shows the lookup it announced, timing out."""
    support = next(a for a in generated_dataset["agents"] if a["name"] == "Support")
    held = next(
        c for c in generated_dataset["calls"] if any(t["content"].startswith("Please hold") for t in c["transcript"])
    )
    async with mcp_client(sandbox) as client:
        agent = await call_text(client, "get_agent", {"agent": support["_id"], "include": ["tools"]})
        tools = await call_text(client, "analyze_calls", {"agents": ["Support"], "aspects": ["tools"], "since": "30d"})
        log = await call_text(client, "get_log", {"call_id": held["callId"], "include": ["events"]})
    assert "lookup_order · api_call · GET https://warehouse.acme.internal/v2/lookup_order · timeout 10000 ms" in agent
    assert "timeout after 10000 ms" in tools and "timeout after 3000 ms" not in tools
    assert "tool lookup_order FAILED: timeout after 10000 ms" in log, log
