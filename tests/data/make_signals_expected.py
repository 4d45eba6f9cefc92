#!/usr/bin/env python3
"""Independent answer key for "conversation signals" over live_dataset.json.

Reads only tests/data/live_dataset.json ({"agents": [...], "calls": [record...]}) and
writes tests/data/live_signals_expected.json. Standard library only, deterministic,
computed from the written JSON by plain logic (the dataset generator is not run).
Run: python3 tests/data/make_signals_expected.py

Reading events (the shapes NOTES.md lists under "What the live API has been seen to send"):
  * an event's type is `event_type`, else `eventType`;
  * `metadata` is an object or a JSON string (parsed; unparsable / non-object -> {});
  * a type-specific field is read from `metadata` first, else from the top level;
  * a `timestamp` is an ISO-8601 string (Z, offset, or naive = UTC) or epoch SECONDS
    (int, float, or numeric string); anything else is unreadable;
  * entries of events[] / transcript[] / transitions[] that are not objects are skipped;
  * a number is an int/float (not bool, finite) or a numeric string; a turn index must
    be integral and is reported as an int.

Per call (keyed by callId):
  interruptions            number of `barge_in` events; null for all three if the call
                           has no (object) events at all.
  interruptions_accepted   barge_in events whose hold_outcome == "accepted".
  interruptions_refused    barge_in events whose hold_outcome == "refused".
  unanswered_turns         sorted turn_index (int) of `turn_outcome` events whose outcome
                           == "no_reply"; null if the call has no turn_outcome event at all
                           ([] when it has some but none is no_reply). One entry per event
                           (duplicates kept).
  dead_air_turns           sorted turn_index (int) of every `turn_latency` event whose
                           total_turn_ms > 3000 (events lacking a readable turn_index are not
                           listed). If no turn_latency event has a readable total_turn_ms,
                           fall back to turnLatencyMetrics.transitions: each entry's `turn`
                           where its numeric `latency` > 3000. If neither source exists
                           (no readable total_turn_ms and transitions absent / not a list /
                           no readable entry), null.
  events_emitted           first call_end event's metadata.diagnostics.counts.events_emitted
                           (int); null when there is no call_end or it lacks the count.
  events_stored            number of the call's events other than call_end events whose
                           `source` equals the (first) call_end event's `source`; null when
                           there is no call_end event (no source to compare with).
  events_missing           max(0, events_emitted - events_stored); null when events_emitted
                           (or events_stored) is null.
  greeting_delay_ms        (timestamp of the first transcript entry with role "agent" that has
                           a readable timestamp) minus (timestamp of the first `call_start`
                           event with a readable timestamp), in ms, rounded half-even to an
                           int (sign kept); null if either is missing. Computed in exact
                           decimal arithmetic (floats go through their shortest repr).

"summary" (whole dataset) and "by_agent" (per record agentId; every agent in "agents" is
listed, with zeros if it has no calls):
  calls                          number of calls
  calls_with_interruptions       calls with interruptions >= 1
  interruptions                  sum of interruptions (nulls count 0)
  calls_with_unanswered_turn     calls with a non-empty unanswered_turns
  calls_with_dead_air            calls with a non-empty dead_air_turns
  calls_with_missing_events      calls with events_missing > 0
  calls_not_recorded             {"unanswered_turns", "events_missing", "dead_air_turns"}:
                                 number of calls where that field is null

Output: {"calls": {callId: {...}}, "summary": {...}, "by_agent": {...}}, sorted keys, indent 1.
"""
import datetime as dt
import json
import math
import os
from decimal import Decimal, InvalidOperation, ROUND_HALF_EVEN

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.join(HERE, "live_dataset.json")
OUT = os.path.join(HERE, "live_signals_expected.json")
DEAD_AIR_MS = 3000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def as_obj(v):
    """An object, or a JSON string holding one; else {}."""
    if isinstance(v, str):
        try:
            v = json.loads(v)
        except ValueError:
            return {}
    return v if isinstance(v, dict) else {}


def etype(e):
    t = e.get("event_type")
    return t if t is not None else e.get("eventType")


def field(e, name):
    """Type-specific field: metadata first, then top level."""
    m = as_obj(e.get("metadata"))
    if name in m and m[name] is not None:
        return m[name]
    return e.get(name)


