"""Generated calls in the shapes the live API has been seen to send (NOTES.md), for a share of calls.

The live API names an event's type under `eventType` as often as `event_type`, sends `metadata` as a JSON
string, stamps events with epoch seconds and a `source`, and adds `disconnectDetails` to the detail. The
generator writes the documented shapes; `live_shaped` rewrites about a third of its calls into these, so
the demo and every test that uses generated data meet both. Choices are drawn from a generator seeded by
the call id, so they do not disturb the main generator's sequence.

Values the spec types strictly (numbers sent as strings, nulls inside `latencies`) are left to the live
dataset in tests/data: the sandbox's answers are held to the official spec.
"""

from __future__ import annotations

import json
import random
from datetime import datetime
from typing import Any

LIVE_SHARE = 1 / 3
DETAILS_SHARE = 0.4
SOURCE = "atoms-orchestrator"
# Fields that stay at an event's top level when the rest moves into its metadata.
_TOP_LEVEL = {"event_type", "event_id", "timestamp", "call_id"}
SIP = {
    "user_hangup": (200, "normal_clearing"),
    "agent_hangup": (200, "normal_clearing"),
    "transfer_complete": (200, "transferred"),
    "timeout": (408, "request_timeout"),
    "connection_error": (503, "service_unavailable"),
    "system_error": (500, "server_internal_error"),
}


def _epoch(value: Any) -> Any:
    """An ISO time as epoch seconds; anything else (a planted odd value) as it was."""
    try:
        return round(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp(), 3)
    except (AttributeError, ValueError):
        return value


def _live_event(event: dict[str, Any]) -> dict[str, Any]:
    """`eventType`, epoch-second `timestamp`, a `source`, and the type's own fields as a JSON-string metadata."""
    own = {k: v for k, v in event.items() if k not in _TOP_LEVEL and k != "metadata"}
    given = event.get("metadata")
    metadata: dict[str, Any] = given if isinstance(given, dict) else {}
    shaped: dict[str, Any] = {
        "eventType": event.get("event_type"),
        "event_id": event.get("event_id"),
        "call_id": event.get("call_id"),
        "source": SOURCE,
        "timestamp": _epoch(event.get("timestamp")),
    }
    if own or metadata:
        shaped["metadata"] = json.dumps({**metadata, **own}, separators=(",", ":"))
    return shaped


def live_shaped(record: dict[str, Any]) -> dict[str, Any]:
    """The record, for about a third of calls rewritten into the live shapes; `disconnectDetails` on some."""
    rng = random.Random(str(record.get("callId")))
    if rng.random() < LIVE_SHARE:
        record["events"] = [_live_event(event) for event in record.get("events") or []]
    reason = record.get("disconnectionReason")
    if reason in SIP and rng.random() < DETAILS_SHARE:
        code, category = SIP[reason]
        record.setdefault("disconnectDetails", {"sipCode": code, "category": category})
    return record
