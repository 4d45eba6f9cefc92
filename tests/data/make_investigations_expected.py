#!/usr/bin/env python3
"""Independent answer key for the log-investigation tests.

Reads live_dataset.json (next to this script) and writes
live_investigations_expected.json (next to it).  Standard library only, deterministic,
no knowledge of the server under test.  Written only from
docs/atoms-api/NOTES.md, the docstring of make_live_dataset.py and the data.
Run: python3 tests/data/make_investigations_expected.py

Data handling in general
  * The dataset is {"agents": [...], "calls": [record, ...]}.  A record that is not an
    object is ignored; a field with an unreadable value is skipped, never fatal.
  * "Finished" statuses: completed, failed, no_answer, cancelled.
  * "First attempt": retryAttemptNumber is 0, null or absent (a numeric string "0"
    also counts as 0).
  * Every fact is over ALL calls (every status, retries included) unless said otherwise.

1. transcript_search  (list of {query, speaker, call_ids, turns})
  * A turn is an element of the call's `transcript` list that is an object whose
    `content` is a string.  Turn indexes are 1-based and count EVERY list element,
    null rows included.
  * Words: the maximal runs of Unicode letters or digits (regex [^\\W_]+, i.e. Python's
    word characters without the underscore), compared after str.casefold().
    So "I'm" is the two words "i", "m"; "Yes, that's right." is yes/that/s/right.
  * A query is split into quoted phrases ("...") and loose words (the text outside the
    quotes); both are tokenised the same way as turns.  A stray unmatched quote mark is
    just punctuation.  A phrase with no words is ignored; a query with no words at all
    matches nothing.
  * A turn matches when every loose word is one of the turn's words (whole words only:
    "ship" does not match "shipped") AND every phrase's word sequence occurs
    contiguously in the turn's word sequence (punctuation between words is ignored, so
    "okay thanks" matches "Okay, thanks.").  All conditions apply to the SAME turn.
  * With a speaker ("agent" or "user") only turns whose `role` equals it can match;
    without one any role counts.  A call matches when at least one turn matches.
  * call_ids are sorted; "turns" maps each matching call id to its matching indexes.

2. tools  ({function name: {calls, failed, no_result, errors{text: count}}})
  * Events: non-object rows are skipped.  The type is `eventType` or `event_type`.
    A tool event's own fields (function_name, tool_call_id, success, error,
    latency_ms) are read at the top level, or else inside `metadata` (an object, or a
    JSON string that is parsed; unparseable metadata reads as empty).
  * Pairing, per call, events in stored order: each tool_call_start opens a tool call.
    A tool_call_end / tool_call_error closes the first still-open start with the same
    tool_call_id when the end carries one and such a start exists; otherwise the first
    still-open start with the same function name.  (An end that pairs with nothing
    would be counted as a call of its own; the dataset has none.)
  * Outcome: failed when closed by tool_call_error, or by a tool_call_end whose
    `success` is false or the string "false" (any case); no_result when never closed;
    otherwise ok.
  * errors: the `error` text of failed calls exactly as sent; null/absent errors are
    not counted there (they still count as failed).
  * A start without a readable function name is counted under the name "null".
  * Also written: "tools_by_call" {callId: [{function_name, outcome, error}] in start
    order} for calls that have tool events, to cross-check another author's answer.

3. disposition_metrics  ({identifier: {value: number of calls}})
  * Source per call: postCallAnalytics.dispositionMetrics when it is a non-empty list
    (rows must be objects with a string identifier); else the call's top-level
    `dispositionMetrics` when it is an object ({identifier: value}).
  * Values: strings as they are; booleans "true"/"false"; other non-null values str();
    null values are skipped.  A call counts at most once per identifier (the first
    readable row for that identifier wins).
  * disposition_metrics_by_agent: the same, grouped by agentId.

4. versions  (list of {agent_id, version_number, version_id, calls, first_attempt_calls})
  * Calls counted per (agentId, versionNumber, versionId) exactly as sent (missing ->
    null), all calls and first attempts only; sorted by agent, number, id.

5. hangups  ({calls, last_agent_lines, last_agent_lines_normalised})
  * Over calls whose disconnectionReason is exactly "user_hangup".
  * The agent's last line = `content` of the last turn (object with string content)
    whose role is "agent".  A call with no such turn is counted under the key null
    (written as the JSON key "null").
  * last_agent_lines keeps the text exactly as in the data; the normalised variant
    casefolds, collapses runs of whitespace to one space, trims, and strips trailing
    . ! ? , ; : characters (and any whitespace left before them).

6. comparisons  ({by_version: {A, B}, by_date: {A, B}}); each side has
   {calls, by_status {status: n}, completed_share, failed_share, call_ids}
  * completed_share = completed / calls, failed_share = failed (status "failed") / calls;
    null when the side is empty.  call_ids sorted.
  * by_version: the agent with the most calls over the whole dataset (ties -> smallest
    agentId); side A = its first attempts with versionNumber 1, side B = its first
    attempts with versionNumber 2 (versionNumber "1"/"2" as strings accepted).
  * by_date: all first attempts (any status, any agent) with createdAt before
    2026-11-10T00:00:00Z (side A) vs createdAt on or after it and before
    2026-11-21T00:00:00Z (side B).  createdAt is parsed as ISO 8601 (a trailing Z is
    UTC, a naive time is taken as UTC); an unparseable createdAt excludes the call.

7. latency_components
  * Every event of type turn_latency (any call, any status) is one turn.  Components
    llm_api_ms, tts_api_ms, stt_api_ms, total_turn_ms are read at the top level or else
    inside metadata (object or JSON string).  A component counts when it is a number
    or a numeric string (booleans, NaN and other values are skipped).
  * Output: calls (with at least one turn_latency event), turns, and per component
    {turns: count of turns with it, median: statistics.median of its values}.
"""
import datetime as dt
import json
import os
import re
import statistics
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.join(HERE, "live_dataset.json")
TARGET = os.path.join(HERE, "live_investigations_expected.json")

