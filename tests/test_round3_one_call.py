"""One call's events against the round-3 answer key (tests/data/make_round3_dataset.py, written from the docs and
not from this code): events delivered twice counted once in get_log and analyze_calls, transcripts rebuilt from the
events, pre-call requests before the call's start, and the runtime's diagnostics without timestamps in the runtime's
order. Everything is read through a real MCP session from the sandbox serving the dataset."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import call_text, line, mcp_client, section

pytestmark = pytest.mark.anyio
PARTS = ("llm", "tts", "stt")


async def get_log(client: Any, call_id: str) -> str:
    return await call_text(client, "get_log", {"call_id": call_id})


async def test_events_sent_twice_count_once_in_get_log(round3_sandbox, round3_expected):
    async with mcp_client(round3_sandbox) as client:
        for call_id, truth in round3_expected["dedup"]["per_call"].items():
            text = await get_log(client, call_id)
            events = section(text, "Events")
            again = truth["events_stored"] - truth["events_distinct"]
            assert f"({truth['events_stored']} raw events, {again} of them sent again (shown once)" in events, events
            for name, tool in truth["tools"].items():
                assert len(re.findall(rf"\] tool {name} ", events)) == tool["calls"], (call_id, name, events)
                assert len(re.findall(rf"\] tool {name} FAILED", events)) == tool["failures"], (call_id, name)
            latency = truth["latency"]
            shares = line(section(text, "Turn latency"), "Where the time went (turn_latency events): ")
            total = sum(latency[f"{part}_ms"] for part in PARTS)
            assert shares == ", ".join(f"{p.upper()} {latency[f'{p}_ms'] / total:.0%}" for p in PARTS) + ".", call_id


async def test_events_sent_twice_count_once_in_analyze_calls(round3_sandbox, round3_expected):
    arguments = {"aspects": ["tools", "latency"], "since": "2026-01-01", "attempt": "all", "max_calls": 2000}
    async with mcp_client(round3_sandbox) as client:
        text = await call_text(client, "analyze_calls", arguments)
    for name, tool in round3_expected["dedup"]["dataset_tools"].items():
        calls, failed = line(text, f"{name} | ").split(" | ")[:2]
        assert (int(calls), int(failed)) == (tool["calls"], tool["failures"]), name
    turns = round3_expected["dedup"]["dataset_latency"]["turns"]
    assert f"(n={turns}) over " in line(text, "## Turn latency: ")
    split = line(text, "Split (from turn_latency events): ")
    assert re.findall(r"(LLM|TTS|STT) p50 \d+ ms, p90 \d+ ms \(n=(\d+)\)", split) == [
        (part.upper(), str(turns)) for part in PARTS
    ], split


async def test_a_transcript_missing_from_the_record_is_rebuilt_from_the_events(round3_sandbox, round3_expected):
    async with mcp_client(round3_sandbox) as client:
        for call_id, truth in round3_expected["transcriptless"].items():
            text = await get_log(client, call_id)
            transcript = section(text, "Transcript")
            assert "transcript rebuilt from events" in transcript, (truth["transcript_field"], transcript)
            lines = re.findall(r"^#\d+ \[[\d:.]+\] (\w+): (.*)$", transcript, flags=re.MULTILINE)
            assert [[role.lower(), words] for role, words in lines] == truth["lines"], call_id
            timed = truth["turn_latency"]
            latency = line(section(text, "Turn latency"), f"{timed['turns']} agent replies timed ")
            assert f"median {round(timed['median_ms'])} ms" in latency and f"max {timed['max_ms']} ms" in latency
            dead_air = line(section(text, "Signals"), "dead air over 3000 ms: ")
            assert f"of {timed['turns']} measured turns" in dead_air, "dead air measured, not 'not recorded'"
            # Dead air is a turn whose turn_latency total is over 3000 ms (docs/TOOLS.md, Conversation signals); the
            # key's own `dead_air_gaps_ms` measures to the end of the agent's next line, its speech included.
            assert dead_air.startswith("none of") is (timed["max_ms"] <= 3000), (call_id, dead_air, timed)


async def test_pre_call_requests_are_shown_before_the_call_start(round3_sandbox, round3_expected):
    async with mcp_client(round3_sandbox) as client:
        for call_id, requests in round3_expected["pre_call"].items():
            events = section(await get_log(client, call_id), "Events")
            shown = re.findall(r"^\[(-?)(\d\d):(\d\d\.\d)\] pre-call API", events, flags=re.MULTILINE)
            offsets = [(-1 if sign else 1) * (int(m) * 60 + float(s)) for sign, m, s in shown]
            expected = sorted(request["offset_s"] for request in requests)
            assert offsets == pytest.approx(expected, abs=0.051), (call_id, events)
            assert events.index("pre-call API") < events.index("] call started"), events


def _listed(events: str) -> tuple[list[list[Any]], list[str]]:
    """The turn outcomes get_log lists (a replied turn is only counted) and the barge-ins' holds, in order."""
    turns = [[int(t), outcome] for t, outcome in re.findall(r"\] agent turn (\d+): (\w+)", events)]
    return turns, re.findall(r"\(barge-in, hold (\w+)\)", events)


async def test_runtime_diagnostics_without_timestamps_follow_the_runtimes_order(round3_sandbox, round3_expected):
    async with mcp_client(round3_sandbox) as client:
        for call_id, truth in round3_expected["diagnostics"]["per_call"].items():
            text = await get_log(client, call_id)
            turns, holds = _listed(section(text, "Events"))
            assert turns == [[t, outcome] for t, _, outcome in truth["turn_outcomes"] if outcome != "replied"], call_id
            assert holds == [hold for _, hold in truth["barge_ins"]], call_id
            signals = section(text, "Signals")
            unanswered = line(signals, "unanswered turns: ")
            assert [int(n) for n in re.findall(r"\d+", unanswered)] == truth["no_reply_turns"], unanswered
            done, timeline = truth["timeline_completeness"], line(signals, "timeline: ")
            if done["complete"] is None:
                assert "the runtime did not count its events" in timeline and f"{done['stored']} events" in timeline
            elif done["complete"]:
                assert timeline.startswith(f"complete ({done['stored']} of {done['emitted']} events"), timeline
            else:
                missing = done["emitted"] - done["stored"]
                assert timeline.startswith(f"INCOMPLETE: {missing} of {done['emitted']} events missing"), timeline
