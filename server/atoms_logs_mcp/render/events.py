"""A call's events, condensed into a timeline a model can read.

Events come read into one shape (`call_events`); the kinds below follow the documented live-event
types and those seen live. Anything else is rendered generically, never dropped and never a failure.
Tool calls are one line each, start and end paired, with their outcome, time taken and error.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..api import event_fields as ef
from ..api.event_fields import EventKind
from ..api.events import TOOL_ENDS, TOOL_START, CallEvent, ToolCall, tool_calls
from . import formats
from .budget import estimate_tokens
from .untrusted import clean, clip

# Kinds summarised by a count: the transcript and latency sections already show what they carry.
COUNTED: dict[str, str] = {
    EventKind.TURN_LATENCY: "turn latency measurements (see Turn latency)",
    EventKind.USER_INTERIM_TRANSCRIPTION: "interim transcriptions",
    EventKind.USER_TRANSCRIPTION: "user transcriptions (see Transcript)",
    EventKind.TTS_COMPLETED: "agent speech segments (see Transcript)",
    EventKind.LLM_FULL_RESPONSE_END: "language-model replies (see Transcript)",
    EventKind.METRICS: "pipeline metrics",
    EventKind.SSE_INIT: "stream opened",
    EventKind.SSE_CLOSE: "stream closed",
}
UNSHOWN = " (see Transcript)"
COUNTED_WITHOUT_TRANSCRIPT = {kind: words.removesuffix(UNSHOWN) for kind, words in COUNTED.items()}
"""For a call with no transcript to point to (its speech events carry no words)."""
DETAIL_CHARS = 120
_SINGULAR = {
    "measurements": "measurement",
    "transcriptions": "transcription",
    "segments": "segment",
    "replies": "reply",
    "metrics": "metric",
    "turns": "turn",
    "lines": "line",
}


def _numbered(phrase: str, count: int) -> str:
    """The counted phrase (written in the plural) for `count`: its first plural noun made singular for one."""
    if count != 1:
        return phrase
    words = phrase.split(" ")
    at = next((i for i, word in enumerate(words) if word in _SINGULAR), None)
    return phrase if at is None else " ".join([*words[:at], _SINGULAR[words[at]], *words[at + 1 :]])


def _text(value: Any, limit: int = DETAIL_CHARS) -> str:
    if isinstance(value, dict):
        value = ", ".join(f"{k}={_compact(v)}" for k, v in value.items())
    elif isinstance(value, list):
        value = _compact(value)
    return clip(clean(value), limit)


def _compact(value: Any) -> str:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def _ms(value: float | None) -> str:
    return f"{round(value)} ms" if value is not None else ""


def _outcome(event: CallEvent) -> str:
    error, success = ef.error_value(event), ef.success(event)
    if success is False or error:
        return "FAILED" + (f": {_text(error)}" if error else "")
    return "ok" if success is True else ""


def _api(event: CallEvent) -> str:
    name = "pre-call API" if event.kind == EventKind.PRE_CALL_API else "post-call API"
    took = _ms(ef.latency_ms(event))
    parts = [name, _text(ef.method(event) or "", 8), _outcome(event), f"({took})" if took else ""]
    return " ".join(p for p in parts if p)


def _call_end(event: CallEvent) -> str:
    status, reason, emitted = ef.call_status(event), ef.end_reason(event), ef.events_emitted(event)
    count = _text(int(emitted) if emitted.is_integer() else emitted, 12) if emitted else ""
    parts = [
        f"status {_text(status, 40)}" if status else "",
        f"reason {_text(reason, 60)}" if reason else "",
        f"{count} {formats.agree(emitted, 'event', 'events')} emitted" if emitted else "",
    ]
    detail = "; ".join(p for p in parts if p)
    return "call ended" + (f" ({detail})" if detail else "")


def _turn_outcome(event: CallEvent) -> str:
    turn = ef.turn_index(event)
    where = f" {turn}" if turn is not None else ""
    return f"agent turn{where}: {_text(ef.outcome(event) or '?', 40)}"


def _barge_in(event: CallEvent) -> str:
    hold = ef.hold_outcome(event)
    return "caller interrupted the agent (barge-in" + (f", hold {_text(hold, 20)})" if hold else ")")


def _turn_latency(event: CallEvent) -> str:
    """Shown on a live watch (get_log has its own latency section): the wait and where it went."""
    turn, total = ef.turn_index(event), ef.total_turn_ms(event)
    parts = ef.latency_parts(event).items()
    split = ", ".join(f"{name.upper()} {round(value)}" for name, value in parts if value is not None)
    where = f" {turn}" if turn is not None else ""
    return f"turn{where} latency {_ms(total) or '?'}" + (f" ({split})" if split else "")


def _custom_log(event: CallEvent) -> str:
    name = ef.log_name(event) or event.kind
    payload = ef.payload(event)
    return f"agent log {_text(name, 60)}" + (f": {_text(payload)}" if payload is not None else "")


def _generic(event: CallEvent) -> str:
    rest = ef.all_fields(event)
    kind = _text(event.kind or "untyped", 40)
    return f"{kind}: {_text(rest)}" if rest else kind


_DESCRIBE: dict[str, Callable[[CallEvent], str]] = {
    EventKind.CALL_QUEUED: lambda e: "call queued",
    EventKind.CALL_START: lambda e: "call started",
    EventKind.CALL_END: _call_end,
    EventKind.CALL_CANCELLED: lambda e: "call cancelled",
    EventKind.CALL_RECORDING: lambda e: "recording " + _text(ef.recording_status(e) or "available", 30),
    EventKind.AGENT_ERROR: lambda e: "AGENT ERROR: " + _text(ef.error_value(e) or ef.metadata(e) or "(no detail)"),
    EventKind.AGENT_LOG: lambda e: "agent log: " + _text(ef.message(e) or ef.metadata(e) or ""),
    EventKind.CUSTOM_LOG: _custom_log,
    EventKind.TURN_OUTCOME: _turn_outcome,
    EventKind.BARGE_IN: _barge_in,
    EventKind.TURN_LATENCY: _turn_latency,
    EventKind.HOPPING: lambda e: f"node {_text(ef.from_node(e) or '?', 40)} → {_text(ef.to_node(e) or '?', 40)}",
    EventKind.AGENT_NODE_STATE: lambda e: "node state: " + _text(ef.node(e) or "?", 60),
    EventKind.KNOWLEDGEBASE: lambda e: " ".join(
        p for p in ("knowledge base lookup", _outcome(e), _ms(ef.latency_ms(e))) if p
    ),
    EventKind.VARIABLE_EXTRACTION: lambda e: (
        "variables extracted: "
        + _text(", ".join(map(str, v.keys())) if isinstance(v := ef.variables(e), dict) else "none")
    ),
    EventKind.PRE_CALL_API: _api,
    EventKind.POST_CALL_API: _api,
}


def _tool_line(tool: ToolCall, ended: datetime | None, start: datetime | None) -> str:
    took = f" ({_ms(tool.latency_ms)})" if tool.latency_ms is not None else ""
    name = f"tool {_text(tool.name, 60)}"
    if tool.outcome == "no result":
        end = (
            f" before the call ended at [{formats.offset((ended - start).total_seconds())}]" if ended and start else ""
        )
        return f"{name} started; no result was recorded{end}"
    if tool.outcome == "failed":
        return f"{name} FAILED" + (f": {_text(tool.error)}" if tool.error else "") + took
    if tool.outcome == "ok":
        return f"{name} ok{took}"
    return f"{name} ended, outcome not recorded{took}"


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: when (seconds from the start, None if unknown), what, and its tool call if any."""

    seconds: float | None
    kind: str
    text: str
    tool: ToolCall | None = None