FINISHED = ("completed", "failed", "no_answer", "cancelled")
WORD = re.compile(r"[^\W_]+")
PHRASE = re.compile(r'"([^"]*)"')

# (query, speaker, why it is in the list)
QUERIES = [
    ("order", None, "single common word (both roles)"),
    ("later", None, "single rare word (one user line)"),
    ("book thursday", None, "two loose words: same turn in some calls, separate turns in others"),
    ('"can you"', None, "phrase; 'can' ... 'you' also occur apart and reversed ('I can book that for you.', 'Could you ... How can I')"),
    ("can you", None, "the same two words loose: also matches 'I can book that for you.'"),
    ('"you can"', None, "those words reversed as a phrase: occurs in no turn, matches nothing"),
    ('"LET ME CHECK"', None, "phrase differing only in letter case"),
    ('"okay thanks"', None, "phrase spanning a comma ('Okay, thanks.')"),
    ('"acme health how can i help"', None, "phrase spanning a full stop between sentences"),
    ('"sorry i didn\'t catch that"', None, "phrase spanning a comma and an apostrophe"),
    ("ship", None, "only inside 'shipped': must not match"),
    ("4821", None, "only inside '48213': must not match"),
    ("refund", None, "matches nothing"),
    ("order", "user", "speaker user"),
    ("order", "agent", "speaker agent"),
    ("thursday", None, "word said by both roles"),
    ("thursday", "user", "speaker user"),
    ("thursday", "agent", "speaker agent"),
    ("book", None, "word said by both roles"),
    ("book", "user", "speaker user"),
    ("book", "agent", "speaker agent"),
    ('check "let me"', None, "loose word plus phrase in the same turn"),
]


# ----------------------------------------------------------------- small readers
def words(text):
    return [w.casefold() for w in WORD.findall(text)]


