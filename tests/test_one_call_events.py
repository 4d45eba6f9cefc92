"""One call's events told true on odd deliveries, in get_log and in analyze_calls, through a real MCP session: events
delivered twice, a record without a transcript whose events carry every spoken line, an event from before the call
started, and the runtime's diagnostics sent without timestamps in arrival order (as the vendor's own debug_call tests
feed them: smallest-inc/mcp-server, src/tools/debug-call-diagnostics.test.ts). Every record is built here, in the
spec's shape (`event_type`, ISO times) or the live one (`eventType`, JSON-string metadata, epoch seconds)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.sandbox.store import CallStore
from conftest import PROTOCOL_MODES, SANDBOX_KEY, call_text, line, mcp_client, section

pytestmark = pytest.mark.anyio
AGENT = "6a1b2c3d4e5f60718293a4b5"
START = datetime(2026, 11, 19, 9, 30, tzinfo=UTC)
RUNTIME = "atoms-orchestrator"
TWICE = "CALL-1795080600000-d0b1ed"
REBUILT = "CALL-1795080700000-7e8b11"
LIVE_SHAPED = "CALL-1795080800000-7e8b12"
PRE_CALL = "CALL-1795080900000-9e0ca1"
VENDOR = "CALL-1795081000000-5e9d0a"
WORDLESS = "CALL-1795081100000-0a0b0c"
WINDOW = {"since": "2026-11-19T00:00:00Z", "until": "2026-11-20T00:00:00Z"}


def at(seconds: float) -> str:
    return (START + timedelta(seconds=seconds)).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def event(kind: str, seconds: float | None, event_id: str | None = None, **fields: Any) -> dict[str, Any]:
    """An event in the spec's shape: `event_type`, an ISO `timestamp` (none when `seconds` is None)."""
    timed = {"timestamp": at(seconds)} if seconds is not None else {}
    return {"event_type": kind, **({"event_id": event_id} if event_id else {}), **timed, "source": RUNTIME, **fields}


def live(kind: str, seconds: float | None, **metadata: Any) -> dict[str, Any]:
    """An event in the live shape: `eventType`, epoch seconds, metadata as JSON text, no event id."""
    timed = {"timestamp": (START + timedelta(seconds=seconds)).timestamp()} if seconds is not None else {}
    return {"eventType": kind, **timed, "source": RUNTIME, "metadata": json.dumps(metadata)}


def record(call_id: str, minute: int, events: list[dict[str, Any]], transcript: list[Any] | None) -> dict[str, Any]:
    """A completed call created `minute` minutes after START (its offsets count from there); no transcript key when
    `transcript` is None."""
    made: dict[str, Any] = {
        "_id": call_id[-6:].rjust(24, "0"),
        "callId": call_id,
        "agentId": AGENT,
        "status": "completed",
        "type": "webcall",
        "duration": 60.0,
        "createdAt": at(minute * 60),
        "updatedAt": at(minute * 60 + 70),
        "disconnectionReason": "user_hangup",
        "events": events,
    }
    if transcript is not None:
        made["transcript"] = transcript
    return made


def said(*lines: tuple[float, str, str]) -> list[dict[str, Any]]:
    return [{"role": role, "content": text, "timestamp": at(seconds)} for seconds, role, text in lines]


def parts(seconds: float, event_id: str, turn: int, llm: float, tts: float) -> dict[str, Any]:
    """A turn_latency with its LLM / TTS / STT parts (STT 100 ms), the total their sum."""
    total = llm + tts + 100
    return event("turn_latency", seconds, event_id, turn_index=turn, total_turn_ms=total, **{
        "llm_api_ms": llm, "tts_api_ms": tts, "stt_api_ms": 100,
    })  # fmt: skip


