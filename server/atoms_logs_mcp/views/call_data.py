"""What the call view shows of one call, as JSON: header, transcript, timeline, latency per reply, metrics."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from ..api.event_fields import EventKind
from ..api.models import CallDetail
from ..domain.analysis import call_end, call_start, latency_report, turn_latencies, turn_offsets
from ..render.call import metric_rows, shown_id
from ..render.events import Entry, timeline_entries
from ..render.untrusted import printable_tree

ERROR_KINDS = frozenset({EventKind.AGENT_ERROR, EventKind.CALL_CANCELLED})
NODE_KINDS = frozenset({EventKind.HOPPING, EventKind.AGENT_NODE_STATE})


def call_view_data(call: CallDetail) -> dict[str, Any]:
    """Everything the call view draws. Strings are the call's own text, without escape sequences or invisible and
    direction-changing characters; the view sets them as text only."""
    return printable_tree(
        {
            "callId": shown_id(call),
            "header": _header(call),
            "turns": _turns(call),
            "events": [_event(entry) for entry in timeline_entries(call.timeline, call_start(call), call_end(call))[0]],
            "latency": _latency(call),
            "metrics": [
                {"name": row.identifier, "type": row.kind, "value": row.value, "confidence": row.confidence}
                for row in metric_rows(call)
            ],
        }
    )


def _header(call: CallDetail) -> dict[str, Any]:
    agent = call.agent
    return {
        "status": call.status,
        "agent": agent.name if agent and agent.name else None,
        "agentId": call.agent_id or (agent.id if agent else None),
        "versionNumber": call.version_number,
        "versionId": call.version_id,
        "created": call.created_at.astimezone(UTC).isoformat() if call.created_at else None,
        "durationSeconds": call.duration,
        "cost": call.call_cost,
        "disconnectReason": call.disconnection_reason,
        "failureReason": call.call_failure_reason,
        "channel": call.type,
        "summary": call.summary,
        "test": bool(call.is_test),
    }


def _turns(call: CallDetail) -> list[dict[str, Any]]:
    return [
        {"number": number, "role": (turn.role or "unknown").lower(), "seconds": at, "text": turn.content or ""}
        for number, (turn, at) in enumerate(zip(call.transcript, turn_offsets(call), strict=True), start=1)
    ]


def _event(entry: Entry) -> dict[str, Any]:
    tool = entry.tool
    kind = "tool" if tool else "error" if entry.kind in ERROR_KINDS else "node" if entry.kind in NODE_KINDS else "call"
    out: dict[str, Any] = {"seconds": entry.seconds, "kind": kind, "type": entry.kind, "text": entry.text}
    if tool is not None:
        out |= {"tool": tool.name, "outcome": tool.outcome, "latencyMs": tool.latency_ms, "error": tool.error}
    return out


def _latency(call: CallDetail) -> dict[str, Any] | None:
    report = latency_report(call)
    if report is None:
        return None
    return {
        "source": report.source,
        "medianMs": report.median,
        "p95Ms": report.p95,
        "maxMs": report.maximum,
        "unreadable": report.unreadable,
        "replies": [
            {
                "turn": reply.turn_number or None,
                "totalMs": reply.total_ms,
                **{f"{k}Ms": v for k, v in reply.parts.items()},
            }
            for reply in turn_latencies(call)
        ],
    }
