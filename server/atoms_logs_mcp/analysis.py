"""Numbers derived from calls: percentiles, turn latency, and where in a transcript the slow turns are."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from .call_events import number
from .models import CallDetail, TranscriptTurn
from .query import FINAL_STATUSES


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


def call_start(call: CallDetail) -> datetime | None:
    """When the call started: its creation time, else the first transcript timestamp."""
    if call.created_at is not None:
        return call.created_at
    return next((turn.timestamp for turn in call.transcript if turn.timestamp is not None), None)


def call_end(call: CallDetail) -> datetime | None:
    """When the call ended: its call_end event, else its start plus its duration (None while unknown)."""
    ends = [event.at for event in call.timeline if event.kind == "call_end" and event.at is not None]
    if ends:
        return max(ends)
    start = call_start(call)
    if start is None or call.duration is None or call.status not in FINAL_STATUSES:
        return None
    return start + timedelta(seconds=call.duration)


def turn_offsets(call: CallDetail) -> list[float | None]:
    """Seconds from call start to each transcript turn (None where unknown)."""
    start = call_start(call)
    return [
        (turn.timestamp - start).total_seconds() if start is not None and turn.timestamp is not None else None
        for turn in call.transcript
    ]


COMPONENTS = {"llm": "llm_api_ms", "tts": "tts_api_ms", "stt": "stt_api_ms"}


def _from_metrics(call: CallDetail) -> tuple[list[tuple[float, float | None]], int] | None:
    """(latency ms, agent start s) pairs from `turnLatencyMetrics`, and how many values were unreadable."""
    metrics = call.turn_latency_metrics
    if metrics is None:
        return None
    transitions = metrics.transitions
    if metrics.latencies:
        aligned = len(transitions) == len(metrics.latencies)
        starts = [t.bot_start for t in transitions] if aligned else [None] * len(metrics.latencies)
        marks = [
            (value, start / 1000 if start is not None else None)
            for value, start in zip(map(number, metrics.latencies), starts, strict=True)
            if value is not None
        ]
        return marks, len(metrics.latencies) - len(marks)
    if transitions:
        marks = [
            (t.latency, t.bot_start / 1000 if t.bot_start is not None else None)
            for t in transitions
            if t.latency is not None
        ]
        return marks, len(transitions) - len(marks)
    return None


def _from_events(call: CallDetail) -> tuple[list[tuple[float, float | None]], int]:
    marks: list[tuple[float, float | None]] = []
    unreadable = 0
    for event in call.timeline:
        if event.kind != "turn_latency":
            continue
        total = event.number("total_turn_ms", "turn_latency", "latency_ms", "latency")
        if total is None:
            unreadable += 1
        else:
            marks.append((total, None))
    return marks, unreadable


def latency_components(call: CallDetail) -> dict[str, float]:
    """How the summed turn time splits between llm, tts and stt, from `turn_latency` events that say."""
    sums = dict.fromkeys(COMPONENTS, 0.0)
    for event in call.timeline:
        if event.kind != "turn_latency":
            continue
        parts = {name: event.number(field) for name, field in COMPONENTS.items()}
        if all(value is not None for value in parts.values()):
            for name, value in parts.items():
                sums[name] += value or 0.0
    total = sum(sums.values())
    return {name: value / total for name, value in sums.items()} if total > 0 else {}


def latency_report(call: CallDetail, slowest: int = 3) -> LatencyReport | None:
    """Turn latency from `turnLatencyMetrics`, else from `turn_latency` events; None when neither has a value."""
    found = _from_metrics(call)
    source = (
        "turnLatencyMetrics.latencies"
        if call.turn_latency_metrics and call.turn_latency_metrics.latencies
        else ("turnLatencyMetrics.transitions")
    )
    if found is None or (not found[0] and not found[1]):
        source = "turn_latency events"
        found = _from_events(call)
    marks, unreadable = found
    values = [latency for latency, _ in marks]
    if not values:
        return None
    offsets = turn_offsets(call)
    agent_turns = [i for i, turn in enumerate(call.transcript) if (turn.role or "").lower() == "agent"]
    ranked = sorted(enumerate(marks), key=lambda item: -item[1][0])[:slowest]
    slow = tuple(
        SlowTurn(latency, _locate(index, at, offsets, agent_turns, call.transcript)) for index, (latency, at) in ranked
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
