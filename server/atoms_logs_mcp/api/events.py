"""A call's raw events read into one shape, each once and in order; its tool calls paired start to end; the lines
its speech events carry.

The live API sends events in more than one shape (NOTES.md, "What the live API has been seen to send"):
the type under `event_type` or `eventType`; `metadata`, `metrics` and `context` as objects or as JSON
strings; timestamps as ISO strings or epoch seconds; numbers as strings. `read_events` takes any of
these, and a value it cannot read is left out of that event, never a failure. The names each field is sent
under, the event kinds and a typed reader per field are in `event_fields`; single values in `values`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import Any, Literal

from . import event_fields as ef
from .event_fields import CALL_ID, EVENT_ID, KIND, NESTED, SOURCE, TIME, EventKind
from .values import flag, json_object, moment, number

__all__ = [
    "TOOL_ENDS",
    "TOOL_START",
    "CallEvent",
    "EventKind",
    "ToolCall",
    "call_events",
    "flag",
    "moment",
    "number",
    "read_event",
    "read_events",
    "spoken_lines",
    "tool_calls",
]

TOOL_START = EventKind.TOOL_CALL_START
TOOL_ENDS = (EventKind.TOOL_CALL_END, EventKind.TOOL_CALL_ERROR)


@dataclass(frozen=True)
class CallEvent:
    """One event: its type, time, id and source, and its fields with the nested objects parsed."""

    kind: str
    at: datetime | None
    event_id: str | None
    source: str | None
    fields: Mapping[str, Any]
    """The event's own fields, the envelope and the nested objects aside."""
    nested: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """`metadata`, `metrics` and `context`, parsed when they came as JSON strings."""

    def get(self, name: str) -> Any:
        """A field at the top level, else inside metadata, metrics or context (in that order)."""
        if self.fields.get(name) is not None:
            return self.fields[name]
        for part in NESTED:
            value = self.nested.get(part, {}).get(name)
            if value is not None:
                return value
        return None

    def value(self, *names: str) -> Any:
        """The first of the names holding a value (`get`), None when none does."""
        return next((value for name in names if (value := self.get(name)) is not None), None)

    def number(self, *names: str) -> float | None:
        for name in names:
            value = number(self.get(name))
            if value is not None:
                return value
        return None

    def text(self, *names: str) -> str | None:
        for name in names:
            value = self.get(name)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None


ENVELOPE = frozenset({*KIND[:2], *EVENT_ID, *TIME, *CALL_ID, *SOURCE})
"""Read into the event's own attributes (a plain `type` is the fallback kind, and stays among the fields)."""


