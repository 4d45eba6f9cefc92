"""Numbers derived from calls: percentiles, turn latency, and where in a transcript the slow turns are."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..api.event_fields import PARTS, EventKind, latency_parts, total_turn_ms
from ..api.events import CallEvent, number
from ..api.models import CallDetail, TranscriptTurn
from ..api.query import FINAL_STATUSES


def percentile(values: Sequence[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class SlowTurn:
    latency_ms: float
    turn_number: int
    """1-based index in the transcript of the agent turn that came after the wait, or 0 if unknown."""


@dataclass(frozen=True)
class LatencyReport:
    """Turn latency of one call. Every figure comes from the same `measured` values."""

    measured: int
    """How many latency values were read (one per agent reply that was timed)."""
    unreadable: int
    """Values the API sent that are not numbers (nulls, text): left out of every figure."""
    avg: float
    median: float
    p95: float
    minimum: float
    maximum: float
    slowest: tuple[SlowTurn, ...]
    source: str
    components: dict[str, float]
    """Share (0..1) of the summed turn time spent in llm, tts and stt, where the events say."""
    values: tuple[float, ...] = ()
    """Every measured value, in the order sent."""


def call_start(call: CallDetail) -> datetime | None:
    """When the call started, what offsets count from: its `call_start` event, else its creation time (a call is
    created before it starts: queued, dialled), else its first transcript timestamp. An event before it (a
    pre-call API request, the call queued) has a negative offset."""
    started = next((e.at for e in call.timeline if e.kind == EventKind.CALL_START and e.at is not None), None)
    if started is not None or call.created_at is not None:
        return started or call.created_at
    return next((turn.timestamp for turn in call.transcript if turn.timestamp is not None), None)


def call_end(call: CallDetail) -> datetime | None:
    """When the call ended: its call_end event, else its start plus its duration (None while unknown)."""
    ends = [event.at for event in call.timeline if event.kind == EventKind.CALL_END and event.at is not None]
    if ends:
        return max(ends)
    start = call_start(call)
    if start is None or call.duration is None or call.status not in FINAL_STATUSES:
        return None
    try:
        return start + timedelta(seconds=call.duration)
    except OverflowError:  # a duration no call can have
        return None


def turn_offsets(call: CallDetail) -> list[float | None]:
    """Seconds from call start to each transcript turn (None where unknown)."""
    start = call_start(call)
    return [
        (turn.timestamp - start).total_seconds() if start is not None and turn.timestamp is not None else None
        for turn in call.transcript
    ]


Mark = tuple[int, float, float | None]
"""(position among the latencies sent, latency ms, agent start in seconds or None)."""


def _from_metrics(call: CallDetail) -> tuple[list[Mark], int, str]:
    """Marks from `turnLatencyMetrics` (its `latencies`, else its `transitions`), how many values were
    unreadable, and which of the two they came from."""
    metrics = call.turn_latency_metrics
    if metrics is None:
        return [], 0, "turnLatencyMetrics"
    transitions = metrics.transitions
    aligned = len(transitions) == len(metrics.latencies)
    starts = [_seconds_in(call, t.bot_start) for t in transitions] if aligned else [None] * len(metrics.latencies)
    values = [number(value) for value in metrics.latencies]
    marks = [
        (index, value, start)
        for index, (value, start) in enumerate(zip(values, starts, strict=True))
        if value is not None
    ]
    if marks or not transitions:
        return marks, metrics.unreadable, "turnLatencyMetrics.latencies"
    marks = [
        (index, t.latency, _seconds_in(call, t.bot_start))
        for index, t in enumerate(transitions)
        if t.latency is not None
    ]
    return marks, len(transitions) - len(marks), "turnLatencyMetrics.transitions"


def _seconds_in(call: CallDetail, millis: float | None) -> float | None:
    """A transition's time as seconds from call start: sent as milliseconds from the start, or (seen live) as
    epoch milliseconds."""
    if millis is None:
        return None
    if millis < 1e11:
        return millis / 1000
    start = call_start(call)
    return millis / 1000 - start.timestamp() if start is not None else None


def _from_events(call: CallDetail) -> tuple[list[Mark], int]:
    marks: list[Mark] = []
    unreadable = 0
    latency_events = [event for event in call.timeline if event.kind == EventKind.TURN_LATENCY]
    for index, event in enumerate(latency_events):
        total = total_turn_ms(event)
        if total is None:
            unreadable += 1
        else:
            marks.append((index, total, None))
    return marks, unreadable


def latency_components(call: CallDetail) -> dict[str, float]:
    """How the summed turn time splits between llm, tts and stt, from `turn_latency` events that say."""
    sums = dict.fromkeys(PARTS, 0.0)
    for event in call.timeline:
        if event.kind != EventKind.TURN_LATENCY:
            continue
        parts = latency_parts(event)
        if all(value is not None for value in parts.values()):
            for name, value in parts.items():
                sums[name] += value or 0.0
    total = sum(sums.values())
    return {name: value / total for name, value in sums.items()} if total > 0 else {}


def latency_report(call: CallDetail, slowest: int = 3) -> LatencyReport | None:
    """Turn latency from `turnLatencyMetrics` (`latencies`, else `transitions`), else from `turn_latency` events;
    None when none of them holds a number."""
    marks, unreadable, source = _from_metrics(call)
    if not marks:
        marks, unreadable = _from_events(call)
        source = "turn_latency events"
    values = [latency for _, latency, _ in marks]
    if not values:
        return None
    offsets = turn_offsets(call)
    agent_turns = [i for i, turn in enumerate(call.transcript) if (turn.role or "").lower() == "agent"]
    ranked = sorted(marks, key=lambda mark: -mark[1])[:slowest]
    slow = tuple(
        SlowTurn(latency, _locate(index, at, offsets, agent_turns, call.transcript)) for index, latency, at in ranked
    )
    return LatencyReport(
        measured=len(values),
        unreadable=unreadable,
        avg=statistics.fmean(values),
        median=statistics.median(values),
        p95=percentile(values, 0.95) or 0.0,
        minimum=min(values),
        maximum=max(values),
        slowest=slow,
        source=source,
        components=latency_components(call),
        values=tuple(values),
    )


def _locate(
    index: int,
    bot_start: float | None,
    offsets: list[float | None],
    agent_turns: list[int],
    transcript: Sequence[TranscriptTurn],
) -> int:
    """The transcript turn (1-based) the agent spoke after waiting: by time when known, else by order."""
    if bot_start is not None:
        candidates = [i for i in agent_turns if offsets[i] is not None and offsets[i] >= bot_start - 0.5]  # type: ignore[operator]
        if candidates:
            return candidates[0] + 1
    # The first agent turn (the greeting) follows no user turn, so latency n precedes agent turn n + 1.
    if index + 1 < len(agent_turns):
        return agent_turns[index + 1] + 1
    return 0


@dataclass(frozen=True)
class TurnLatency:
    """One timed agent reply: its wait, the transcript turn that followed it, and the wait's parts where known."""

    turn_number: int
    """1-based transcript turn the agent spoke after the wait, 0 if unknown."""
    total_ms: float
    parts: dict[str, float]
    """llm, tts and stt milliseconds, from the reply's `turn_latency` event when it says all three."""


