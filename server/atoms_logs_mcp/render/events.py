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

from ..api.events import TOOL_ENDS, TOOL_START, CallEvent, ToolCall, flag, tool_calls
from . import formats
from .budget import estimate_tokens
from .untrusted import clean, clip

# Kinds summarised by a count: the transcript and latency sections already show what they carry.
COUNTED = {
    "turn_latency": "turn latency measurements (see Turn latency)",
    "user_interim_transcription": "interim transcriptions",
    "user_transcription": "user transcriptions (see Transcript)",
    "tts_completed": "agent speech segments (see Transcript)",
    "llm_full_response_end": "language-model replies (see Transcript)",
    "metrics": "pipeline metrics",
    "sse_init": "stream opened",
    "sse_close": "stream closed",
}
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
    error, success = event.get("error"), flag(event.get("success"))
    if success is False or error:
        return "FAILED" + (f": {_text(error)}" if error else "")
    return "ok" if success is True else ""


def _api(event: CallEvent) -> str:
    name = "pre-call API" if event.kind == "pre_call_api" else "post-call API"
    took = _ms(event.number("latency", "latency_ms"))
    parts = [name, _text(event.get("method") or "", 8), _outcome(event), f"({took})" if took else ""]
    return " ".join(p for p in parts if p)


def _call_end(event: CallEvent) -> str:
    status, reason = event.text("call_status", "status"), event.text("reason", "end_reason")
    diagnostics = event.get("diagnostics")
    counts = diagnostics.get("counts") if isinstance(diagnostics, dict) else None
    emitted = counts.get("events_emitted") if isinstance(counts, dict) else None
    parts = [
        f"status {_text(status, 40)}" if status else "",
        f"reason {_text(reason, 60)}" if reason else "",
        f"{_text(emitted, 12)} events emitted" if emitted else "",
    ]
    detail = "; ".join(p for p in parts if p)
    return "call ended" + (f" ({detail})" if detail else "")


def _turn_outcome(event: CallEvent) -> str:
    turn = event.number("turn_index")
    where = f" {round(turn)}" if turn is not None else ""
    return f"agent turn{where}: {_text(event.get('outcome') or '?', 40)}"


def _barge_in(event: CallEvent) -> str:
    hold = event.text("hold_outcome")
    return "caller interrupted the agent (barge-in" + (f", hold {_text(hold, 20)})" if hold else ")")


def _turn_latency(event: CallEvent) -> str:
    """Shown on a live watch (get_log has its own latency section): the wait and where it went."""
    turn, total = event.number("turn_index"), event.number("total_turn_ms", "turn_latency")
    parts = [(name, event.number(f"{key}_api_ms")) for name, key in (("LLM", "llm"), ("TTS", "tts"), ("STT", "stt"))]
    split = ", ".join(f"{name} {round(value)}" for name, value in parts if value is not None)
    where = f" {round(turn)}" if turn is not None else ""
    return f"turn{where} latency {_ms(total) or '?'}" + (f" ({split})" if split else "")


def _custom_log(event: CallEvent) -> str:
    name = event.text("name") or event.kind
    payload = event.get("payload")
    return f"agent log {_text(name, 60)}" + (f": {_text(payload)}" if payload is not None else "")


def _generic(event: CallEvent) -> str:
    rest = {**event.fields, **{k: v for part in event.nested.values() for k, v in part.items()}}
    kind = _text(event.kind or "untyped", 40)
    return f"{kind}: {_text(rest)}" if rest else kind


_DESCRIBE: dict[str, Callable[[CallEvent], str]] = {
    "call_queued": lambda e: "call queued",
    "call_start": lambda e: "call started",
    "call_end": _call_end,
    "call_cancelled": lambda e: "call cancelled",
    "call_recording": lambda e: "recording " + _text(e.get("status") or "available", 30),
    "agent_error": lambda e: "AGENT ERROR: " + _text(e.get("error") or e.nested.get("metadata") or "(no detail)"),
    "agent_log": lambda e: "agent log: " + _text(e.get("message") or e.nested.get("metadata") or ""),
    "agent.log": _custom_log,
    "turn_outcome": _turn_outcome,
    "barge_in": _barge_in,
    "turn_latency": _turn_latency,
    "hopping": lambda e: f"node {_text(e.get('from_node_id') or '?', 40)} → {_text(e.get('to_node_id') or '?', 40)}",
    "agent_node_state": lambda e: "node state: " + _text(e.get("node_name") or e.get("node_id") or "?", 60),
    "knowledgebase": lambda e: " ".join(
        p for p in ("knowledge base lookup", _outcome(e), _ms(e.number("latency", "latency_ms"))) if p
    ),
    "variable_extraction": lambda e: (
        "variables extracted: "
        + _text(", ".join(map(str, v.keys())) if isinstance(v := e.get("variables"), dict) else "none")
    ),
    "pre_call_api": _api,
    "post_call_api": _api,
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
        elif event.kind == "turn_outcome" and event.get("outcome") == "replied":
            counted["turn_outcome"] += 1
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
        words = {**counted_kinds, "turn_outcome": "agent turns replied normally"}
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
