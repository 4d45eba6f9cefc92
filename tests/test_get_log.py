"""get_log, the call resources and search_by_call_ids through a real MCP session, foreign dataset."""

from __future__ import annotations

import re
import unicodedata

import pytest

from atoms_logs_mcp.render.untrusted import clean
from conftest import PROTOCOL_MODES, call_error, call_text, mcp_client, text_of

pytestmark = pytest.mark.anyio


def plain(text: str) -> bool:
    """Text that needs no cleaning: no control, format or bidi characters, no newline, no fence marker."""
    return not any(unicodedata.category(ch) in ("Cc", "Cf") and ch not in "\u200c\u200d" for ch in text) and (
        "<<<" not in text and ">>>" not in text and text == text.strip()
    )


FENCE_OPEN = re.compile(r"^<<<call-data ([0-9a-f]{6}) ", re.MULTILINE)


def by_id(dataset, call_id):
    return next(c for c in dataset["calls"] if c["callId"] == call_id)


def rich_calls(dataset, count=8):
    """Completed calls with a transcript, a summary and metrics."""
    return [
        c
        for c in dataset["calls"]
        if c.get("transcript")
        and (c.get("postCallAnalytics") or {}).get("summary")
        and (c["postCallAnalytics"].get("dispositionMetrics"))
    ][:count]


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_get_log_shows_every_turn_summary_metrics_model_and_reason(foreign_sandbox, foreign_dataset, mode):
    verbatim = 0
    async with mcp_client(foreign_sandbox, mode) as client:
        for call in rich_calls(foreign_dataset):
            result = await client.call_tool("get_log", {"call_id": call["callId"]})
            assert not result.is_error
            text = text_of(result)
            for turn in call["transcript"]:
                content = turn["content"]
                if plain(content):
                    verbatim += 1
                    assert f"{turn['role'].capitalize()}: {content}" in text  # exactly as the API sent it
                else:
                    assert f"{turn['role'].capitalize()}: {clean(content)}" in text
            assert clean(call["postCallAnalytics"]["summary"]) in text
            for metric in call["postCallAnalytics"]["dispositionMetrics"]:
                assert f"{metric['identifier']} [" in text and f"] = {clean(metric['value'])}" in text
            if call.get("slmModelUsed"):
                assert f"model: {call['slmModelUsed']}" in text
            if call.get("disconnectionReason"):
                assert f"disconnect reason: {clean(call['disconnectionReason'])}" in text
            links = [block.uri for block in result.content if block.type == "resource_link"]
            assert links == [f"atoms://calls/{call['callId']}/transcript", f"atoms://calls/{call['callId']}"]
    assert verbatim > 20, "most turns are plain text and shown exactly"


async def test_the_160_turn_transcript_resource_holds_every_turn(foreign_sandbox, foreign_dataset, foreign_expected):
    call_id = foreign_expected["long_transcript_callId"]
    call = by_id(foreign_dataset, call_id)
    assert len(call["transcript"]) == 160
    async with mcp_client(foreign_sandbox) as client:
        resource = await client.read_resource(f"atoms://calls/{call_id}/transcript")
        whole = await client.read_resource(f"atoms://calls/{call_id}")
    text = resource.contents[0].text
    lines = [line for line in text.splitlines() if line.startswith("#")]
    assert len(lines) == 160
    for number, (line, turn) in enumerate(zip(lines, call["transcript"], strict=True), start=1):
        assert line.startswith(f"#{number} [")
        content = turn["content"] if plain(turn["content"]) else clean(turn["content"])
        assert line.endswith(f"{turn['role'].capitalize()}: {content}")
    assert "turns 1-160 of 160" in whole.contents[0].text


async def test_a_long_transcript_pages_with_an_explicit_continuation(foreign_sandbox, foreign_expected, monkeypatch):
    from atoms_logs_mcp.render import call as call_rendering

    call_id = foreign_expected["long_transcript_callId"]
    monkeypatch.setattr(call_rendering, "TRANSCRIPT_PAGE_TURNS", 100)
    async with mcp_client(foreign_sandbox) as client:
        first = await call_text(client, "get_log", {"call_id": call_id, "include": ["transcript"]})
        second = await call_text(
            client, "get_log", {"call_id": call_id, "include": ["transcript"], "transcript_from": 101}
        )
    assert "turns 1-100 of 160" in first
    assert (
        f'Transcript continues: 60 more turns. Call get_log(call_id="{call_id}", include=["transcript"], '
        "transcript_from=101)"
    ) in first
    assert f"atoms://calls/{call_id}/transcript" in first
    assert "turns 101-160 of 160" in second and "Transcript continues" not in second


async def test_include_selects_sections(foreign_sandbox, foreign_dataset):
    call = rich_calls(foreign_dataset, 1)[0]
    async with mcp_client(foreign_sandbox) as client:
        text = await call_text(client, "get_log", {"call_id": call["callId"], "include": ["metrics", "latency"]})
    assert "## Disposition metrics" in text and "## Turn latency" in text
    assert "## Overview" not in text and "## Transcript" not in text and "## Events" not in text


