"""The runtime's turn-taking diagnostics on generated calls (NOTES, "Runtime diagnostics"), with a known truth.

Added after a call is generated, drawing from a generator seeded by the call id (the main generator's sequence,
and so every other generated value, is unchanged):
- a `turn_outcome` per agent reply, `turn_index` counting replies as the generator's turn_latency events do;
- on about 1 reply in 25 the caller talks over the agent: a `barge_in`, its hold accepted 7 times in 10 (the
  agent yields: that turn's outcome is `interrupted`) or refused (it keeps talking: `replied`);
- on about 1 call in 5 that ends on the caller's words, the agent never answers: outcome `no_reply`;
- `call_end` metadata gets `call_status` and `diagnostics.counts.events_emitted`: the events stored, or on about
  1 call in 30, 2 to 5 more (events lost on the way);
- about 1 in 3 outbound calls nobody answered reached voicemail (`disconnectDetails.category`).
`planted(record)` reads the truth back from the record, for tests.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from ..api.events import read_events
from .conversation import iso

BARGE_IN_RATE = 1 / 25
NO_REPLY_RATE = 1 / 5
LOST_RATE = 1 / 30
VOICEMAIL_RATE = 1 / 3


def _event(record: dict[str, Any], kind: str, at: str, index: int, **metadata: Any) -> dict[str, Any]:
    return {
        "event_type": kind,
        "event_id": f"evt_diag_{record['callId'][-6:]}_{index}",
        "timestamp": at,
        "call_id": record["callId"],
        "metadata": metadata,
    }


def _later(timestamp: str, seconds: float) -> str:
    return iso(datetime.fromisoformat(timestamp.replace("Z", "+00:00")) + timedelta(seconds=seconds))


def with_diagnostics(record: dict[str, Any]) -> dict[str, Any]:
    """The record with the runtime's diagnostics added (a planted odd record, one whose times are not the
    generator's ISO strings, is left as it is)."""
    times = [turn.get("timestamp") for turn in record.get("transcript") or []]
    times += [event.get("timestamp") for event in record.get("events") or []]
    if not all(isinstance(time, str) and time.endswith("Z") for time in times):
        return record
    rng = random.Random(f"diagnostics {record['callId']}")
    added: list[dict[str, Any]] = []
    transcript = record.get("transcript") or []
    replies = [turn for position, turn in enumerate(transcript) if turn["role"] == "agent" and position > 0]
    barge_ins = 0
    for number, turn in enumerate(replies, start=1):
        outcome = "replied"
        if rng.random() < BARGE_IN_RATE:
            barge_ins += 1
            hold = "accepted" if rng.random() < 0.7 else "refused"
            outcome = "interrupted" if hold == "accepted" else "replied"  # accepted: the agent yielded
            at = _later(turn["timestamp"], 0.8)
            added.append(_event(record, "barge_in", at, len(added), barge_in_seq=barge_ins, hold_outcome=hold))
        added.append(
            _event(record, "turn_outcome", turn["timestamp"], len(added), turn_index=number, attempt=1, outcome=outcome)
        )
    if transcript and transcript[-1]["role"] == "user" and len(transcript) > 1 and rng.random() < NO_REPLY_RATE:
        at = _later(transcript[-1]["timestamp"], 1.5)
        added.append(
            _event(record, "turn_outcome", at, len(added), turn_index=len(replies) + 1, attempt=1, outcome="no_reply")
        )
    events = record["events"] = sorted([*record.get("events", []), *added], key=lambda e: str(e["timestamp"]))
    end = next((e for e in events if e["event_type"] == "call_end"), None)
    if end is not None:
        lost = rng.randint(2, 5) if rng.random() < LOST_RATE else 0
        end.setdefault("metadata", {}).update(
            call_status=record["status"],
            diagnostics={"schema": 1, "counts": {"events_emitted": len(events) - 1 + lost}},
        )
    if record["status"] == "no_answer" and record["type"] == "telephony_outbound" and rng.random() < VOICEMAIL_RATE:
        record["disconnectDetails"] = {"category": "voicemail"}
    return record


def planted(record: dict[str, Any]) -> dict[str, Any]:
    """What `with_diagnostics` put in a record, read back in whichever shape the record is now (`live_shaped`
    rewrites a third of calls), for tests."""
    events = read_events(record.get("events") or [])
    end = next((e for e in events if e.kind == "call_end"), None)
    counts = (end.get("diagnostics") or {}).get("counts", {}) if end else {}
    emitted = counts.get("events_emitted") if isinstance(counts, dict) else None
    return {
        "interruptions": sum(1 for e in events if e.kind == "barge_in"),
        "unanswered_turns": [
            e.number("turn_index") for e in events if e.kind == "turn_outcome" and e.get("outcome") == "no_reply"
        ],
        "events_missing": None if emitted is None else emitted - (len(events) - 1),
        "voicemail": (record.get("disconnectDetails") or {}).get("category") == "voicemail",
    }