def twice() -> dict[str, Any]:
    """Delivered twice by id: a failed tool call (start and end), one turn_latency (three times); an agent error
    without an id sent twice, identical with its timestamp; two identical metrics events without id or time."""
    start = event("tool_call_start", 10, "e2", function_name="lookup_order", tool_call_id="tc1")
    end = event(
        "tool_call_end", 11, "e3", function_name="lookup_order", tool_call_id="tc1", success=False, error="timeout"
    )
    slow = parts(25, "l3", 3, llm=900, tts=1500)
    error = {"event_type": "agent_error", "timestamp": at(30), "error": "LLM hiccup"}
    metrics = {"event_type": "metrics", "value": 1}
    events = [
        event("call_start", 0, "e1"), parts(5, "l1", 1, llm=100, tts=700), start, start, end, end,
        parts(15, "l2", 2, llm=200, tts=900), slow, slow, slow, error, error, metrics, metrics,
        event("call_end", 60, "e9"),
    ]  # fmt: skip
    transcript = said((2, "agent", "Hi, Acme orders."), (4, "user", "Where is my order?"), (12, "agent", "Checking."))
    return record(TWICE, 0, events, transcript)


def rebuilt() -> dict[str, Any]:
    """`transcript: []` while the events carry every spoken line (tts_text, user_transcription_text), with an
    interim and a non-final transcription that are not lines, and a turn of dead air."""
    b = 300
    events = [
        event("call_start", b, "r1"),
        event("tts_completed", b + 3, "r2", tts_text="Hello, this is Acme. How can I help?"),
        event("user_interim_transcription", b + 5, "r3", user_transcription_text="I need"),
        event(
            "user_transcription", b + 6, "r4", user_transcription_text="I need to move my appointment.", is_final=True
        ),
        event("turn_latency", b + 10, "r5", turn_index=1, total_turn_ms=4200),
        event("tts_completed", b + 12, "r6", tts_text="Sure, which day works for you?"),
        event("user_transcription", b + 16, "r7", user_transcription_text="Fri", is_final=False),
        event("user_transcription", b + 17, "r8", user_transcription_text="Friday morning, please.", is_final=True),
        event("turn_latency", b + 18, "r9", turn_index=2, total_turn_ms=1100),
        event("tts_completed", b + 21, "r10", tts_text="Friday at nine is booked."),
        event("call_end", b + 30, "r11"),
    ]
    return record(REBUILT, 5, events, [])


def live_shaped() -> dict[str, Any]:
    """No transcript key at all; the spoken lines in live-shaped events, sent in the wrong order."""
    b = 600
    events = [
        live("user_transcription", b + 6, user_transcription_text="Yes, cancel it.", is_final=True),
        live("call_start", b),
        live("tts_completed", b + 9, tts_text="Done, it is cancelled."),
        live("tts_completed", b + 2, tts_text="Do you want to cancel order 7?"),
    ]
    return record(LIVE_SHAPED, 10, events, None)


def pre_call() -> dict[str, Any]:
    """A pre-call API request 2.1 s before call_start (the call's creation time)."""
    b = 900
    events = [
        event("pre_call_api", b - 2.1, "p1", method="POST", success=True, latency_ms=180),
        event("call_start", b, "p2"),
        event("call_end", b + 40, "p3"),
    ]
    transcript = said((b + 2, "agent", "Welcome back, Dana."), (b + 5, "user", "Hi."))
    return record(PRE_CALL, 15, events, transcript)


def vendor() -> dict[str, Any]:
    """The vendor's debug_call fixture: turn outcomes, barge-ins and turn latencies without timestamps, in arrival
    order (turn 2 before turn 1, barge-in #2 before #1, dead-air turns 8, 5, 2), and a call_end whose diagnostics
    carry no counts."""
    events = [
        live("turn_outcome", None, turn_index=2, attempt=1, outcome="no_reply"),
        live("turn_outcome", None, turn_index=1, attempt=2, outcome="replied"),
        live("turn_outcome", None, turn_index=1, attempt=1, outcome="interrupted"),
        live("barge_in", None, barge_in_seq=2, hold_outcome="refused"),
        live("barge_in", None, barge_in_seq=1, hold_outcome="accepted"),
        live("turn_latency", None, turn_index=8, total_turn_ms=4000),
        live("turn_latency", None, turn_index=5, total_turn_ms=3500),
        live("turn_latency", None, turn_index=2, total_turn_ms=5000),
        live("call_end", None, call_status="completed", diagnostics={"schema": 1}),
    ]
    b = 1200
    transcript = said((b + 1, "agent", "Good morning."), (b + 4, "user", "Morning."), (b + 9, "agent", "Yes?"))
    return record(VENDOR, 20, events, transcript)