def num(v):
    """Decimal for an int/float/numeric string, else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return Decimal(v)
    if isinstance(v, float):
        return Decimal(repr(v)) if math.isfinite(v) else None
    if isinstance(v, str):
        try:
            d = Decimal(v.strip())
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


def int_of(v):
    d = num(v)
    if d is None or d != d.to_integral_value():
        return None
    return int(d)


def ts_ms(v):
    """Epoch milliseconds (Decimal) of an ISO string or epoch-seconds value, else None."""
    d = num(v)
    if d is not None:
        return d * 1000
    if not isinstance(v, str) or not v.strip():
        return None
    s = v.strip()
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        t = dt.datetime.fromisoformat(s)
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.timezone.utc)
    delta = t - EPOCH
    us = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
    return Decimal(us) / 1000


def signals(rec):
    events = [e for e in (rec.get("events") or []) if isinstance(e, dict)]
    out = {}

    # interruptions
    if not events:
        out.update(interruptions=None, interruptions_accepted=None, interruptions_refused=None)
    else:
        bi = [e for e in events if etype(e) == "barge_in"]
        out["interruptions"] = len(bi)
        out["interruptions_accepted"] = sum(1 for e in bi if field(e, "hold_outcome") == "accepted")
        out["interruptions_refused"] = sum(1 for e in bi if field(e, "hold_outcome") == "refused")

    # unanswered turns
    tos = [e for e in events if etype(e) == "turn_outcome"]
    if not tos:
        out["unanswered_turns"] = None
    else:
        idx = [int_of(field(e, "turn_index")) for e in tos if field(e, "outcome") == "no_reply"]
        out["unanswered_turns"] = sorted(i for i in idx if i is not None)

    # dead air
    tls = [(field(e, "turn_index"), num(field(e, "total_turn_ms")))
           for e in events if etype(e) == "turn_latency"]
    tls = [(ti, ms) for ti, ms in tls if ms is not None]
    dead = None
    if tls:
        dead = sorted(i for i in (int_of(ti) for ti, ms in tls if ms > DEAD_AIR_MS) if i is not None)
    else:
        tlm = rec.get("turnLatencyMetrics")
        trans = tlm.get("transitions") if isinstance(tlm, dict) else None
        if isinstance(trans, list):
            readable = [(t.get("turn"), num(t.get("latency"))) for t in trans if isinstance(t, dict)]
            readable = [(tu, lat) for tu, lat in readable if lat is not None]
            if readable:
                dead = sorted(i for i in (int_of(tu) for tu, lat in readable if lat > DEAD_AIR_MS)
                              if i is not None)
    out["dead_air_turns"] = dead

    # events emitted / stored / missing
    end = next((e for e in events if etype(e) == "call_end"), None)
    emitted = stored = None
    if end is not None:
        counts = as_obj(as_obj(as_obj(end.get("metadata")).get("diagnostics")).get("counts"))
        emitted = int_of(counts.get("events_emitted"))
        src = end.get("source")
        stored = sum(1 for e in events if etype(e) != "call_end" and e.get("source") == src)
    out["events_emitted"] = emitted
    out["events_stored"] = stored
    out["events_missing"] = None if emitted is None or stored is None else max(0, emitted - stored)

    # greeting delay
    start = next((ts_ms(e.get("timestamp")) for e in events
                  if etype(e) == "call_start" and ts_ms(e.get("timestamp")) is not None), None)
    first = next((ts_ms(t.get("timestamp")) for t in (rec.get("transcript") or [])
                  if isinstance(t, dict) and t.get("role") == "agent"
                  and ts_ms(t.get("timestamp")) is not None), None)
    out["greeting_delay_ms"] = (None if start is None or first is None
                                else int((first - start).quantize(Decimal(1), rounding=ROUND_HALF_EVEN)))
    return out


def tally(rows):
    return {
        "calls": len(rows),
        "calls_with_interruptions": sum(1 for r in rows if (r["interruptions"] or 0) >= 1),
        "interruptions": sum(r["interruptions"] or 0 for r in rows),
        "calls_with_unanswered_turn": sum(1 for r in rows if r["unanswered_turns"]),
        "calls_with_dead_air": sum(1 for r in rows if r["dead_air_turns"]),
        "calls_with_missing_events": sum(1 for r in rows if (r["events_missing"] or 0) > 0),
        "calls_not_recorded": {k: sum(1 for r in rows if r[k] is None)
                               for k in ("unanswered_turns", "events_missing", "dead_air_turns")},
    }


def main():
    with open(SRC, encoding="utf-8") as f:
        data = json.load(f)
    calls, per_agent = {}, {}
    for a in data.get("agents") or []:
        if isinstance(a, dict) and a.get("_id"):
            per_agent.setdefault(a["_id"], [])
    for rec in data.get("calls") or []:
        if not isinstance(rec, dict):
            continue
        s = signals(rec)
        calls[rec["callId"]] = s
        per_agent.setdefault(rec.get("agentId"), []).append(s)
    out = {"calls": calls, "summary": tally(list(calls.values())),
           "by_agent": {str(k): tally(v) for k, v in per_agent.items()}}
    with open(OUT, "w", encoding="utf-8") as f:
        json.dump(out, f, sort_keys=True, indent=1)
        f.write("\n")
    print(json.dumps(out["summary"], sort_keys=True))


if __name__ == "__main__":
    main()