def _first(raw: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    return next((value for name in names if (value := raw.get(name))), None)


def read_event(raw: Mapping[str, Any]) -> CallEvent:
    kind = _first(raw, KIND) or ""
    when = next((at for name in TIME if (at := moment(raw.get(name))) is not None), None)
    event_id = _first(raw, EVENT_ID)
    source = raw.get(SOURCE[0])
    nested = {part: json_object(raw[part]) for part in NESTED if part in raw}
    own = {key: value for key, value in raw.items() if key not in ENVELOPE and not (key in NESTED and nested.get(key))}
    return CallEvent(
        kind=str(kind) if isinstance(kind, str | int) else "",
        at=when,
        event_id=str(event_id) if isinstance(event_id, str | int) else None,
        source=source if isinstance(source, str) else None,
        fields=own,
        nested=nested,
    )


def read_events(raw: Iterable[Any]) -> list[CallEvent]:
    """Every event that is an object, read; anything else (a null, a string) is skipped."""
    return [read_event(item) for item in raw if isinstance(item, Mapping)]


def call_events(raw: Iterable[Any]) -> list[CallEvent]:
    """A call's events as every reader takes them: read (`read_events`), each event once, in order.

    Once: an event whose `event_id` and kind an earlier one had is that event delivered again (an id shared by
    events of different kinds, as a tool call's id on its start and end, names two events); an event without an
    id is a repeat when it is identical to an earlier one, timestamp included (without a timestamp, two identical
    events cannot be told from one sent twice, and both are kept). The first delivery is kept.
    In order: by time when every event has one; else as sent, with the runtime's numbered records put in their
    numbers' order among the places they hold (turn records by turn_index then attempt, barge-ins by barge_in_seq;
    a record without its number last), as the vendor's own diagnostics order them (NOTES, "Runtime diagnostics").
    """
    seen: set[Hashable] = set()
    kept: list[CallEvent] = []
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        event = read_event(item)
        key = _delivery(event, item)
        if key is not None:
            if key in seen:
                continue
            seen.add(key)
        kept.append(event)
    return _in_order(kept)


def _delivery(event: CallEvent, raw: Mapping[str, Any]) -> Hashable | None:
    """What makes a second delivery of the event the same event; None when nothing does."""
    if event.event_id is not None:
        return ("id", event.kind, event.event_id)
    if event.at is None:
        return None
    return ("content", json.dumps(raw, sort_keys=True, default=str))


RUNTIME_SEQUENCES: tuple[tuple[frozenset[str], tuple[str, ...]], ...] = (
    (frozenset({EventKind.TURN_LATENCY, EventKind.TURN_OUTCOME}), ("turn_index", "attempt")),
    (frozenset({EventKind.BARGE_IN}), ("barge_in_seq",)),
)
"""The runtime's numbered records: the kinds of each sequence and the numbers that order it (`ef` readers)."""


def _in_order(events: list[CallEvent]) -> list[CallEvent]:
    """Timed events in time order, in the places timed events hold (a tie keeps the order sent); the runtime's
    untimed records in the order of their numbers, in the places they hold; anything else untimed where it came."""
    ordered = list(events)
    _reorder(ordered, [i for i, event in enumerate(ordered) if event.at is not None], _at)
    for kinds, numbers in RUNTIME_SEQUENCES:
        places = [i for i, event in enumerate(ordered) if event.kind in kinds and event.at is None]
        _reorder(ordered, places, partial(_numbered, numbers))
    return ordered


def _numbered(numbers: tuple[str, ...], event: CallEvent) -> Any:
    return ef.sequence_numbers(event, numbers)


def _reorder(events: list[CallEvent], places: list[int], key: Callable[[CallEvent], Any]) -> None:
    """Sort the events at `places` by `key`, each staying within those places (a stable sort)."""
    for place, event in zip(places, sorted((events[i] for i in places), key=key), strict=True):
        events[place] = event


def _at(event: CallEvent) -> datetime:
    return event.at or datetime.min.replace(tzinfo=UTC)


SPEECH: dict[str, tuple[str, Callable[[CallEvent], str | None]]] = {
    EventKind.USER_TRANSCRIPTION: ("user", ef.user_text),
    EventKind.TTS_COMPLETED: ("agent", ef.agent_text),
}
"""The final words of a turn: the caller's transcription, or what the agent finished speaking. Interim
transcriptions and the language model's text are superseded by these."""


def spoken(event: CallEvent) -> tuple[str, str] | None:
    """(role, words) when the event carries a final spoken line: a user_transcription not marked interim, a
    tts_completed; None otherwise."""
    speech = SPEECH.get(event.kind)
    words = speech[1](event) if speech else None
    if speech is None or words is None or ef.is_final(event) is False:
        return None
    return speech[0], words


def spoken_lines(events: Sequence[CallEvent]) -> list[tuple[str, str, datetime | None]]:
    """(role, words, when heard complete) of every spoken line the events carry, in time order when each has a
    time, else in the events' order."""
    lines = [(*said, event.at) for event in events if (said := spoken(event)) is not None]
    if all(at is not None for _, _, at in lines):
        lines.sort(key=lambda line: line[2] or datetime.min.replace(tzinfo=UTC))
    return lines


Outcome = Literal["ok", "failed", "no result", "unknown"]


@dataclass
class ToolCall:
    """One tool call from its start event to its end or error event (either may be missing)."""

    name: str
    started: datetime | None = None
    ended: datetime | None = None
    outcome: Outcome = "unknown"
    latency_ms: float | None = None
    error: str | None = None
    call_id: str | None = None

    @property
    def at(self) -> datetime | None:
        return self.started or self.ended


def _finish(tool: ToolCall, end: CallEvent) -> None:
    tool.ended = end.at
    success = ef.success(end)
    failed = end.kind == EventKind.TOOL_CALL_ERROR or success is False or bool(ef.error_value(end))
    succeeded = success is True or (end.kind == EventKind.TOOL_CALL_END and not failed)
    tool.outcome = "failed" if failed else ("ok" if succeeded else "unknown")
    tool.error = ef.error_text(end)
    tool.latency_ms = ef.latency_ms(end)
    if tool.latency_ms is None and tool.started is not None and end.at is not None:
        tool.latency_ms = max(0.0, (end.at - tool.started).total_seconds() * 1000)


ERROR_AFTER_END_S = 2.0
"""A tool_call_error this soon after its call's end event (and with no start left open) is that call's error."""


def _error_of_ended(event: CallEvent, name: str, tool_id: str | None, ended: dict[str, ToolCall]) -> ToolCall | None:
    """The call an error event belongs to when it comes right after that call's end (seen live: an end with
    success false, then the error text), rather than a call of its own whose start was lost."""
    last = ended.get(name)
    if event.kind != EventKind.TOOL_CALL_ERROR or last is None or last.error is not None:
        return None
    if tool_id and last.call_id and tool_id != last.call_id:
        return None
    if event.at is not None and last.ended is not None:
        return last if 0 <= (event.at - last.ended).total_seconds() <= ERROR_AFTER_END_S else None
    return last


def tool_calls(events: Sequence[CallEvent]) -> list[ToolCall]:
    """Tool calls in time order. An end pairs with its start by `tool_call_id` when both carry one,
    else with the earliest unfinished start of the same function name; a start nothing ends says so; an error
    that follows its call's end adds its text to that call."""
    ordered = [e for e in events if e.kind == TOOL_START or e.kind in TOOL_ENDS]
    if all(e.at is not None for e in ordered):  # else the order sent is the only order there is
        ordered.sort(key=lambda e: e.at or datetime.min.replace(tzinfo=UTC))
    calls: list[ToolCall] = []
    open_calls: list[ToolCall] = []
    ended: dict[str, ToolCall] = {}
    for event in ordered:
        name = ef.tool_name(event) or "?"
        tool_id = ef.tool_call_id(event)
        if event.kind == TOOL_START:
            tool = ToolCall(name, started=event.at, outcome="no result", call_id=tool_id)
            calls.append(tool)
            open_calls.append(tool)
            continue
        match = next((t for t in open_calls if tool_id and t.call_id == tool_id), None)
        if match is None:  # by name, among starts that do not carry a different id
            match = next((t for t in open_calls if t.name == name and not (tool_id and t.call_id)), None)
        if match is None and (done := _error_of_ended(event, name, tool_id, ended)) is not None:
            done.outcome, done.error = "failed", ef.error_text(event) or done.error
            continue
        if match is None:
            match = ToolCall(name, call_id=tool_id)
            calls.append(match)
        else:
            open_calls.remove(match)
        _finish(match, event)
        ended[name] = match
    return sorted(calls, key=lambda t: (t.at is None, t.at or datetime.min.replace(tzinfo=UTC)))