def wordless() -> dict[str, Any]:
    """`transcript: []`, and speech events that carry no words: nothing to rebuild."""
    b = 1500
    events = [event("call_start", b, "w1"), event("tts_completed", b + 3, "w2"), event("call_end", b + 9, "w3")]
    return record(WORDLESS, 25, events, [])


def dataset() -> dict[str, Any]:
    return {
        "agents": [{"_id": AGENT, "name": "Odd Events Desk"}],
        "calls": [twice(), rebuilt(), live_shaped(), pre_call(), vendor(), wordless()],
    }


@pytest.fixture(scope="module")
def odd() -> Iterator[SandboxServer]:
    with SandboxServer(CallStore.from_dataset(dataset()), api_key=SANDBOX_KEY) as server:
        yield server


async def get_log(client: Any, call_id: str) -> str:
    return await call_text(client, "get_log", {"call_id": call_id})


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_an_event_delivered_twice_is_one_event_in_get_log(odd, mode):
    async with mcp_client(odd, mode) as client:
        text = await get_log(client, TWICE)
    events = section(text, "Events")
    assert events.count("tool lookup_order") == 1, events
    assert events.count("AGENT ERROR") == 1, "identical, with its timestamp: sent twice"
    assert "(15 raw events, 5 of them sent again (shown once)" in events
    assert "2 pipeline metrics" in events, "identical without id or time: nothing says it was sent twice"
    latency = section(text, "Turn latency")
    assert "3 agent replies timed" in latency, latency


async def test_analyze_calls_counts_each_tool_call_and_turn_once(odd):
    async with mcp_client(odd) as client:
        text = await call_text(client, "analyze_calls", {"aspects": ["tools", "latency"], **WINDOW})
    assert line(text, "lookup_order | ") == "1 | 1 | 100.0% | 0 | 1000 ms / 1000 ms", text
    split = line(text, "Split (from turn_latency events): ")
    assert split.startswith("LLM p50 200 ms, p90 760 ms (n=3); TTS p50 900 ms, p90 1380 ms (n=3);"), split
    assert "(n=8) over 3 calls" in line(text, "## Turn latency: ")


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_a_transcript_missing_from_the_record_is_rebuilt_from_its_events(odd, mode):
    async with mcp_client(odd, mode) as client:
        text = await get_log(client, REBUILT)
        shuffled = await get_log(client, LIVE_SHAPED)
        silent = await get_log(client, WORDLESS)
        resource = await client.read_resource(f"atoms://calls/{REBUILT}/transcript")
    transcript = section(text, "Transcript")
    assert "transcript rebuilt from events" in transcript
    assert "No transcript" not in text
    lines = re.findall(r"^#\d+ \[[\d:.]+\] (\w+): (.*)$", transcript, flags=re.MULTILINE)
    assert lines == [
        ("Agent", "Hello, this is Acme. How can I help?"),
        ("User", "I need to move my appointment."),
        ("Agent", "Sure, which day works for you?"),
        ("User", "Friday morning, please."),
        ("Agent", "Friday at nine is booked."),
    ]
    signals = section(text, "Signals")
    assert line(signals, "dead air over 3000 ms: ") == "1 of 2 measured turns: runtime turn 1 (4,200 ms)"
    assert line(signals, "greeting: ").startswith("not recorded (the transcript was rebuilt from events")
    transcript = section(shuffled, "Transcript")
    assert "transcript rebuilt from events" in transcript
    assert re.findall(r"^#\d+ \[([\d:.]+)\] (\w+): (.*)$", transcript, flags=re.MULTILINE) == [
        ("00:02.0", "Agent", "Do you want to cancel order 7?"),
        ("00:06.0", "User", "Yes, cancel it."),
        ("00:09.0", "Agent", "Done, it is cancelled."),
    ]
    whole = resource.contents[0].text
    assert "transcript rebuilt from events" in whole and "#5 [00:21.0] Agent: Friday at nine is booked." in whole
    assert "No transcript recorded for this call" in section(silent, "Transcript")
    assert "1 agent speech segment\n" in section(silent, "Events"), "no pointer to a transcript that is not there"


