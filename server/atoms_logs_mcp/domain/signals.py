"""Conversation signals of one call, computed from its events and transcript: facts a model can rely on.

Turn numbers are the runtime's turn_index (as its events count turns), not get_log's transcript #N. The events
are the call's `timeline`: each once, in order (`api.events.call_events`). Each signal is None when the call's data
cannot support it ("not recorded"), never a zero it did not measure:
- greeting delay: from the `call_start` event to the first agent turn of the transcript (not recorded if before,
  or when the transcript was rebuilt from the events, whose times are when a line ended, not when it began);
- interruptions: `barge_in` events (the caller talking over the agent), with the hold outcome (`accepted`: the
  agent yielded, its turn ends interrupted; `refused`: it kept talking) and the runtime turn they fell in (the
  turn_index of the latest turn event before them; unknown for a barge_in without a timestamp); not recorded when
  the log carries none of the runtime's diagnostics (turn_outcome, barge_in, call_end diagnostics);
- unanswered turns: turns whose last `turn_outcome` attempt is `no_reply`, by the runtime's turn_index;
- dead air: agent replies slower than `dead_air_ms`, from `turn_latency` events (total_turn_ms), else from
  turnLatencyMetrics.transitions; listed by turn_index;
- talk time: each transcript turn lasts until the next one starts (the last until the call ends; not recorded for
  a transcript rebuilt from the events);
- repeated lines: agent turns said word for word more than once;
- transfers and end_call: tool calls whose function name starts with "transfer", or is end_call;
- voicemail: the disconnection reason or details, or an event, naming voicemail;
- timeline completeness: events stored with the call_end's `source` (call_end aside) against its
  `diagnostics.counts.events_emitted` (NOTES, "Runtime diagnostics"); unknown when the diagnostics carry no count.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..api import event_fields as ef
from ..api.event_fields import EventKind
from ..api.events import CallEvent, ToolCall, number, tool_calls
from ..api.models import CallDetail
from .analysis import call_end

DEAD_AIR_MS = 3000.0
TURN_EVENTS = (EventKind.TURN_LATENCY, EventKind.TURN_OUTCOME)


@dataclass(frozen=True)
class Interruption:
    at: datetime | None
    hold: str | None
    """As the event says: accepted (the agent yielded: the turn ends interrupted) or refused (it kept talking)."""
    turn: int | None


@dataclass(frozen=True)
class Completeness:
    """What the call_end's diagnostics tell of the timeline: `emitted` is None when they carry no count of the
    events the runtime sent (then whether events were lost is not known)."""

    emitted: int | None
    stored: int
    source: str | None

    @property
    def missing(self) -> int | None:
        return None if self.emitted is None else max(0, self.emitted - self.stored)


@dataclass(frozen=True)
class Signals:
    greeting_delay_s: float | None
    interruptions: list[Interruption] | None
    unanswered_turns: list[int | None] | None
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
    rebuilt: bool = False
    """Whether the transcript was rebuilt from the events (whose times are when a line ended)."""


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
        "missing": None if s.timeline is None else s.timeline.missing,  # None too when the runtime did not count
    }


def signals(call: CallDetail, dead_air_ms: float = DEAD_AIR_MS) -> Signals:
    events = call.timeline
    tools = tool_calls(events)
    measured = _measured_turns(call, events)
    dead_air = None if not measured else sorted(((t, ms) for t, ms in measured if ms > dead_air_ms), key=_by_turn)
    timeline = _completeness(events)
    return Signals(
        greeting_delay_s=_greeting_delay(call),
        interruptions=_interruptions(events) if _diagnosed(events, timeline) else None,
        unanswered_turns=_unanswered(events),
        dead_air=dead_air,
        turn_ms=[ms for _, ms in measured],
        talk_time_s=_talk_time(call),
        repeated_lines=_repeated_lines(call),
        transfers=[tool for tool in tools if tool.name.lower().startswith("transfer")],
        end_calls=sum(1 for tool in tools if tool.name.lower() in ("end_call", "endcall", "end_call_tool")),
        voicemail=_voicemail(call),
        timeline=timeline,
        ended_by=call.disconnection_reason,
        talked=any(turn.content for turn in call.transcript),
        dead_air_ms=dead_air_ms,
        rebuilt=call.transcript_rebuilt,
    )


def _by_turn(measured: tuple[int | None, float]) -> tuple[bool, int]:
    """Turns in the runtime's order (turn_index), a turn without its number last."""
    return measured[0] is None, measured[0] or 0


def _role(role: str | None) -> str:
    return (role or "").strip().lower()