def turn_latencies(call: CallDetail) -> list[TurnLatency]:
    """Every timed reply in order: the totals `latency_report` reads, each with its parts where the events say.
    The n-th `turn_latency` event gives the n-th reply's parts only when there are as many events as values sent."""
    marks, _, source = _from_metrics(call)
    events = [event for event in call.timeline if event.kind == EventKind.TURN_LATENCY]
    metrics = call.turn_latency_metrics
    positions = 0
    if metrics is not None and marks:
        positions = len(metrics.transitions if source.endswith("transitions") else metrics.latencies)
    if not marks:
        marks, _ = _from_events(call)
        positions = len(events)
    offsets = turn_offsets(call)
    agent_turns = [i for i, turn in enumerate(call.transcript) if (turn.role or "").lower() == "agent"]
    aligned = len(events) == positions
    return [
        TurnLatency(
            _locate(index, at, offsets, agent_turns, call.transcript),
            total,
            _parts(events[index]) if aligned and index < len(events) else {},
        )
        for index, total, at in marks
    ]


def _parts(event: CallEvent) -> dict[str, float]:
    """llm, tts and stt of one `turn_latency` event, or nothing unless it says all three."""
    read = latency_parts(event)
    return {name: value for name, value in read.items() if value is not None} if None not in read.values() else {}