def timeline_entries(
    events: Sequence[CallEvent],
    start: datetime | None,
    ended: datetime | None = None,
    counted_kinds: Mapping[str, str] = COUNTED,
) -> tuple[list[Entry], Counter[str]]:
    """Every event worth a line (a tool call's start and end as one), in time order (unknown times last), and how
    many of each counted kind were summed up instead."""
    counted: Counter[str] = Counter()
    entries: list[Entry] = []
    for event in events:
        if event.kind in counted_kinds:
            counted[event.kind] += 1
        elif event.kind == EventKind.TURN_OUTCOME and ef.outcome(event) == "replied":
            counted[EventKind.TURN_OUTCOME] += 1
        elif event.kind != TOOL_START and event.kind not in TOOL_ENDS:
            entries.append(Entry(_seconds(event.at, start), event.kind, _DESCRIBE.get(event.kind, _generic)(event)))
    for tool in tool_calls(events):
        entries.append(Entry(_seconds(tool.at, start), "tool", _tool_line(tool, ended, start), tool))
    entries.sort(key=lambda entry: float("inf") if entry.seconds is None else entry.seconds)
    return entries, counted


def timeline(
    events: Sequence[CallEvent],
    start: datetime | None,
    ended: datetime | None = None,
    limit: int | None = None,
    max_tokens: int | None = None,
    counted_kinds: Mapping[str, str] = COUNTED,
) -> tuple[list[str], int]:
    """Lines `[mm:ss.s] what happened`, in time order, and how many were left out by `limit` or `max_tokens`.

    `start` is the call's start (offsets count from it); `ended` its end, for tool calls left unanswered.
    `counted_kinds` are summed up in one closing line (kind -> words) instead of a line each.
    """
    entries, counted = timeline_entries(events, start, ended, counted_kinds)
    rendered = [f"[{'  ?  ' if e.seconds is None else formats.offset(e.seconds)}] {e.text}" for e in entries]
    if counted:
        words = {**counted_kinds, EventKind.TURN_OUTCOME: "agent turns replied normally"}
        rendered.append("also: " + "; ".join(f"{n} {_numbered(words[kind], n)}" for kind, n in counted.most_common()))
    kept = len(rendered) if limit is None else min(limit, len(rendered))
    if max_tokens is not None:
        size = 0
        for index, line in enumerate(rendered[:kept]):
            size += estimate_tokens(line) + 1
            if size > max_tokens:
                kept = index
                break
    return rendered[:kept], len(rendered) - kept


def _seconds(moment: datetime | None, start: datetime | None) -> float | None:
    return None if moment is None or start is None else (moment - start).total_seconds()