async def test_calls_missing_optional_fields_still_render(foreign_sandbox, foreign_dataset):
    bare = [c for c in foreign_dataset["calls"] if "postCallAnalytics" not in c and "turnLatencyMetrics" not in c]
    assert bare
    async with mcp_client(foreign_sandbox) as client:
        for call in bare[:5]:
            text = await call_text(client, "get_log", {"call_id": call["callId"]})
            assert "No post-call metrics for this call." in text
            assert "No turn latency recorded for this call." in text or "turn_latency events" in text


async def test_unknown_event_types_are_rendered_not_dropped(foreign_sandbox, foreign_dataset):
    odd = [c for c in foreign_dataset["calls"] if any(e.get("event_type") == "custom_thing" for e in c["events"])]
    assert odd
    async with mcp_client(foreign_sandbox) as client:
        text = await call_text(client, "get_log", {"call_id": odd[0]["callId"], "include": ["events"]})
    assert "custom_thing" in text


@pytest.mark.parametrize(
    ("call_id", "message"),
    [
        (
            "CALL-1000000000000-abcdef",
            "Call CALL-1000000000000-abcdef was not found in this Atoms organisation",
        ),
        ("CALL-12-abc", "'CALL-12-abc' is not a call id"),
        ("../../etc/passwd", "is not a call id"),
        # Surrounding white space is trimmed (copied from a ticket or a log line): the id is then looked up.
        ("  CALL-1000000000000-abcdef\n", "Call CALL-1000000000000-abcdef was not found in this Atoms organisation"),
    ],
)
async def test_unknown_or_malformed_ids_are_tool_errors(foreign_sandbox, call_id, message):
    async with mcp_client(foreign_sandbox) as client:
        error = await call_error(client, "get_log", {"call_id": call_id})
    assert message in error and "list_logs" in error
    malformed = "not a call id" in message
    # An unknown id costs its request plus, while nothing else has been read, one look at the call list:
    # that is what tells an unknown id from a base URL that is not the API (test_misconfiguration.py).
    assert foreign_sandbox.stats()["total"] == (0 if malformed else 2)


async def test_resource_of_an_unknown_call_is_a_not_found_error(foreign_sandbox):
    from mcp import MCPError

    async with mcp_client(foreign_sandbox) as client:
        with pytest.raises(MCPError) as unknown:
            await client.read_resource("atoms://calls/CALL-1000000000000-abcdef/transcript")
        with pytest.raises(MCPError) as malformed:
            await client.read_resource("atoms://calls/nonsense")
    assert "was not found" in unknown.value.error.message
    assert "is not a call id" in malformed.value.error.message


async def test_search_150_ids_finds_every_known_one_and_names_the_rest(foreign_sandbox, foreign_expected):
    test = foreign_expected["search_test"]
    requested = test["callIds"]
    async with mcp_client(foreign_sandbox) as client:
        text = await call_text(client, "search_by_call_ids", {"call_ids": requested})
    assert text.startswith("140 of 150 requested calls found") and "More:" not in text
    found = re.findall(r"^(CALL-\d{13}-[0-9a-f]{6}) \| ", text, re.MULTILINE)
    missing_line = next(line for line in text.splitlines() if line.startswith("Not found"))
    missing = missing_line.split(": ", 1)[1].split(", ")
    assert set(found) == set(test["expected_found"]) and len(found) == 140
    assert set(missing) == set(test["unknown"]) and len(missing) == 10
    assert found == [i for i in requested if i in set(found)], "rows come in the order asked"
    assert foreign_sandbox.stats()["requests"]["POST /conversation/search"] == 2, "two batches: 100 + 50"


async def test_search_drops_duplicates_and_rejects_bad_ids_before_any_request(foreign_sandbox, foreign_dataset):
    ids = [c["callId"] for c in foreign_dataset["calls"][:3]]
    async with mcp_client(foreign_sandbox) as client:
        text = await call_text(client, "search_by_call_ids", {"call_ids": ids + ids[:2]})
        assert "3 of 3 requested calls found (2 duplicate ids ignored)" in text
        # Values that are not call ids are listed by position; the valid ids are still looked up.
        text = await call_text(client, "search_by_call_ids", {"call_ids": [ids[0], "CALL-1-x", f" {ids[1]} "]})
        assert "2 of 2 requested calls found" in text
        assert "Not call ids, skipped (position in call_ids: value): #2 'CALL-1-x'." in text
        text = await call_text(client, "search_by_call_ids", {"call_ids": [None, ids[0], 42, "x" * 500]})
        assert "1 of 1 requested call found" in text
        assert "#1 'null', #3 '42', #4 'xxxxxxxx" in text
        foreign_sandbox.reset_stats()
        error = await call_error(client, "search_by_call_ids", {"call_ids": ["CALL-1-x", "nonsense"]})
        assert "No call ids among call_ids (position: value): #1 'CALL-1-x', #2 'nonsense'" in error
        error = await call_error(client, "search_by_call_ids", {"call_ids": ids * 400})
        assert "call_ids: " in error and "at most 1000 items" in error and "1200" in error
        error = await call_error(client, "search_by_call_ids", {"call_ids": []})
        assert "at least 1 item" in error
    assert foreign_sandbox.stats()["total"] == 0
