"""Conversation signals of one call, computed from its events and transcript: facts a model can rely on.

Each signal is None when the call's data cannot support it ("not recorded"), never a zero it did not measure:
- greeting delay: from the `call_start` event to the first agent turn of the transcript;
- interruptions: `barge_in` events (the caller talking over the agent), with the hold outcome and the agent turn
  they fell in (the turn_index of the latest turn event before them); not recorded when the log carries none of
  the runtime's diagnostics (turn_outcome, barge_in, call_end diagnostics);
- unanswered turns: `turn_outcome` events with outcome `no_reply`, by the runtime's turn_index;
- dead air: agent replies slower than `dead_air_ms`, from `turn_latency` events (total_turn_ms), else from
  turnLatencyMetrics.transitions;
- talk time: each transcript turn lasts until the next one starts (the last until the call ends);
- repeated lines: agent turns said word for word more than once;
- transfers and end_call: tool calls whose function name holds "transfer", or is end_call;
- voicemail: the disconnection reason or details, or an event, naming voicemail;
- timeline completeness: events stored with the call_end's `source` (call_end aside) against its
  `diagnostics.counts.events_emitted` (NOTES, "Runtime diagnostics").
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..api.events import CallEvent, ToolCall, number, tool_calls
from ..api.models import CallDetail
from .analysis import call_end

DEAD_AIR_MS = 3000.0
TURN_EVENTS = ("turn_latency", "turn_outcome")


@dataclass(frozen=True)
class Interruption:
    at: datetime | None
    hold: str | None
    """accepted or refused (whether the agent held its turn), when the event says."""
    turn: int | None


@dataclass(frozen=True)
class Completeness:
    emitted: int
    stored: int
    source: str | None

    @property
    def missing(self) -> int:
        return max(0, self.emitted - self.stored)


@dataclass(frozen=True)
class Signals:
    greeting_delay_s: float | None
    interruptions: list[Interruption] | None
    unanswered_turns: list[int] | None
    dead_air: list[tuple[int | None, float]] | None
    """(turn, milliseconds) of each reply slower than the threshold."""
    turn_ms: list[float]
    """Every measured reply time (ms), the dead-air source."""
    talk_time_s: dict[str, float] | None
    repeated_lines: list[tuple[str, list[int]]]
    """(agent line, transcript turn numbers) for each line said more than once."""
    transfers: list[ToolCall]
    end_calls: int
    voicemail: bool
    timeline: Completeness | None
    ended_by: str | None
    """The disconnection reason, as the API names it."""
    talked: bool
    """Whether the call has any transcript turn (without one, only the ending and the timeline are shown)."""
    dead_air_ms: float = DEAD_AIR_MS


def compact(s: Signals) -> dict[str, Any]:
    """What the across-calls figures need of one call's signals, small enough for its digest (JSON): the turn
    latencies are kept rather than the dead-air turns, so any threshold can be applied later."""
    return {
        "talked": s.talked,
        "greeting_s": s.greeting_delay_s,
        "interruptions": None if s.interruptions is None else len(s.interruptions),
        "unanswered": None if s.unanswered_turns is None else len(s.unanswered_turns),
        "turn_ms": None if s.dead_air is None else list(s.turn_ms),
        "repeated": len(s.repeated_lines),
        "transfers": [t.outcome for t in s.transfers],
        "end_calls": s.end_calls,
        "voicemail": s.voicemail,
        "ended_by": s.ended_by,
        "missing": None if s.timeline is None else s.timeline.missing,
    }


def signals(call: CallDetail, dead_air_ms: float = DEAD_AIR_MS) -> Signals:
    events = call.timeline
    tools = tool_calls(events)
    measured = _measured_turns(call)
    dead_air = None if not measured else [(turn, ms) for turn, ms in measured if ms > dead_air_ms]
    return Signals(
        greeting_delay_s=_greeting_delay(call),
        interruptions=_interruptions(events) if _diagnosed(events) else None,
        unanswered_turns=_unanswered(events),
        dead_air=dead_air,
        turn_ms=[ms for _, ms in measured],
        talk_time_s=_talk_time(call),
        repeated_lines=_repeated_lines(call),
        transfers=[tool for tool in tools if "transfer" in tool.name.lower()],
        end_calls=sum(1 for tool in tools if tool.name.lower() in ("end_call", "endcall", "end_call_tool")),
        voicemail=_voicemail(call),
        timeline=_completeness(events),
        ended_by=call.disconnection_reason,
        talked=bool(call.transcript),
        dead_air_ms=dead_air_ms,
    )


def _turn_index(event: CallEvent) -> int | None:
    value = event.number("turn_index", "turn")
    return round(value) if value is not None else None


def _greeting_delay(call: CallDetail) -> float | None:
    started = next((e.at for e in call.timeline if e.kind == "call_start" and e.at is not None), None)
    spoke = next((t.timestamp for t in call.transcript if t.role == "agent" and t.timestamp is not None), None)
    if started is None or spoke is None:
        return None
    return (spoke - started).total_seconds()


def _diagnosed(events: list[CallEvent]) -> bool:
    """Whether the runtime's diagnostics reached the log: without them no barge-in means nothing."""
    return any(e.kind in ("turn_outcome", "barge_in") for e in events) or _completeness(events) is not None