def _greeting_delay(call: CallDetail) -> float | None:
    if call.transcript_rebuilt:
        return None  # the events time a line when it ended: the greeting's start is not known
    started = next((e.at for e in call.timeline if e.kind == EventKind.CALL_START and e.at is not None), None)
    spoke = next((t.timestamp for t in call.transcript if _role(t.role) == "agent" and t.timestamp is not None), None)
    if started is None or spoke is None or spoke < started:
        return None  # an agent line before the call started: the times disagree, so nothing is measured
    return (spoke - started).total_seconds()


def _diagnosed(events: list[CallEvent], timeline: Completeness | None) -> bool:
    """Whether the runtime's diagnostics reached the log: without them no barge-in means nothing."""
    return timeline is not None or any(e.kind in (EventKind.TURN_OUTCOME, EventKind.BARGE_IN) for e in events)


def _interruptions(events: list[CallEvent]) -> list[Interruption]:
    found, turn = [], None
    for event in events:
        index = ef.turn_index(event) if event.kind in TURN_EVENTS else None
        turn = index if index is not None else turn
        if event.kind == EventKind.BARGE_IN:
            hold = ef.hold_outcome(event)
            placed = turn if event.at is not None else None  # untimed: nothing tells which turn it fell in
            found.append(Interruption(event.at, hold.lower() if hold else None, placed))
    return found


def _unanswered(events: list[CallEvent]) -> list[int | None] | None:
    """The turns whose last attempt the agent never answered (a retried turn counts by its last attempt); a
    no_reply without a turn_index is kept as an unknown turn."""
    outcomes = [e for e in events if e.kind == EventKind.TURN_OUTCOME]
    if not outcomes:
        return None
    last: dict[int, CallEvent] = {}
    unknown = []
    for event in outcomes:
        index = ef.turn_index(event)
        if index is None:
            unknown.append(event)
        elif index not in last or (ef.attempt(event) or 0) >= (ef.attempt(last[index]) or 0):
            last[index] = event
    known: list[int | None] = [index for index in sorted(last) if _no_reply(last[index])]
    return known + [None for e in unknown if _no_reply(e)]


def _no_reply(event: CallEvent) -> bool:
    return (ef.outcome(event) or "").lower() == "no_reply"


def _measured_turns(call: CallDetail, events: list[CallEvent]) -> list[tuple[int | None, float]]:
    """(turn_index, reply ms) from the turn_latency events, else turnLatencyMetrics.transitions, else its
    latencies (turn unknown): the sources the Latency section reads."""
    measured = [
        (ef.turn_index(e), total)
        for e in events
        if e.kind == EventKind.TURN_LATENCY and (total := ef.total_turn_ms(e)) is not None
    ]
    metrics = call.turn_latency_metrics
    if not measured and metrics is not None:
        measured = [
            (round(t.turn) if t.turn is not None else None, t.latency)
            for t in metrics.transitions
            if t.latency is not None
        ]
        if not measured:
            measured = [(None, ms) for value in metrics.latencies if (ms := number(value)) is not None]
    return [(turn, ms) for turn, ms in measured if ms >= 0]


def _talk_time(call: CallDetail) -> dict[str, float] | None:
    turns = [t for t in call.transcript if t.timestamp is not None and _role(t.role) in ("agent", "user")]
    end = call_end(call)
    if not turns or end is None or len(turns) != len(call.transcript) or call.transcript_rebuilt:
        return None  # a turn without a time cannot be given its length
    talk: dict[str, float] = defaultdict(float)
    for turn, following in zip(turns, [*turns[1:], None], strict=True):
        until = following.timestamp if following is not None else end
        if turn.timestamp is not None and until is not None and until >= turn.timestamp:
            talk[_role(turn.role)] += (until - turn.timestamp).total_seconds()
    return dict(talk)


def _repeated_lines(call: CallDetail) -> list[tuple[str, list[int]]]:
    said: dict[str, list[int]] = defaultdict(list)
    for number_, turn in enumerate(call.transcript, start=1):
        if _role(turn.role) == "agent" and turn.content and turn.content.strip():
            said[turn.content.strip()].append(number_)
    return [(line, turns) for line, turns in said.items() if len(turns) > 1]


def _voicemail(call: CallDetail) -> bool:
    texts = [call.disconnection_reason or "", str(call.disconnect_details or "")]
    texts += [e.kind for e in call.timeline]
    return any("voicemail" in text.lower() for text in texts)


def _completeness(events: list[CallEvent]) -> Completeness | None:
    """None when no call_end carries diagnostics; `emitted` None when they carry no usable count."""
    end = next((e for e in reversed(events) if e.kind == EventKind.CALL_END), None)
    if end is None or ef.diagnostics(end) is None:
        return None
    if end.source is None and any(e.source for e in events):
        return None  # the call_end names no source to count by, while other events have one
    emitted = ef.events_emitted(end)
    stored = sum(1 for e in events if e is not end and e.source == end.source)
    return Completeness(round(emitted) if emitted is not None and emitted >= 0 else None, stored, end.source)
