#!/usr/bin/env python3
"""Build a "live-shaped" test dataset for the Atoms conversation-logs sandbox.

Written only from docs/atoms-api/NOTES.md ("What the live API has been seen
to send") and openapi.yaml (GET /conversation/{id}); no server code was read.
Standard library only, deterministic (random.Random(2026)).
Run: python3 tests/data/make_live_dataset.py

Outputs (next to this script):
  live_dataset.json           {"agents": [AgentDTO...], "calls": [record...]}
  live_dataset_expected.json  facts computed from the written records by plain logic

A record is the `data` of GET /conversation/{callId} plus the list-row fields.
60 calls, 3 agents, createdAt 2026-11-01..2026-11-20 UTC, callId
CALL-{ms of createdAt}-{6 hex}.

Event conventions (every event has event_id, call_id, source, timestamp):
  * Two styles, chosen per call (about a third "live"):
      live : type under `eventType`; `metadata`, `metrics`, `context` are JSON STRINGS
             (json.dumps); `timestamp` is epoch SECONDS as a float (3 decimals).
      plain: type under `event_type`; those three are objects; `timestamp` is ISO (Z).
  * `metrics` (when present, only on llm_full_response_end) is a LIST
    [{processor, model, value: {prompt_tokens, completion_tokens}}] as in SSE frames.
  * Field placement, chosen per call ("top" or "metadata"): the type-specific fields of
    turn_latency (turn_index, total_turn_ms, llm_api_ms, tts_api_ms, stt_api_ms) and of
    tool_call_start / tool_call_end / tool_call_error (function_name, tool_call_id,
    arguments, success, latency_ms, error, response) live EITHER all at the top level
    OR all inside `metadata` (a JSON string on live calls), never in both places.
    Most live calls use "metadata", most plain calls use "top"; both mixes occur.
  * Always inside `metadata`: turn_outcome {turn_index, attempt, outcome},
    barge_in {barge_in_seq, hold_outcome}, call_queued {priority},
    call_end {call_status, reason, diagnostics: {schema: 1, counts: {events_emitted}}}.
  * Always top level: user_transcription {text, is_final}, tts_completed {text},
    llm_full_response_end {llm_text}, hopping {from_node_id, to_node_id},
    agent_error {error}, call_cancelled {reason}, agent.log {name, payload (object)}.
  * source: call_queued is "dispatcher"; call_start is "dispatcher" or
    "atoms-orchestrator"; everything else "atoms-orchestrator". events_emitted =
    number of stored orchestrator events other than call_end, except on the calls in
    odd_calls marked "events lost" where it is larger.
  * Tool ids, chosen per call with tools: "shared" (start and end/error carry the same
    tool_call_id) or "name_only" (start has tool_call_id, end/error only function_name).
  * tool_call_end: success true/false, latency_ms int or numeric string ("412"),
    `error` text on most failures (a failed end may lack `error` -> error null).
    tool_call_error: function_name, error, latency_ms sometimes absent (-> null).
  * Events are stored in time order.

Expected file: top-level keys are the callIds (one entry per call) plus
"odd_calls", "calls_by_status", "tool_failures_by_function", "retry_families".
Per call: status, event_type_key, tool_calls [{function_name, outcome ok|failed|no_result,
latency_ms number|null, error text|null}] in start order (pairing: by tool_call_id when
start and end both carry one, else the first unmatched start of that function name;
outcome: end success true -> ok, end success false or tool_call_error -> failed, no end ->
no_result), measured_latencies, unreadable_latencies (null or non-numeric entries of
turnLatencyMetrics.latencies), transcript_turns (non-null entries), plus extras:
transition_latencies (numeric latency values in transitions), events_emitted (null when
no call_end), events_stored_from_source, field_placement, tool_id_mode.

Retry families: root.retryCallId -> the retry (retryAttemptNumber 1, retryCount 0,
retryCallId null); root retryCount 1, retryAttemptNumber 0.
turnLatencyMetrics.turns = number of transcript entries on some calls (as the live API
appears to do), number of latencies on the others.
"""
import datetime as dt
import json
import os
import random
import statistics
from collections import Counter

R = random.Random(2026)
HERE = os.path.dirname(os.path.abspath(__file__))
ORCH, DISP = "atoms-orchestrator", "dispatcher"
UTC = dt.timezone.utc
NOV1 = int(dt.datetime(2026, 11, 1, tzinfo=UTC).timestamp() * 1000)
DAY = 86_400_000


def hexs(n):
    return "".join(R.choice("0123456789abcdef") for _ in range(n))


