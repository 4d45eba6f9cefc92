"""What the investigations need from one call, read once from its detail and kept small (in the store, as JSON).

A digest holds the call's identity (agent, version, campaign, status, times), its tool calls, its turn
latencies and their LLM / TTS / STT parts, its slowest turns with the agent's line, the agent's last line
before a caller hung up, its disposition metrics and its agent errors. Investigations read digests, not
details, so a repeated investigation over thousands of stored calls reads a few kilobytes per call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ..api.event_fields import PARTS, EventKind, error_words, latency_parts
from ..api.events import CallEvent, tool_calls
from ..api.models import CallDetail, CallRow
from ..store.words import normal
from .analysis import latency_report, turn_offsets
from .signals import compact, signals

DIGEST_VERSION = 6
"""Part of the store's schema version: a digest of another version is read again from the detail. 6: events sent
twice counted once, transcripts rebuilt from events, timeline completeness unknown without a count."""
SLOWEST_KEPT = 3


@dataclass
class Digest:
    call_id: str
    agent_id: str | None = None
    agent_name: str | None = None
    version_id: str | None = None
    version_number: float | None = None
    campaign_id: str | None = None
    status: str | None = None
    created: str | None = None
    duration: float | None = None
    cost: float | None = None
    disconnect_reason: str | None = None
    failure_reason: str | None = None
    tools: list[tuple[str, str, float | None, str | None]] = field(default_factory=list)
    """(function, outcome: ok / failed / no result / unknown, latency ms, error text)."""
    latencies: list[float] = field(default_factory=list)
    """Every measured turn latency (ms), from the source `latency_report` chose."""
    components: dict[str, list[float]] = field(default_factory=dict)
    """llm / tts / stt: each turn's part (ms), from the turn_latency events that carry it."""
    slowest: list[tuple[float, int, str | None]] = field(default_factory=list)
    """(latency ms, transcript turn number or 0, the agent's line at that turn)."""
    last_agent_line: tuple[int, str] | None = None
    """(turn number, text) of the agent's last line: what callers who hung up heard last."""
    metrics: dict[str, str] = field(default_factory=dict)
    agent_errors: list[str] = field(default_factory=list)
    conversation: dict[str, Any] = field(default_factory=dict)
    """The call's conversation signals, as `signals.compact` writes them."""

    def with_row(self, row: CallRow) -> Digest:
        """The digest with what the call's list row says filled in where the digest has nothing: a call first
        opened alone (get_log) was stored from its detail, which in the spec's shape has no creation time,
        disconnect reason, version, campaign or agent id."""
        for name, value in (
            ("agent_id", row.agent_id),
            ("version_id", row.version_id),
            ("version_number", row.version_number),
            ("campaign_id", row.campaign_id),
            ("status", row.status),
            ("created", row.created_at.isoformat() if row.created_at else None),
            ("duration", row.duration),
            ("cost", row.call_cost),
            ("disconnect_reason", row.disconnection_reason),
            ("failure_reason", row.call_failure_reason),
        ):
            if getattr(self, name) is None and value is not None:
                setattr(self, name, value)
        return self

    def to_json(self) -> dict[str, Any]:
        return {"v": DIGEST_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Digest | None:
        """The digest, or None when it was written by another digest version (or is not one)."""
        if not isinstance(data, dict) or data.get("v") != DIGEST_VERSION:
            return None
        values = {k: v for k, v in data.items() if k != "v"}
        try:
            digest = cls(**values)
        except TypeError:
            return None
        digest.tools = [tuple(t) for t in digest.tools]  # type: ignore[misc]
        digest.slowest = [tuple(s) for s in digest.slowest]  # type: ignore[misc]
        digest.last_agent_line = tuple(digest.last_agent_line) if digest.last_agent_line else None  # type: ignore[assignment]
        return digest


def digest_of(call: CallDetail) -> Digest:
    report = latency_report(call, slowest=SLOWEST_KEPT)
    return Digest(
        call_id=call.call_id or "",
        agent_id=call.agent_id or (call.agent.id if call.agent else None),
        agent_name=call.agent.name if call.agent else None,
        version_id=call.version_id,
        version_number=call.version_number,
        campaign_id=call.campaign_id,
        status=call.status,
        created=call.created_at.isoformat() if call.created_at else None,
        duration=call.duration,
        cost=call.call_cost,
        disconnect_reason=call.disconnection_reason,
        failure_reason=call.call_failure_reason,
        tools=[(t.name, t.outcome, t.latency_ms, t.error) for t in tool_calls(call.timeline)],
        latencies=list(report.values) if report else [],
        components=_components(call),
        slowest=[(s.latency_ms, s.turn_number, _line(call, s.turn_number)) for s in report.slowest] if report else [],
        last_agent_line=_last_agent_line(call),
        metrics=_metrics(call),
        agent_errors=[_error_text(e) for e in call.timeline if e.kind == EventKind.AGENT_ERROR],
        conversation=compact(signals(call)),
    )


def transcript_rows(call: CallDetail) -> list[tuple[int, str | None, float | None, str]]:
    """(turn number, role, seconds from the start, text) of every turn with text: what the store indexes."""
    offsets = turn_offsets(call)
    return [
        (number, (turn.role or "").lower() or None, offsets[number - 1], normal(turn.content))
        for number, turn in enumerate(call.transcript, start=1)
        if turn.content
    ]


def _line(call: CallDetail, turn_number: int) -> str | None:
    if 0 < turn_number <= len(call.transcript):
        return call.transcript[turn_number - 1].content
    return None


def _last_agent_line(call: CallDetail) -> tuple[int, str] | None:
    for number in range(len(call.transcript), 0, -1):
        turn = call.transcript[number - 1]
        if (turn.role or "").lower() == "agent" and turn.content:
            return number, turn.content
    return None


def _components(call: CallDetail) -> dict[str, list[float]]:
    parts: dict[str, list[float]] = {name: [] for name in PARTS}
    for event in call.timeline:
        if event.kind == EventKind.TURN_LATENCY:
            for name, value in latency_parts(event).items():
                if value is not None:
                    parts[name].append(value)
    return {name: values for name, values in parts.items() if values}


def _metrics(call: CallDetail) -> dict[str, str]:
    analytics = call.post_call_analytics
    listed = analytics.disposition_metrics if analytics else []
    pairs = (
        [(m.identifier, m.value) for m in listed]
        if listed
        else [(k, None if v is None else str(v)) for k, v in call.disposition_metrics.items()]
    )
    values: dict[str, str] = {}
    for identifier, value in pairs:
        if identifier and value is not None and identifier not in values:
            values[identifier] = value.lower() if value in ("True", "False") else value
    return values


def _error_text(event: CallEvent) -> str:
    return (error_words(event) or "(no detail)")[:300]