def _interruptions(events: list[CallEvent]) -> list[Interruption]:
    found, turn = [], None
    for event in events:
        if event.kind in TURN_EVENTS and _turn_index(event) is not None:
            turn = _turn_index(event)
        if event.kind == "barge_in":
            hold = event.text("hold_outcome")
            found.append(Interruption(event.at, hold.lower() if hold else None, turn))
    return found


def _unanswered(events: list[CallEvent]) -> list[int] | None:
    outcomes = [e for e in events if e.kind == "turn_outcome"]
    if not outcomes:
        return None
    turns = {_turn_index(e) for e in outcomes if (e.text("outcome") or "").lower() == "no_reply"}
    return sorted(turn for turn in turns if turn is not None)


def _measured_turns(call: CallDetail) -> list[tuple[int | None, float]]:
    """(turn_index, reply ms) from the turn_latency events, else from turnLatencyMetrics.transitions."""
    measured = [
        (_turn_index(e), total)
        for e in call.timeline
        if e.kind == "turn_latency" and (total := e.number("total_turn_ms", "turn_latency")) is not None
    ]
    if not measured and call.turn_latency_metrics is not None:
        transitions = call.turn_latency_metrics.transitions
        measured = [
            (round(t.turn) if t.turn is not None else None, t.latency) for t in transitions if t.latency is not None
        ]
    return measured


def _talk_time(call: CallDetail) -> dict[str, float] | None:
    turns = [t for t in call.transcript if t.timestamp is not None and t.role in ("agent", "user")]
    end = call_end(call)
    if not turns or end is None or len(turns) != len(call.transcript):
        return None  # a turn without a time cannot be given its length
    talk: dict[str, float] = defaultdict(float)
    for turn, following in zip(turns, [*turns[1:], None], strict=True):
        until = following.timestamp if following is not None else end
        if turn.timestamp is not None and until is not None and until >= turn.timestamp:
            talk[str(turn.role)] += (until - turn.timestamp).total_seconds()
    return dict(talk)


def _repeated_lines(call: CallDetail) -> list[tuple[str, list[int]]]:
    said: dict[str, list[int]] = defaultdict(list)
    for number_, turn in enumerate(call.transcript, start=1):
        if turn.role == "agent" and turn.content and turn.content.strip():
            said[turn.content.strip()].append(number_)
    return [(line, turns) for line, turns in said.items() if len(turns) > 1]


def _voicemail(call: CallDetail) -> bool:
    texts = [call.disconnection_reason or "", str(call.disconnect_details or "")]
    texts += [e.kind for e in call.timeline]
    return any("voicemail" in text.lower() for text in texts)


def _completeness(events: list[CallEvent]) -> Completeness | None:
    end = next((e for e in reversed(events) if e.kind == "call_end"), None)
    diagnostics = end.get("diagnostics") if end is not None else None
    counts = diagnostics.get("counts") if isinstance(diagnostics, dict) else None
    emitted = number(counts.get("events_emitted")) if isinstance(counts, dict) else None
    if end is None or emitted is None:
        return None
    stored = sum(1 for e in events if e is not end and e.source == end.source)
    return Completeness(round(emitted), stored, end.source)
