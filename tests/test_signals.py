"""Conversation signals per call (get_log's Signals section) against an answer key made by someone else.

The key (tests/data/live_signals_expected.json) was computed by a separate helper from the live-shaped dataset,
NOTES and the spec only (tests/data/make_signals_expected.py; no project code read). Every call of that dataset is
opened through a real MCP session, and the figures the model reads are parsed back out of the text.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from atoms_logs_mcp.sandbox.diagnostics import planted
from conftest import DATA, PROTOCOL_MODES, call_text, mcp_client

pytestmark = pytest.mark.anyio
KEY = json.loads((DATA / "live_signals_expected.json").read_text(encoding="utf-8"))


def _line(text: str, name: str) -> str | None:
    found = re.search(rf"^{name}: (.*)$", text, flags=re.MULTILINE)
    return found.group(1) if found else None


def _interruptions(value: str) -> int | None:
    if value.startswith("not recorded"):
        return None
    return 0 if value == "none" else int(value.split(" ", 1)[0])


def _turn_list(value: str, pattern: str) -> list[int] | None:
    if value.startswith("not recorded"):
        return None
    return [int(n) for n in re.findall(pattern, value)]


def _missing(value: str) -> int | None:
    if value.startswith("not recorded"):
        return None
    found = re.match(r"INCOMPLETE: (\d+) of", value)
    return int(found.group(1)) if found else 0


def _read(text: str) -> dict[str, Any]:
    signals = text.split("## Signals", 1)[1]
    read: dict[str, Any] = {"events_missing": _missing(_line(signals, "timeline") or "")}
    if _line(signals, "no conversation to measure") is not None or "no conversation to measure" in signals:
        return {**read, "talked": False}
    dead = _line(signals, r"dead air over 3000 ms") or ""
    greeting = _line(signals, "greeting") or ""
    delay = re.search(r"first words ([\d.]+) s", greeting)
    return {
        **read,
        "talked": True,
        "interruptions": _interruptions(_line(signals, "interruptions") or ""),
        "unanswered_turns": _turn_list(_line(signals, "unanswered turns") or "", r"\d+(?=[,) ]|$)"),
        "dead_air_turns": _turn_list(dead, r"turn (\d+) \(") if not dead.startswith("none") else [],
        "greeting_delay_ms": round(float(delay.group(1)) * 1000) if delay else None,
    }


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_per_call_signals_equal_the_answer_key(live_sandbox, mode):
    seen = {"interruptions": 0, "unanswered": 0, "dead_air": 0, "missing": 0}
    async with mcp_client(live_sandbox, mode) as client:
        for call_id, truth in KEY["calls"].items():
            text = await call_text(client, "get_log", {"call_id": call_id, "include": ["signals"]})
            read = _read(text)
            assert read["events_missing"] == truth["events_missing"], (call_id, text)
            if not read["talked"]:  # no transcript: nothing was said, so nothing was interrupted or left unanswered
                assert truth["interruptions"] == 0 and not truth["unanswered_turns"] and not truth["dead_air_turns"]
                continue
            if read["interruptions"] is None:  # the log carries no runtime diagnostics: not a zero it measured
                assert truth["interruptions"] == 0 and truth["events_emitted"] is None, (call_id, text)
            else:
                assert read["interruptions"] == truth["interruptions"], (call_id, text)
            assert read["unanswered_turns"] == truth["unanswered_turns"], (call_id, text)
            assert read["dead_air_turns"] == truth["dead_air_turns"], (call_id, text)
            if truth["greeting_delay_ms"] is not None:
                assert abs(read["greeting_delay_ms"] - truth["greeting_delay_ms"]) <= 50, (call_id, text)
            else:
                assert read["greeting_delay_ms"] is None, (call_id, text)
            seen["interruptions"] += bool(read["interruptions"])
            seen["unanswered"] += bool(read["unanswered_turns"])
            seen["dead_air"] += bool(read["dead_air_turns"])
        for call_id in KEY["calls"]:
            text = await call_text(client, "get_log", {"call_id": call_id, "include": ["signals"]})
            seen["missing"] += bool(_read(text)["events_missing"])
    summary = KEY["summary"]
    assert seen == {
        "interruptions": summary["calls_with_interruptions"],
        "unanswered": summary["calls_with_unanswered_turn"],
        "dead_air": summary["calls_with_dead_air"],
        "missing": summary["calls_with_missing_events"],
    }, "every phenomenon of the key was found, in as many calls"


def _row(text: str, label: str) -> list[str]:
    found = re.search(rf"^{re.escape(label)} \| (.*)$", text, flags=re.MULTILINE)
    assert found, (label, text)
    return [cell.strip() for cell in found.group(1).split("|")]


def _shown(cell: str) -> int:
    return int(cell.split(" of ")[0])


@pytest.mark.parametrize("mode", PROTOCOL_MODES)
async def test_conversation_counts_across_calls_equal_the_answer_key(live_sandbox, live_dataset, mode):
    names = {agent["_id"]: agent["name"] for agent in live_dataset["agents"]}
    arguments = {"aspects": ["conversation"], "attempt": "all", "since": "2026-01-01"}
    async with mcp_client(live_sandbox, mode) as client:
        text = await call_text(client, "analyze_calls", arguments)
    assert f"Read {KEY['summary']['calls']} calls of {KEY['summary']['calls']} matching" in text
    for label, truth in [("all calls", KEY["summary"]), *((names[a], t) for a, t in KEY["by_agent"].items())]:
        calls, interrupted, per_call, unanswered, dead_air, *_, incomplete = _row(text, label)
        assert int(calls) == truth["calls"], label
        assert _shown(interrupted) == truth["calls_with_interruptions"], label
        assert round(float(per_call) * int(interrupted.split(" of ")[1])) == truth["interruptions"], label
        assert _shown(unanswered) == truth["calls_with_unanswered_turn"], label
        assert _shown(dead_air) == truth["calls_with_dead_air"], label
        assert _shown(incomplete) == truth["calls_with_missing_events"], label
        assert int(incomplete.split(" of ")[1]) == truth["calls"] - truth["calls_not_recorded"]["events_missing"]


async def test_calls_without_runtime_diagnostics_say_not_recorded_rather_than_zero(foreign_sandbox, foreign_dataset):
    """The foreign dataset's events carry no barge_in, turn_outcome or call_end diagnostics (its author followed the
    spec, which documents none of them): nothing may be read as zero interruptions or a complete timeline."""
    call = next(c for c in foreign_dataset["calls"] if c["status"] == "completed" and len(c["transcript"]) > 4)
    async with mcp_client(foreign_sandbox) as client:
        one = await call_text(client, "get_log", {"call_id": call["callId"], "include": ["signals"]})
        across = await call_text(client, "analyze_calls", {"aspects": ["conversation"], "since": "2026-01-01"})
    assert _line(one, "interruptions").startswith("not recorded")
    assert _line(one, "unanswered turns").startswith("not recorded")
    assert _line(one, "timeline").startswith("not recorded")
    _, interrupted, per_call, unanswered, *_, incomplete = _row(across, "all calls")
    assert (interrupted, per_call, unanswered, incomplete) == ("not recorded", "-", "not recorded", "not recorded")
    assert "Not recorded (the log lacks the events): interruptions in" in across


async def test_the_generated_data_plants_each_signal_and_the_tools_find_exactly_it(sandbox, generated_dataset):
    """The sandbox's own truth (`sandbox.diagnostics.planted`): barge-ins, no_reply turns, lost events, voicemail."""
    truth = [(call, planted(call)) for call in generated_dataset["calls"]]
    talked = [(call, p) for call, p in truth if call["transcript"]]
    expected = {
        "interrupted": sum(1 for _, p in talked if p["interruptions"]),
        "unanswered": sum(1 for _, p in talked if p["unanswered_turns"]),
        "incomplete": sum(1 for _, p in truth if p["events_missing"]),
        "voicemail": sum(1 for _, p in truth if p["voicemail"]),
    }
    assert all(expected.values()), f"the generator plants every phenomenon: {expected}"
    arguments = {"aspects": ["conversation"], "attempt": "all", "since": "2026-01-01", "max_calls": 2000}
    async with mcp_client(sandbox) as client:
        text = await call_text(client, "analyze_calls", arguments)
        lost = next(call for call, p in truth if p["events_missing"])
        one = await call_text(client, "get_log", {"call_id": lost["callId"], "include": ["signals"]})
    _, interrupted, _, unanswered, *_, incomplete = _row(text, "all calls")
    assert _shown(interrupted) == expected["interrupted"]
    assert _shown(unanswered) == expected["unanswered"]
    assert _shown(incomplete) == expected["incomplete"]
    endings = re.search(r"^How calls ended: (.*)$", text, flags=re.MULTILINE).group(1)  # type: ignore[union-attr]
    assert sum(int(n) for n in re.findall(r"\(voicemail\) (\d+)", endings)) == expected["voicemail"]
    assert f"INCOMPLETE: {planted(lost)['events_missing']} of" in one