def iso(ms):
    return dt.datetime.fromtimestamp(ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S") + ".%03dZ" % (ms % 1000)


ORG, CREATOR = hexs(24), hexs(24)
USER_LINES = ["Hi, I'm calling about my order.", "It still hasn't arrived.", "Yes, that's right.",
              "Can you check the status?", "The order number is 4 4 1 7 2.", "No, not really.",
              "Could I book something for Thursday?", "Morning works better for me.",
              "Can you call me back later?", "I already tried restarting it.", "Okay, thanks.",
              "What does it cost?", "Hmm, let me think.", "Sure, go ahead.", "That works, thank you."]
AGENT_LINES = ["Let me check that for you.", "I have pulled up your account.",
               "Your order shipped yesterday and should arrive tomorrow.",
               "Could you confirm your date of birth?", "I can book that for you.",
               "Thursday at 10 am is available.", "Our plan starts at 29 dollars a month.",
               "Is there anything else I can help with?", "I'm transferring you to a colleague now.",
               "Sorry, I didn't catch that. Could you repeat?", "Your ticket number is 48213."]
NAMES = ["Priya Sharma", "John Miller", "Ana García", "Wei Zhang", "Fatima Khan", "Tom O'Brien",
         "Lukas Weber", "Aisha Bello", "María López", "Ravi Iyer"]
TOOL_ERRORS = {"lookup_order": ["HTTP 504 from https://api.example.com/orders", "order not found"],
               "book_appointment": ["Slot no longer available", "HTTP 500 from scheduler"],
               "check_availability": ["timeout after 5000 ms"],
               "transfer_call": ["SIP REFER rejected (603)"], "end_call": ["hangup failed"]}

AGENT_SPECS = [  # name, workflowType, phone, tools, slm, voice, dispositions, rate/min
    ("Support Inbound", "single_prompt", "+14155550101", ["lookup_order", "transfer_call", "end_call"],
     "gpt-4.1", ("waves_lightning_v3_1", "nyah", "female"),
     [("issue_resolved", "BOOLEAN", None), ("issue_category", "ENUM", ["billing", "delivery", "technical", "other"])], 0.07),
    ("Sales Outbound", "workflow_graph", "+12125550190", ["check_availability", "book_appointment", "end_call"],
     "gpt-4o", ("waves_lightning_large", "arjun", "male"),
     [("interested", "ENUM", ["yes", "no", "maybe"]), ("follow_up_needed", "BOOLEAN", None),
      ("callback_time", "DATETIME", None)], 0.09),
    ("Clinic Booking", "workflow_graph", "+13105550177",
     ["check_availability", "book_appointment", "lookup_order", "transfer_call"],
     "electron", ("waves_lightning_v3_1", "emily", "female"),
     [("appointment_booked", "BOOLEAN", None), ("visit_reason", "STRING", None)], 0.05),
]


def make_agent(i, spec):
    name, wtype, phone, tools, slm, (vmodel, vid, gender), disp, _ = spec
    versions = [hexs(24), hexs(24)]
    a = {"_id": hexs(24), "name": name, "description": name + " agent (live-shaped test dataset)",
         "backgroundSound": ["", "office", "call_center"][i], "organization": ORG,
         "workflowId": hexs(24), "workflowType": wtype, "createdBy": CREATOR,
         "globalKnowledgeBaseId": hexs(24),
         "language": {"default": "en", "supported": ["en"], "switching": {
             "isEnabled": False, "minWordsForDetection": 2, "strongSignalThreshold": 0.7,
             "weakSignalThreshold": 0.3, "minConsecutiveForWeakThresholdSwitch": 2}},
         "synthesizer": {"voiceConfig": {"model": vmodel, "voiceId": vid, "gender": gender},
                         "speed": 1.0, "consistency": 0.5, "similarity": 0, "enhancement": 1,
                         "sampleRate": 24000},
         "slmModel": slm, "defaultVariables": {"agent_name": name.split()[0], "company": "Acme Health"},
         "createdAt": iso(NOV1 - (90 - 10 * i) * DAY), "updatedAt": iso(NOV1 - (20 - i) * DAY),
         "firstMessage": "Hello, this is %s from Acme Health. How can I help?" % name.split()[0],
         "allowInterruptions": True, "waitForUserToSpeakFirst": False, "totalCalls": 0,
         "transcriberType": "pulse", "archived": False, "activeVersionId": versions[1],
         "versionId": versions[1], "allowInboundCall": i != 1, "phoneNumber": [phone],
         "visibleToEveryone": True, "timezone": {"label": "(GMT+0:00) UTC", "offset": 0},
         "postCallAnalyticsConfig": {"dispositionMetrics": [
             dict({"identifier": k, "dispositionMetricPrompt": "Evaluate %s from the transcript." % k,
                   "dispositionMetricType": t}, **({"choices": c} if c else {})) for k, t, c in disp],
             "successMetrics": [], "summaryPrompt": "", "useInternalAnalyticsModel": True,
             "useReasoningModel": False}}
    return a, versions


def isnum(v):
    if isinstance(v, bool):
        return False
    if isinstance(v, (int, float)):
        return v == v
    if isinstance(v, str):
        try:
            return float(v) == float(v)
        except ValueError:
            return False
    return False


def num(v):
    f = float(v)
    return int(f) if f.is_integer() else f


class Call:
    """Accumulates the events and transcript of one call while it is generated."""

    def __init__(self, spec):
        self.s, self.cid = spec, spec["callId"]
        self.live, self.meta_place = spec["live"], spec["placement"] == "metadata"
        self.events, self.transcript, self.trans, self.plan = [], [], [], []

    def ev(self, etype, ms, top=None, meta=None, placed=None, metrics=None, context=None, source=ORCH):
        row = {("eventType" if self.live else "event_type"): etype, "event_id": "evt_" + hexs(12),
               "call_id": self.cid, "source": source,
               "timestamp": round(ms / 1000, 3) if self.live else iso(ms)}
        row.update(top or {})
        meta = dict(meta or {})
        if placed:
            (meta if self.meta_place else row).update(placed)
        for name, val in (("metadata", meta), ("metrics", metrics), ("context", context)):
            if val:
                row[name] = json.dumps(val) if self.live else val
        self.events.append((ms, len(self.events), row))

    def say(self, role, text, ms):
        ts = round(ms / 1000, 3) if self.s["epoch_transcript"] else iso(ms)
        self.transcript.append({"role": role, "content": text, "timestamp": ts})
        return ms + 350 + 48 * len(text) + R.randint(0, 600)

    def tool_id(self):
        return "tc_" + hexs(10)

    def tools(self, steps, t):
        """steps: [(function_name, result ok|failed|error, latency_ms, error_text)]; starts
        are staggered by 40 ms, each end lands at start + latency. Returns time used."""
        last = t
        for j, (fn, result, lat, err) in enumerate(steps):
            st, tid = t + 40 * j, self.tool_id()
            self.ev("tool_call_start", st, placed={"function_name": fn, "tool_call_id": tid,
                                                   "arguments": {"customer_id": "cus_" + hexs(6)}})
            shown = str(lat) if R.random() < 0.3 else lat
            end = {"function_name": fn}
            if self.s["id_mode"] == "shared":
                end["tool_call_id"] = tid
            if result == "error":
                end["error"] = err
                if R.random() < 0.5:
                    end["latency_ms"] = shown
                else:
                    lat = None
                self.ev("tool_call_error", st + (lat or 200), placed=end)
            else:
                end.update({"success": result == "ok", "latency_ms": shown})
                if result == "ok":
                    end["response"] = {"status": "ok", "ref": hexs(6)}
                elif err:
                    end["error"] = err
                self.ev("tool_call_end", st + lat, placed=end)
            self.plan.append({"function_name": fn, "outcome": "ok" if result == "ok" else "failed",
                              "latency_ms": lat, "error": err if result != "ok" else None})
            last = max(last, st + (lat or 200))
        return last - t + 150

    def converse(self, t, n_user, tool_turns, reply_last=True):
        """Agent greets, then n_user user turns each answered by the agent. Returns end ms."""
        agent = self.s["agent_dto"]
        graph = agent["workflowType"] == "workflow_graph"
        node, barge = "node_start", 0
        end = self.say("agent", agent["firstMessage"], t)
        self.ev("tts_completed", end, top={"text": agent["firstMessage"]})
        for k in range(n_user):
            utext = R.choice(USER_LINES)
            uend = self.say("user", utext, end + R.randint(700, 3500))
            self.ev("user_transcription", uend, top={"text": utext, "is_final": True})
            turn = len(self.transcript)
            if k == n_user - 1 and not reply_last:
                self.ev("turn_outcome", uend + 1500, meta={"turn_index": turn, "attempt": 1, "outcome": "no_reply"})
                return uend + 1800
            lat = min(4000, max(320, int(R.lognormvariate(6.6, 0.35))))
            lat += self.tools(tool_turns.get(k, []), uend + int(lat * 0.4)) if k in tool_turns else 0
            bot = uend + lat
            atext = R.choice(AGENT_LINES)
            ctx = {"node_id": node, "turn_index": turn} if R.random() < 0.5 else None
            self.ev("llm_full_response_end", bot - int(lat * 0.3), top={"llm_text": atext}, context=ctx,
                    metrics=[{"processor": "LLMService", "model": agent["slmModel"],
                              "value": {"prompt_tokens": R.randint(600, 2400), "completion_tokens": R.randint(12, 60)}}])
            if graph and R.random() < 0.3:
                new = "node_" + R.choice(["pitch", "qualify", "booking", "faq", "wrapup"])
                self.ev("hopping", bot - int(lat * 0.2), top={"from_node_id": node, "to_node_id": new})
                node = new
            self.ev("turn_latency", bot, placed={
                "turn_index": turn, "total_turn_ms": lat, "llm_api_ms": int(lat * 0.45),
                "tts_api_ms": int(lat * 0.2), "stt_api_ms": int(lat * 0.15)})
            aend = self.say("agent", atext, bot)
            outcome = "replied"
            if R.random() < 0.12:
                barge += 1
                hold = R.choice(["accepted", "refused"])
                mid = (bot + aend) // 2
                self.ev("barge_in", mid, meta={"barge_in_seq": barge, "hold_outcome": hold})
                if hold == "accepted":
                    outcome, aend = "interrupted", mid + 200
            self.ev("turn_outcome", aend, meta={"turn_index": turn, "attempt": 1, "outcome": outcome})
            self.ev("tts_completed", aend, top={"text": atext})
            self.trans.append({"turn": turn, "user_end": uend, "bot_start": bot, "latency": lat})
            end = aend
        return end


def tool_plan(spec, n_user):
    fns = spec["agent_dto"]["_tools"]
    if spec["special"] == "tool_twice":
        return {1: [("lookup_order", "ok", 300, None), ("lookup_order", "failed", 512, "order not found")]}
    plan = {}
    for k in R.sample(range(n_user), min(n_user, R.randint(1, 3))):
        picks = R.sample(fns, R.choice([1, 1, 1, 2]))
        steps = []
        for fn in picks:
            r = R.random()
            result = "ok" if r < 0.68 or (spec["status"] == "completed" and r < 0.75) else R.choice(["failed", "failed", "error"])
            err = R.choice(TOOL_ERRORS[fn]) if result != "ok" and R.random() < 0.85 or result == "error" else None
            steps.append((fn, result, R.randint(90, 2200), err))
        plan[k] = steps
    return plan


def analytics(spec, n_turns):
    agent = spec["agent_dto"]
    metrics = []
    for d in agent["postCallAnalyticsConfig"]["dispositionMetrics"]:
        t = d["dispositionMetricType"]
        val = (R.choice(d["choices"]) if t == "ENUM" else R.choice(["true", "false"]) if t == "BOOLEAN"
               else iso(spec["created"] + DAY) if t == "DATETIME" else R.choice(["checkup", "follow-up", "billing question"]))
        metrics.append({"identifier": d["identifier"], "value": val, "confidence": round(R.uniform(0.55, 0.99), 2)})
    summary = "Caller spoke with %s over %d turns; call %s." % (agent["name"], n_turns, spec["status"])
    return {"summary": summary, "dispositionMetrics": metrics}


def latency_metrics(c, spec, processed_ms):
    trans = [dict(t) for t in c.trans]
    lats = [t["latency"] for t in trans]
    odd = spec["special"]
    if odd == "latency_null_entry":
        j = len(lats) // 2
        lats[j] = trans[j]["latency"] = None
    good = [x for x in lats if x is not None]
    tlm = {"turns": len(c.transcript) if spec["turns_transcript"] else len(lats),
           "avgLatency": round(sum(good) / len(good), 1) if good else 0,
           "medianLatency": statistics.median(good) if good else 0,
           "minLatency": min(good) if good else 0, "maxLatency": max(good) if good else 0,
           "latencies": lats, "transitions": trans, "processedAt": iso(processed_ms)}
    if odd == "latencies_null":
        tlm["latencies"] = None
    elif odd == "string_numbers":
        tlm["avgLatency"] = str(round(tlm["avgLatency"]))
        tlm["minLatency"] = str(tlm["minLatency"])
        tlm["latencies"] = [str(x) if i % 3 == 1 else x for i, x in enumerate(lats)]
    elif odd == "median_inconsistent":
        srt = sorted(good)
        p95 = srt[max(0, -(-95 * len(srt) // 100) - 1)]
        tlm["medianLatency"] = int(p95 * 1.4) + 1
        spec["odd_note"] = ("API medianLatency %s is above the p95 (%s) of its own %d latencies "
                            "(true median %s)" % (tlm["medianLatency"], p95, len(srt), statistics.median(srt)))
    return tlm


def build(spec):
    c, agent, st = Call(spec), spec["agent_dto"], spec["status"]
    created = spec["created"]
    c.ev("call_queued", created, source=DISP, meta={"priority": "normal"})
    rec_extra, end_ms, reason, fail = {}, created + R.randint(500, 4000), None, None
    n_user = 0
    if st in ("completed", "in_progress") or spec["fail_kind"] == "midcall":
        answer = created + R.randint(2500, 9000)
        c.ev("call_start", answer - 300, source=R.choice([DISP, ORCH]), top={"telephony_id": "tel_" + hexs(8)})
        n_user = {"completed": R.randint(3, 9), "in_progress": R.randint(2, 4), "failed": R.randint(1, 3)}[st]
        if spec["special"] == "median_inconsistent":
            n_user = 9
        tools = tool_plan(spec, n_user) if spec["tools"] else {}
        if R.random() < 0.15:
            c.ev("agent.log", answer + 700, top={"name": "crm_lookup", "payload": {"tier": R.choice(["gold", "silver"]), "found": True}})
        reply_last = st != "completed" or R.random() < 0.85
        end_ms = c.converse(answer, n_user, tools, reply_last) + R.randint(300, 1200)
        if spec["special"] == "tool_no_end":
            c.ev("tool_call_start", end_ms, placed={"function_name": "end_call", "tool_call_id": c.tool_id(),
                                                    "arguments": {"reason": "conversation_complete"}})
            c.plan.append({"function_name": "end_call", "outcome": "no_result", "latency_ms": None, "error": None})
            end_ms += 250
        if st == "completed":
            reason = "agent_hangup" if spec["special"] == "tool_no_end" else R.choice(
                ["user_hangup", "user_hangup", "user_hangup", "agent_hangup", "transfer_complete"])
        elif st == "failed":
            fail = R.choice(["LLM provider unavailable (503)", "agent_error: TTS stream closed"])
            c.ev("agent_error", end_ms - 150, top={"error": fail})
            reason = "system_error"
    elif st in ("failed", "no_answer"):
        c.ev("call_start", created + R.randint(200, 800), source=R.choice([DISP, ORCH]), top={"telephony_id": "tel_" + hexs(8)})
        end_ms = created + R.randint(8000, 32000)
        if st == "failed":
            sip, cat, fail = R.choice([(486, "busy", "SIP 486 Busy Here"), (503, "service_unavailable", "SIP 503 Service Unavailable"),
                                       (408, "request_timeout", "SIP 408 Request Timeout")])
            reason = "connection_error"
        else:
            sip, cat, fail = 480, "no_answer", "No answer after 30s"
            reason = R.choice(["timeout", "timeout", "dial_no_answer"])
        if R.random() < 0.7:
            rec_extra["disconnectDetails"] = {"sipCode": sip, "category": cat}
    elif st == "cancelled":
        c.ev("call_cancelled", end_ms, top={"reason": "cancelled_by_user"})
    ended = st in ("completed", "failed", "no_answer")
    if ended:
        stored = sum(1 for _, _, e in c.events if e["source"] == ORCH)
        emitted = stored + spec["lost"]
        c.ev("call_end", end_ms, meta={"call_status": st, "reason": reason, "diagnostics": {
            "schema": 1, "counts": {"events_emitted": emitted}}})
    events = [e for _, _, e in sorted(c.events, key=lambda x: (x[0], x[1]))]
    duration = round((end_ms - created) / 1000 - 2.5, 1) if n_user and ended else 0
    updated = end_ms + R.randint(3000, 20000) if ended or st == "cancelled" else created + R.randint(100, 3000)
    if st == "completed" and spec["type"] != "webcall" and R.random() < 0.5:
        rec_extra["disconnectDetails"] = {"sipCode": 200, "category": "normal_clearing"}
    if st == "failed" and n_user and R.random() < 0.6:
        rec_extra["disconnectDetails"] = {"sipCode": 500, "category": "server_error"}
    rate = AGENT_SPECS[spec["agent_i"]][7]
    cost = round(duration / 60 * rate + (0.004 if duration else 0), 4) if ended or st == "cancelled" else None
    if cost and R.random() < 0.45:
        parts = {k: round(cost * f, 4) for k, f in (("llm", 0.45), ("tts", 0.25), ("stt", 0.1))}
        parts["telephony"] = round(cost - sum(parts.values()), 4)
        rec_extra["costBreakdown"] = parts
    if n_user and ended and R.random() < 0.2:
        rec_extra["usage"] = {"llm": {"promptTokens": R.randint(4000, 30000), "completionTokens": R.randint(200, 900)},
                              "ttsCharacters": sum(len(t["content"]) for t in c.transcript if t["role"] == "agent"),
                              "sttSeconds": round(duration * 0.4, 1)}
    variables = {"customer_name": R.choice(NAMES), "current_date": iso(created)[:10],
                 "agent_name": agent["defaultVariables"]["agent_name"]}
    if spec["special"] == "variables_null":
        variables = None
    transcript = c.transcript
    rec = {"_id": hexs(24), "callId": spec["callId"], "agentId": agent["_id"], "status": st,
           "duration": duration, "from": spec["from"], "to": spec["to"], "type": spec["type"],
           "createdAt": iso(created), "updatedAt": iso(updated)}
    if st not in ("pending", "in_queue", "in_progress"):
        rec["disconnectionReason"] = reason
    rec.update({"retryCount": spec["retryCount"], "retryAttemptNumber": spec["attempt"],
                "retryCallId": spec["retryCallId"], "isTest": spec["type"] == "webcall" and R.random() < 0.5,
                "versionId": spec["version"][0], "versionNumber": spec["version"][1]})
    if cost is not None:
        rec["callCost"] = cost
    rec.update({"callFailureReason": fail, "variables": variables, "transcript": transcript, "events": events})
    if n_user and ended:
        rec["turnLatencyMetrics"] = latency_metrics(c, spec, updated)
        pca = analytics(spec, len(c.transcript))
        rec["postCallAnalytics"] = pca
        rec["dispositionMetrics"] = {m["identifier"]: m["value"] for m in pca["dispositionMetrics"]}
        rec["agentDispositionConfig"] = [{"identifier": d["identifier"], "type": d["dispositionMetricType"]}
                                         for d in agent["postCallAnalyticsConfig"]["dispositionMetrics"]]
        rec["recordingUrl"] = "https://storage.example.com/recordings/%s.wav" % spec["callId"]
        rec["recordingDualUrl"] = "https://storage.example.com/recordings/%s-dual.wav" % spec["callId"]
    syn = agent["synthesizer"]["voiceConfig"]
    rec.update({"voiceConfigUsed": dict(syn), "slmModelUsed": agent["slmModel"]})
    rec.update(rec_extra)
    if spec["special"] == "tlm_null":
        rec["turnLatencyMetrics"] = None
    elif spec["special"] == "analytics_null":
        rec["postCallAnalytics"] = None
        rec.pop("dispositionMetrics")
    elif spec["special"] == "string_numbers":
        rec["duration"], rec["callCost"] = "%.1f" % duration, "%.4f" % cost
    rec["agent"] = {k: v for k, v in agent.items() if not k.startswith("_tools")}
    if spec["special"] == "null_entries":  # after every figure above was computed
        transcript.insert(2, None)
        events.insert(3, None)
        events.insert(len(events) - 1, None)
    return rec, c.plan


def plan_calls(agents):
    statuses = (["completed"] * 40 + ["failed"] * 6 + ["no_answer"] * 5 + ["cancelled"] * 3
                + ["pending"] * 2 + ["in_queue"] * 2 + ["in_progress"] * 2)
    specs = []
    for st in statuses:
        ai = R.randrange(3)
        a, versions = agents[ai]
        specs.append({"status": st, "agent_i": ai, "agent_dto": a, "special": None, "lost": 0,
                      "attempt": 0, "retryCount": 0, "retryCallId": None,
                      "version": (versions[1], 2) if R.random() < 0.8 else (versions[0], 1)})
    # failure kinds: three at connect, three mid-call
    for i, s in enumerate(x for x in specs if x["status"] == "failed"):
        s["fail_kind"] = "connect" if i < 3 else "midcall"
    for s in specs:
        s.setdefault("fail_kind", None)
    # retry families: (root, retry) pairs
    fam = [("no_answer", "completed"), ("failed", "completed"), ("no_answer", "no_answer")]
    pool = {st: [s for s in specs if s["status"] == st and s["fail_kind"] != "midcall"] for st in ("no_answer", "failed", "completed")}
    families = []
    for root_st, retry_st in fam:
        root = pool[root_st].pop(0)
        retry = pool[retry_st].pop(-1)
        root["retryCount"], retry["attempt"] = 1, 1
        retry["agent_i"], retry["agent_dto"], retry["version"] = root["agent_i"], root["agent_dto"], root["version"]
        families.append((root, retry))
    in_family = {id(s) for f in families for s in f}
    plain_completed = [s for s in specs if s["status"] == "completed" and id(s) not in in_family]
    R.shuffle(plain_completed)
    specials = ["latency_null_entry", "latencies_null", "tlm_null", "string_numbers", "analytics_null",
                "null_entries", "variables_null", "median_inconsistent", "tool_twice", "tool_no_end",
                "epoch_transcript", "epoch_transcript", "lost_events", "lost_events"]
    for s, sp in zip(plain_completed, specials):
        s["special"] = sp
        if sp == "tool_twice":  # lookup_order belongs to the support agent
            s["agent_i"], s["agent_dto"] = 0, agents[0][0]
            s["version"] = (agents[0][1][1], 2)
        if sp == "lost_events":
            s["lost"] = R.choice([2, 5])
    # styles: 20 live calls; tool_twice forced live, tool_no_end forced plain
    styles = [True] * 20 + [False] * 40
    R.shuffle(styles)
    for s, live in zip(specs, styles):
        s["live"] = live
    force = {"tool_twice": True, "tool_no_end": False}
    for s in specs:
        if s["special"] in force and s["live"] != force[s["special"]]:
            other = next(o for o in specs if o["live"] == force[s["special"]] and o["special"] not in force)
            other["live"], s["live"] = s["live"], force[s["special"]]
    for s in specs:
        s["placement"] = "metadata" if R.random() < (0.7 if s["live"] else 0.3) else "top"
        if s["special"] == "tool_twice":
            s["placement"] = "metadata"
        s["epoch_transcript"] = s["special"] == "epoch_transcript"
        s["turns_transcript"] = R.random() < 0.6
        conv = s["status"] == "completed" or s["fail_kind"] == "midcall"
        s["tools"] = s["special"] in ("tool_twice", "tool_no_end") or (
            conv and s["special"] is None and R.random() < (0.9 if s["fail_kind"] else 0.6))
        s["id_mode"] = ("name_only" if s["special"] == "tool_twice" else
                        R.choice(["name_only", "name_only", "shared"])) if s["tools"] else None
    # times: roots of families before Nov 18; active calls late on Nov 20
    for s in specs:
        if s["status"] in ("pending", "in_queue", "in_progress"):
            s["created"] = NOV1 + 19 * DAY + 23 * 3_600_000 + R.randint(1_800_000, 3_500_000)
        else:
            day = R.randrange(17 if s["retryCount"] else 20)
            s["created"] = NOV1 + day * DAY + R.randint(7 * 3_600_000, 20 * 3_600_000)
    for root, retry in families:
        retry["created"] = root["created"] + R.randint(15, 90) * 60_000
    for s in specs:
        a = s["agent_dto"]
        s["type"] = ["telephony_inbound", "telephony_outbound", R.choice(["webcall", "telephony_inbound"])][s["agent_i"]]
        cust = "+1%d555%04d" % (R.choice([202, 312, 415, 646, 718]), R.randrange(10000))
        if s["type"] == "webcall":
            s["from"], s["to"] = "webcall", ""
        elif s["type"] == "telephony_outbound":
            s["from"], s["to"] = a["phoneNumber"][0], cust
        else:
            s["from"], s["to"] = cust, a["phoneNumber"][0]
        s["callId"] = "CALL-%d-%s" % (s["created"], hexs(6))
    for root, retry in families:
        retry["type"], retry["from"], retry["to"] = root["type"], root["from"], root["to"]
        root["retryCallId"] = retry["callId"]
    specs.sort(key=lambda s: s["created"])
    return specs, families


def expected_for(rec):
    """Facts from the record alone (the test oracle); no knowledge of how it was generated."""
    evs = [e for e in rec.get("events") or [] if isinstance(e, dict)]

    def meta(e):
        m = e.get("metadata")
        return json.loads(m) if isinstance(m, str) else (m or {})

    def field(e, k):
        return e[k] if k in e else meta(e).get(k)

    key = "eventType" if any("eventType" in e for e in evs) else "event_type"
    calls = []
    for e in evs:
        t = e.get("eventType", e.get("event_type"))
        if t == "tool_call_start":
            calls.append({"function_name": field(e, "function_name"), "id": field(e, "tool_call_id"),
                          "outcome": "no_result", "latency_ms": None, "error": None, "done": False})
        elif t in ("tool_call_end", "tool_call_error"):
            fn, tid = field(e, "function_name"), field(e, "tool_call_id")
            cand = [c for c in calls if not c["done"] and tid and c["id"] == tid] or \
                   [c for c in calls if not c["done"] and c["function_name"] == fn]
            assert cand, "orphan tool end in %s" % rec["callId"]
            c = cand[0]
            lat = field(e, "latency_ms")
            c.update(done=True, latency_ms=num(lat) if isnum(lat) else None, error=field(e, "error"),
                     outcome="ok" if t == "tool_call_end" and field(e, "success") is True else "failed")
    tlm = rec.get("turnLatencyMetrics") or {}
    lats = tlm.get("latencies") or []
    end = next((e for e in evs if e.get("eventType", e.get("event_type")) == "call_end"), None)
    emitted = meta(end)["diagnostics"]["counts"]["events_emitted"] if end else None
    return {"status": rec["status"], "event_type_key": key,
            "tool_calls": [{k: c[k] for k in ("function_name", "outcome", "latency_ms", "error")} for c in calls],
            "measured_latencies": sum(1 for x in lats if isnum(x)),
            "unreadable_latencies": sum(1 for x in lats if not isnum(x)),
            "transition_latencies": sum(1 for t in tlm.get("transitions") or [] if isinstance(t, dict) and isnum(t.get("latency"))),
            "transcript_turns": sum(1 for t in rec.get("transcript") or [] if t is not None),
            "events_emitted": emitted,
            "events_stored_from_source": sum(1 for e in evs if end and e is not end and e.get("source") == end["source"])}


ODD_TEXT = {
    "latency_null_entry": "turnLatencyMetrics.latencies holds one null (the matching transition's latency is null too); avg/median/min/max are over the other values",
    "latencies_null": "turnLatencyMetrics.latencies is null; transitions are PRESENT with numeric latencies and avg/median/min/max are given",
    "tlm_null": "turnLatencyMetrics is null (completed call with a transcript)",
    "string_numbers": "numbers as strings: duration, callCost, avgLatency, minLatency and every 3rd latencies entry (from index 1) are numeric strings",
    "analytics_null": "postCallAnalytics is null (completed call; dispositionMetrics list-row field absent)",
    "null_entries": "transcript holds one null entry (index 2) and events hold two null entries",
    "variables_null": "variables is null",
    "tool_twice": "lookup_order started twice in a row (two tool_call_ids); the two ends carry only function_name and come in start order: first ok 300 ms, second failed 512 ms 'order not found'; live style, fields in metadata JSON strings",
    "tool_no_end": "end_call tool_call_start has no end (the call ended first) -> outcome no_result",
    "epoch_transcript": "transcript timestamps are epoch seconds numbers, not ISO strings",
}


def main():
    agents = [make_agent(i, s) for i, s in enumerate(AGENT_SPECS)]
    for (a, _), s in zip(agents, AGENT_SPECS):
        a["_tools"] = s[3]
    specs, families = plan_calls(agents)
    records, expected, odd = [], {}, {}
    for s in specs:
        rec, plan = build(s)
        exp = expected_for(rec)
        assert exp["tool_calls"] == plan, (s["callId"], exp["tool_calls"], plan)
        exp.update(field_placement=s["placement"], tool_id_mode=s["id_mode"])
        records.append(rec)
        expected[rec["callId"]] = exp
        if s["special"] == "median_inconsistent":
            odd[rec["callId"]] = s["odd_note"]
        elif s["special"] == "lost_events":
            odd[rec["callId"]] = "events lost: call_end says %d events emitted by %s, %d stored" % (
                exp["events_emitted"], ORCH, exp["events_stored_from_source"])
        elif s["special"]:
            odd[rec["callId"]] = ODD_TEXT[s["special"]]
    for a, _ in agents:
        a.pop("_tools")
        a["totalCalls"] = sum(1 for r in records if r["agentId"] == a["_id"])
    for r in records:
        r["agent"]["totalCalls"] = next(a["totalCalls"] for a, _ in agents if a["_id"] == r["agentId"])
    ids = [r["callId"] for r in records]
    assert len(set(ids)) == len(ids)
    fails = Counter(t["function_name"] for e in expected.values() for t in e["tool_calls"] if t["outcome"] == "failed")
    out = dict(expected)
    out.update({"odd_calls": odd, "calls_by_status": dict(sorted(Counter(r["status"] for r in records).items())),
                "tool_failures_by_function": dict(sorted(fails.items())),
                "retry_families": {root["callId"]: [retry["callId"]] for root, retry in families}})
    with open(os.path.join(HERE, "live_dataset.json"), "w", encoding="utf-8") as f:
        json.dump({"agents": [a for a, _ in agents], "calls": records}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    with open(os.path.join(HERE, "live_dataset_expected.json"), "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    name_only = sum(1 for e in expected.values() if e["tool_id_mode"] == "name_only")
    assert name_only >= 10, name_only
    print("calls %d, agents %d, live-style %d, by status %s" % (
        len(records), len(agents), sum(1 for e in expected.values() if e["event_type_key"] == "eventType"),
        out["calls_by_status"]))
    print("tool calls %d, name-only-id calls %d, failures %s" % (
        sum(len(e["tool_calls"]) for e in expected.values()), name_only, out["tool_failures_by_function"]))
    print("odd calls %d" % len(odd))


if __name__ == "__main__":
    main()