async def test_rebuilt_transcripts_are_searched_and_measured_across_calls(odd):
    async with mcp_client(odd) as client:
        found = await call_text(client, "search_transcripts", {"text": "appointment", **WINDOW})
        across = await call_text(client, "analyze_calls", {"aspects": ["conversation"], **WINDOW})
    assert REBUILT in found, found
    heading = line(across, "## Conversation: ")
    assert heading.startswith("6 calls, 5 with a transcript"), heading
    row = [cell.strip() for cell in line(across, "all calls | ").split("|")]
    assert row[4] == "2 of 3 (4 of 8, 50.0%)", row


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_an_event_before_the_call_started_has_a_negative_offset(odd, mode):
    async with mcp_client(odd, mode) as client:
        text = await get_log(client, PRE_CALL)
        view = (await client.call_tool("call_view_data", {"call_id": PRE_CALL})).structured_content
    events = section(text, "Events")
    assert "[-00:02.1] pre-call API POST ok (180 ms)" in events, events
    assert "[00:00.0] pre-call" not in events
    pre = next(e for e in view["events"] if e["type"] == "pre_call_api")
    assert pre["seconds"] == pytest.approx(-2.1)


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_runtime_diagnostics_without_times_are_in_the_runtimes_order(odd, mode):
    async with mcp_client(odd, mode) as client:
        text = await get_log(client, VENDOR)
    events = section(text, "Events")
    shown = re.findall(r"agent turn (\d+): (\w+)|barge-in, hold (\w+)", events)
    assert shown == [("1", "interrupted", ""), ("2", "no_reply", ""), ("", "", "accepted"), ("", "", "refused")], events
    signals = section(text, "Signals")
    dead = line(signals, "dead air over 3000 ms: ")
    assert (
        dead == "3 of 3 measured turns: runtime turn 2 (5,000 ms), runtime turn 5 (3,500 ms), runtime turn 8 (4,000 ms)"
    )
    timeline = line(signals, "timeline: ")
    assert "no call_end diagnostics" not in timeline
    assert "the runtime did not count its events" in timeline, timeline
    interruptions = line(signals, "interruptions: ")
    assert interruptions.startswith("2 (") and "runtime turn" not in interruptions, "untimed: their turn is unknown"


async def test_a_rebuilt_transcript_is_stored_as_sent_and_rebuilt_again(odd, tmp_path):
    """The store keeps the call as the API sent it (no transcript); read back, it is rebuilt and said to be."""
    path = str(tmp_path / "calls.db")
    async with mcp_client(odd, store=path) as client:
        first = await get_log(client, REBUILT)
    async with mcp_client(odd, store=path) as client:
        again = await get_log(client, REBUILT)
        found = await call_text(client, "search_transcripts", {"text": "Friday morning", **WINDOW})
    assert re.search(r"Read 6 calls of 6 matching: [1-6] from the local store", found), found
    assert section(again, "Transcript") == section(first, "Transcript")
    assert "transcript rebuilt from events" in section(again, "Transcript")
    assert "> #4 [00:17.0] User: Friday morning, please." in found, found
