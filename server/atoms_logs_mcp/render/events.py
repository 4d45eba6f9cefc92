"""A call's raw event stream, condensed into a timeline a model can read.

Events are free-form objects (NOTES.md); the shapes below follow the documented live-event types.
Anything else is rendered generically, never dropped and never a failure.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from . import formats
from .budget import estimate_tokens
from .untrusted import clean, clip

Event = Mapping[str, Any]
# Kinds summarised by a count: the transcript and latency sections already show what they carry.
COUNTED = {
    "turn_latency": "turn latency measurements (see Latency)",
    "user_interim_transcription": "interim transcriptions",
    "user_transcription": "user transcriptions (see Transcript)",
    "tts_completed": "agent speech segments (see Transcript)",
    "metrics": "pipeline metrics",
    "sse_init": "stream opened",
    "sse_close": "stream closed",
}
_ENVELOPE = {"event_type", "event_id", "timestamp", "call_id", "event_time"}
DETAIL_CHARS = 120


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


def _ms(event: Event, *names: str) -> str:
    for name in names:
        value = event.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"{round(value)} ms"
    return ""


def _outcome(event: Event) -> str:
    error = event.get("error")
    if event.get("success") is False or error:
        return "FAILED" + (f": {_text(error)}" if error else "")
    return "ok" if event.get("success") is True else ""


def _tool(event: Event) -> str:
    took = _ms(event, "latency_ms", "latency")
    outcome = "FAILED" if event.get("event_type") == "tool_call_error" else _outcome(event)
    if outcome.startswith("FAILED") and event.get("error") and ":" not in outcome:
        outcome += f": {_text(event['error'])}"
    return " ".join(
        p
        for p in (
            f"tool {_text(event.get('function_name') or '?', 60)}",
            outcome,
            f"({took})" if took else "",
        )
        if p
    )


def _api(event: Event) -> str:
    name = "pre-call API" if event.get("event_type") == "pre_call_api" else "post-call API"
    took = _ms(event, "latency", "latency_ms")
    parts = [name, _text(event.get("method") or "", 8), _outcome(event), f"({took})" if took else ""]
    return " ".join(p for p in parts if p)


def _generic(event: Event) -> str:
    rest = {k: v for k, v in event.items() if k not in _ENVELOPE}
    kind = _text(event.get("event_type") or "untyped", 40)
    return f"{kind}: {_text(rest)}" if rest else kind


_DESCRIBE: dict[str, Callable[[Event], str]] = {
    "call_start": lambda e: "call started",
    "call_end": lambda e: "call ended" + (f" ({_text(e['metadata'])})" if e.get("metadata") else ""),
    "call_cancelled": lambda e: "call cancelled",
    "call_recording": lambda e: "recording " + _text(e.get("status") or "available", 30),
    "tool_call_end": _tool,
    "tool_call_error": _tool,
    "agent_error": lambda e: "AGENT ERROR: " + _text(e.get("error") or e.get("metadata") or "(no detail)"),
    "agent_log": lambda e: "agent log: " + _text(e.get("metadata") or ""),
    "hopping": lambda e: f"node {_text(e.get('from_node_id') or '?', 40)} → {_text(e.get('to_node_id') or '?', 40)}",
    "agent_node_state": lambda e: "node state: " + _text(e.get("node_name") or e.get("node_id") or "?", 60),
    "knowledgebase": lambda e: " ".join(p for p in ("knowledge base lookup", _outcome(e), _ms(e, "latency")) if p),
    "variable_extraction": lambda e: (
        "variables extracted: " + _text(", ".join(map(str, (e.get("variables") or {}).keys())) or "none")
    ),
    "pre_call_api": _api,
    "post_call_api": _api,
}


def timeline(
    events: Iterable[Event], start: datetime | None, limit: int | None = None, max_tokens: int | None = None
) -> tuple[list[str], int]:
    """Lines `[mm:ss.s] what happened`, in time order, and how many were left out by `limit` or `max_tokens`."""
    counted: Counter[str] = Counter()
    starts: dict[str, Event] = {}
    lines: list[tuple[float, str]] = []
    for event in events:
        kind = str(event.get("event_type") or "")
        if kind in COUNTED:
            counted[kind] += 1
            continue
        if kind == "tool_call_start":
            starts[str(event.get("tool_call_id") or event.get("function_name"))] = event
            continue
        if kind in ("tool_call_end", "tool_call_error"):
            starts.pop(str(event.get("tool_call_id") or event.get("function_name")), None)
        lines.append(_line(event, start, _DESCRIBE.get(kind, _generic)))
    for event in starts.values():
        lines.append(
            _line(
                event,
                start,
                lambda e: f"tool {_text(e.get('function_name') or '?', 60)} started, no result recorded",
            )
        )
    lines.sort(key=lambda item: item[0])
    rendered = [text for _, text in lines]
    if counted:
        rendered.append("also: " + "; ".join(f"{n} {COUNTED[kind]}" for kind, n in counted.most_common()))
    kept = len(rendered) if limit is None else min(limit, len(rendered))
    if max_tokens is not None:
        size = 0
        for index, line in enumerate(rendered[:kept]):
            size += estimate_tokens(line) + 1
            if size > max_tokens:
                kept = index
                break
    return rendered[:kept], len(rendered) - kept


def _line(event: Event, start: datetime | None, describe: Callable[[Event], str]) -> tuple[float, str]:
    moment = _moment(event.get("timestamp"))
    if moment is None or start is None:
        return (float("inf"), f"[  ?  ] {describe(event)}")
    seconds = (moment - start).total_seconds()
    return (seconds, f"[{formats.offset(seconds)}] {describe(event)}")


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