def as_number(v):
    """A float for a number or numeric string; None for anything else."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, (int, float)):
        f = float(v)
    elif isinstance(v, str):
        try:
            f = float(v.strip())
        except ValueError:
            return None
    else:
        return None
    return f if f == f and f not in (float("inf"), float("-inf")) else None


def plain(x):
    """ints stay ints in the JSON (medians of ints may be .5)."""
    return int(x) if isinstance(x, float) and x.is_integer() else x


def is_first_attempt(call):
    n = call.get("retryAttemptNumber")
    return n is None or as_number(n) == 0


def event_type(e):
    t = e.get("eventType", e.get("event_type"))
    return t if isinstance(t, str) else None


def metadata(e):
    m = e.get("metadata")
    if isinstance(m, str):
        try:
            m = json.loads(m)
        except ValueError:
            return {}
    return m if isinstance(m, dict) else {}


def field(e, key):
    """A type-specific field: top level first, else inside metadata."""
    if key in e:
        return e[key]
    return metadata(e).get(key)


def events_of(call):
    evs = call.get("events")
    return [e for e in evs if isinstance(e, dict)] if isinstance(evs, list) else []


def turns_of(call):
    """[(1-based index, role, content)] for readable turns; null rows still take an index."""
    tr = call.get("transcript")
    if not isinstance(tr, list):
        return []
    out = []
    for i, t in enumerate(tr, start=1):
        if isinstance(t, dict) and isinstance(t.get("content"), str):
            out.append((i, t.get("role"), t["content"]))
    return out


def parse_time(s):
    if not isinstance(s, str):
        return None
    try:
        t = dt.datetime.fromisoformat(s.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc)


# ----------------------------------------------------------------- 1. transcript search
def parse_query(q):
    phrases = [words(p) for p in PHRASE.findall(q)]
    loose = words(PHRASE.sub(" ", q))
    return loose, [p for p in phrases if p]


def contains_run(seq, run):
    n = len(run)
    return any(seq[i:i + n] == run for i in range(len(seq) - n + 1))


def turn_matches(content, loose, phrases):
    ws = words(content)
    return all(w in ws for w in loose) and all(contains_run(ws, p) for p in phrases)


def transcript_search(calls):
    out = []
    for query, speaker, _why in QUERIES:
        loose, phrases = parse_query(query)
        hits = {}
        if loose or phrases:
            for call in calls:
                idx = [i for i, role, content in turns_of(call)
                       if (speaker is None or role == speaker) and turn_matches(content, loose, phrases)]
                if idx:
                    hits[call["callId"]] = idx
        ids = sorted(hits)
        out.append({"query": query, "speaker": speaker, "call_ids": ids,
                    "turns": {cid: hits[cid] for cid in ids}})
    return out


# ----------------------------------------------------------------- 2. tools
def tool_calls_of(call):
    """Tool calls of one call in start order: [{function_name, outcome, error}]."""
    opened = []  # dicts with id, function_name, outcome, error, closed
    for e in events_of(call):
        t = event_type(e)
        if t == "tool_call_start":
            fn = field(e, "function_name")
            opened.append({"function_name": fn if isinstance(fn, str) else None,
                           "id": field(e, "tool_call_id"), "outcome": "no_result",
                           "error": None, "closed": False})
        elif t in ("tool_call_end", "tool_call_error"):
            fn, tid = field(e, "function_name"), field(e, "tool_call_id")
            fn = fn if isinstance(fn, str) else None
            match = None
            if tid is not None:
                match = next((c for c in opened if not c["closed"] and c["id"] == tid), None)
            if match is None:
                match = next((c for c in opened if not c["closed"] and c["function_name"] == fn), None)
            if match is None:  # an end with no start: counted on its own
                match = {"function_name": fn, "id": tid, "closed": False}
                opened.append(match)
            success = field(e, "success")
            failed = t == "tool_call_error" or success is False or (
                isinstance(success, str) and success.strip().lower() == "false")
            match.update(closed=True, outcome="failed" if failed else "ok",
                         error=field(e, "error") if failed else None)
    return [{"function_name": c["function_name"], "outcome": c["outcome"], "error": c["error"]} for c in opened]


def tools(calls):
    per_fn, by_call = {}, {}
    for call in calls:
        tcs = tool_calls_of(call)
        if tcs:
            by_call[call["callId"]] = tcs
        for tc in tcs:
            name = tc["function_name"] if tc["function_name"] is not None else "null"
            s = per_fn.setdefault(name, {"calls": 0, "failed": 0, "no_result": 0, "errors": Counter()})
            s["calls"] += 1
            if tc["outcome"] == "failed":
                s["failed"] += 1
                if tc["error"] is not None:
                    s["errors"][tc["error"] if isinstance(tc["error"], str) else json.dumps(tc["error"])] += 1
            elif tc["outcome"] == "no_result":
                s["no_result"] += 1
    for s in per_fn.values():
        s["errors"] = dict(sorted(s["errors"].items()))
    return dict(sorted(per_fn.items())), by_call


# ----------------------------------------------------------------- 3. disposition metrics
def value_text(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return v if isinstance(v, str) else str(v)


def dispositions_of(call):
    """{identifier: value text} for one call."""
    pca = call.get("postCallAnalytics")
    rows = pca.get("dispositionMetrics") if isinstance(pca, dict) else None
    pairs = []
    if isinstance(rows, list) and rows:
        pairs = [(r.get("identifier"), r.get("value")) for r in rows if isinstance(r, dict)]
    elif isinstance(call.get("dispositionMetrics"), dict):
        pairs = list(call["dispositionMetrics"].items())
    out = {}
    for ident, val in pairs:
        text = value_text(val)
        if isinstance(ident, str) and text is not None and ident not in out:
            out[ident] = text
    return out


def tally_dispositions(calls):
    acc = defaultdict(Counter)
    for call in calls:
        for ident, text in dispositions_of(call).items():
            acc[ident][text] += 1
    return {k: dict(sorted(v.items())) for k, v in sorted(acc.items())}


# ----------------------------------------------------------------- 4. versions
def versions(calls):
    acc = {}
    for call in calls:
        key = (call.get("agentId"), call.get("versionNumber"), call.get("versionId"))
        row = acc.setdefault(key, {"agent_id": key[0], "version_number": key[1], "version_id": key[2],
                                   "calls": 0, "first_attempt_calls": 0})
        row["calls"] += 1
        row["first_attempt_calls"] += is_first_attempt(call)
    return [acc[k] for k in sorted(acc, key=lambda k: tuple(json.dumps(x) for x in k))]


# ----------------------------------------------------------------- 5. hangups
def normalise_line(s):
    return " ".join(s.casefold().split()).rstrip(".!?,;: \t")


def hangups(calls):
    raw, norm, n = Counter(), Counter(), 0
    for call in calls:
        if call.get("disconnectionReason") != "user_hangup":
            continue
        n += 1
        agent_lines = [content for _i, role, content in turns_of(call) if role == "agent"]
        last = agent_lines[-1] if agent_lines else None
        raw[last] += 1
        norm[normalise_line(last) if last is not None else None] += 1

    def ordered(c):  # json writes the None key as "null"
        return {k: c[k] for k in sorted(c, key=lambda k: (k is not None, k or ""))}
    return {"calls": n, "last_agent_lines": ordered(raw), "last_agent_lines_normalised": ordered(norm)}


# ----------------------------------------------------------------- 6. comparisons
def side(group):
    by_status = Counter(c.get("status") if isinstance(c.get("status"), str) else "null" for c in group)
    n = len(group)
    return {"calls": n, "by_status": dict(sorted(by_status.items())),
            "completed_share": by_status["completed"] / n if n else None,
            "failed_share": by_status["failed"] / n if n else None,
            "call_ids": sorted(c["callId"] for c in group)}


def comparisons(calls):
    per_agent = Counter(c.get("agentId") for c in calls if isinstance(c.get("agentId"), str))
    top = min(per_agent, key=lambda a: (-per_agent[a], a))
    firsts = [c for c in calls if is_first_attempt(c)]
    mine = [c for c in firsts if c.get("agentId") == top]
    cut = parse_time("2026-11-10T00:00:00Z")
    stop = parse_time("2026-11-21T00:00:00Z")
    timed = [(parse_time(c.get("createdAt")), c) for c in firsts]
    return {
        "by_version": {"agent_id": top, "agent_calls": per_agent[top],
                       "A": side([c for c in mine if as_number(c.get("versionNumber")) == 1]),
                       "B": side([c for c in mine if as_number(c.get("versionNumber")) == 2])},
        "by_date": {"A": side([c for t, c in timed if t is not None and t < cut]),
                    "B": side([c for t, c in timed if t is not None and cut <= t < stop])},
    }


# ----------------------------------------------------------------- 7. latency components
COMPONENTS = ("llm_api_ms", "tts_api_ms", "stt_api_ms", "total_turn_ms")


def latency_components(calls):
    values = {k: [] for k in COMPONENTS}
    n_calls = n_turns = 0
    for call in calls:
        tl = [e for e in events_of(call) if event_type(e) == "turn_latency"]
        n_calls += bool(tl)
        n_turns += len(tl)
        for e in tl:
            for k in COMPONENTS:
                v = as_number(field(e, k))
                if v is not None:
                    values[k].append(v)
    return {"calls": n_calls, "turns": n_turns,
            "components": {k: {"turns": len(v), "median": plain(statistics.median(v)) if v else None}
                           for k, v in values.items()}}


# ----------------------------------------------------------------- main
def main():
    with open(SOURCE, encoding="utf-8") as f:
        data = json.load(f)
    calls = [c for c in data.get("calls") or [] if isinstance(c, dict) and isinstance(c.get("callId"), str)]
    tool_totals, tools_by_call = tools(calls)
    by_agent = defaultdict(list)
    for c in calls:
        by_agent[c.get("agentId") if isinstance(c.get("agentId"), str) else "null"].append(c)
    out = {
        "source": os.path.basename(SOURCE),
        "calls": len(calls),
        "finished_calls": sum(1 for c in calls if c.get("status") in FINISHED),
        "first_attempt_calls": sum(1 for c in calls if is_first_attempt(c)),
        "transcript_search": transcript_search(calls),
        "tools": tool_totals,
        "tools_by_call": tools_by_call,
        "disposition_metrics": tally_dispositions(calls),
        "disposition_metrics_by_agent": {a: tally_dispositions(cs) for a, cs in sorted(by_agent.items())},
        "versions": versions(calls),
        "hangups": hangups(calls),
        "comparisons": comparisons(calls),
        "latency_components": latency_components(calls),
    }
    with open(TARGET, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote %s: %d calls, %d queries, %d tool functions" % (
        os.path.basename(TARGET), len(calls), len(out["transcript_search"]), len(tool_totals)))


if __name__ == "__main__":
    main()
