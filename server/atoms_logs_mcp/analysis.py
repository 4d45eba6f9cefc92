"""Numbers derived from calls: percentiles, turn latency, and where in a transcript the slow turns are."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .models import CallDetail, TranscriptTurn


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
    turns: int
    avg: float | None
    median: float | None
    p95: float | None
    minimum: float | None
    maximum: float | None
    slowest: tuple[SlowTurn, ...]
    source: str


def call_start(call: CallDetail) -> datetime | None:
    """When the call started: its creation time, else the first transcript timestamp."""
    if call.created_at is not None:
        return call.created_at
    return next((turn.timestamp for turn in call.transcript if turn.timestamp is not None), None)


def turn_offsets(call: CallDetail) -> list[float | None]:
    """Seconds from call start to each transcript turn (None where unknown)."""
    start = call_start(call)
    return [
        (turn.timestamp - start).total_seconds() if start is not None and turn.timestamp is not None else None
        for turn in call.transcript
    ]


def latency_report(call: CallDetail, slowest: int = 3) -> LatencyReport | None:
    """Turn latency from `turnLatencyMetrics`, else from `turn_latency` events; None when neither exists."""
    metrics = call.turn_latency_metrics
    values: list[float] = []
    marks: list[tuple[float, float | None]] = []  # (latency, bot_start seconds)
    source = "turnLatencyMetrics"
    if metrics is not None and (metrics.transitions or metrics.latencies):
        if metrics.transitions:
            marks = [
                (t.latency, t.bot_start / 1000 if t.bot_start is not None else None)
                for t in metrics.transitions
                if t.latency is not None
            ]
            values = [latency for latency, _ in marks]
        else:
            values = list(metrics.latencies)
            marks = [(v, None) for v in values]
    else:
        source = "turn_latency events"
        for event in call.events:
            total = event.get("total_turn_ms", event.get("turn_latency"))
            if event.get("event_type") == "turn_latency" and isinstance(total, int | float):
                values.append(float(total))
                marks.append((float(total), None))
    if not values:
        return None
    offsets = turn_offsets(call)
    agent_turns = [i for i, turn in enumerate(call.transcript) if (turn.role or "").lower() == "agent"]
    ranked = sorted(enumerate(marks), key=lambda item: -item[1][0])[:slowest]
    slow = tuple(
        SlowTurn(latency, _locate(index, at, offsets, agent_turns, call.transcript)) for index, (latency, at) in ranked
    )
    return LatencyReport(
        turns=int(metrics.turns) if metrics is not None and metrics.turns else len(values),
        avg=(metrics.avg_latency if metrics and metrics.avg_latency is not None else statistics.fmean(values)),
        median=(
            metrics.median_latency if metrics and metrics.median_latency is not None else statistics.median(values)
        ),
        p95=percentile(values, 0.95),
        minimum=metrics.min_latency if metrics and metrics.min_latency is not None else min(values),
        maximum=metrics.max_latency if metrics and metrics.max_latency is not None else max(values),
        slowest=slow,
        source=source,
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
