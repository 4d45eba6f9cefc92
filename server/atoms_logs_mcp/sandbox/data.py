"""A deterministic, seeded generator of a realistic Atoms organisation for the sandbox.

`generate(calls=500, seed=7, end=...)` returns `{"agents": [...], "calls": [...]}` in the dataset
format `store.py` loads. The same seed and `end` always give the same data. Besides ordinary
traffic it plants the cases a log reader must survive: every status and disconnect reason, retry
chains, transcripts from empty to 180 turns, failing tools and agent errors, unknown event types,
and hostile call content (prompt injection, fence and tag breakouts, ANSI escapes, zero-width,
bidi and non-Latin text).
"""

from __future__ import annotations

import random
import statistics
from datetime import UTC, datetime, timedelta
from typing import Any

from .live_shapes import live_shaped
from .planted import plant_long_and_hostile, plant_reasons, retries
from .profiles import FAILURES, FINAL, IN_FLIGHT, PROFILES, AgentProfile
from .store import STATUSES


class _Generator:
    def __init__(self, seed: int, end: datetime, days: int) -> None:
        self.rng = random.Random(seed)
        self.end = end
        self.start = end - timedelta(days=days)
        self.agents: list[dict[str, Any]] = []
        self.profiles: dict[str, AgentProfile] = {}
        self.versions: dict[str, list[tuple[datetime, str, int]]] = {}
        self.campaigns: dict[str, list[str]] = {}
        self.numbers: dict[str, str] = {}

    def hex_id(self, n: int = 24) -> str:
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def phone(self) -> str:
        return f"+1{self.rng.choice(('415', '646', '312', '206', '737'))}555{self.rng.randrange(10**4):04d}"

    def make_agents(self) -> None:
        for profile in PROFILES:
            agent_id = self.hex_id()
            created = self.start - timedelta(days=self.rng.randint(20, 90))
            versions = []
            moment = self.start - timedelta(days=5)
            for number in range(1, self.rng.randint(2, 4) + 1):
                versions.append((moment, self.hex_id(), number))
                moment += (self.end - self.start) / self.rng.randint(2, 4)
            self.versions[agent_id] = versions
            self.profiles[agent_id] = profile
            self.numbers[agent_id] = self.phone()
            if "telephony_outbound" in profile.call_types:
                self.campaigns[agent_id] = [self.hex_id() for _ in range(self.rng.randint(1, 2))]
            self.agents.append(
                {
                    "_id": agent_id,
                    "name": profile.name,
                    "description": profile.description,
                    "organization": "64f0c0ffee00000000000001",
                    "workflowType": profile.workflow,
                    "slmModel": profile.model,
                    "createdAt": _iso(created),
                    "updatedAt": _iso(versions[-1][0]),
                    "language": {"default": "en", "supported": ["en"]},
                    "synthesizer": {
                        "voiceConfig": dict(zip(("model", "voiceId", "gender"), profile.voice, strict=True))
                    },
                    "firstMessage": profile.lines[0][0],
                    "activeVersionId": versions[-1][1],
                    "versionId": versions[-1][1],
                    "archived": False,
                    "phoneNumber": [self.numbers[agent_id]],
                    "postCallAnalyticsConfig": {
                        "dispositionMetrics": [
                            {
                                "identifier": ident,
                                "dispositionMetricPrompt": f"What is the {ident.replace('_', ' ')}?",
                                "dispositionMetricType": kind,
                                **({"choices": list(values)} if kind == "ENUM" else {}),
                            }
                            for ident, kind, values in profile.metrics
                        ]
                    },
                }
            )

    # One call ------------------------------------------------------------------------------------

    def call(
        self,
        created: datetime,
        agent: dict[str, Any],
        status: str,
        call_type: str | None = None,
        turns: int | None = None,
    ) -> dict[str, Any]:
        rng = self.rng
        profile = self.profiles[agent["_id"]]
        call_type = call_type or rng.choice(profile.call_types)
        millis = int(created.timestamp() * 1000)
        call_id = f"CALL-{millis}-{self.hex_id(6)}"
        version_at, version_id, version_number = next(
            (v for v in reversed(self.versions[agent["_id"]]) if v[0] <= created),
            self.versions[agent["_id"]][0],
        )
        del version_at
        reason, failure = self.outcome(status)
        if turns is None:
            turns = self.turn_count(status)
        transcript, events, latencies, transitions = self.conversation(profile, created, call_id, turns, status, reason)
        duration = self.duration(status, transcript, created)
        customer = self.phone()
        own = self.numbers[agent["_id"]]
        from_, to = {
            "telephony_inbound": (customer, own),
            "telephony_outbound": (own, customer),
            "webcall": ("", ""),
        }[call_type]
        record: dict[str, Any] = {
            "_id": self.hex_id(),
            "callId": call_id,
            "agent": agent,
            "agentId": agent["_id"],
            "status": status,
            "type": call_type,
            "from": from_,
            "to": to,
            "duration": duration,
            "createdAt": _iso(created),
            "updatedAt": _iso(created + timedelta(seconds=duration + rng.uniform(5, 120))),
            "transcript": transcript,
            "events": events,
            "variables": {
                "customer_name": rng.choice(("Priya", "Marcus", "Chen", "Ana", "Tom")),
                "account_id": f"AC-{rng.randrange(10**6):06d}",
                "language": "en",
            },
            "versionId": version_id,
            "versionNumber": version_number,
            "isTest": call_type == "webcall" and rng.random() < 0.15,
            "retryCount": 0,
            "retryAttemptNumber": 0,
            "slmModelUsed": profile.model,
            "voiceConfigUsed": dict(zip(("model", "voiceId", "gender"), profile.voice, strict=True)),
            "agentDispositionConfig": [{"identifier": i, "type": t} for i, t, _ in profile.metrics],
        }
        self.complete(record, profile, (reason, failure), latencies, transitions)
        return record

    def complete(
        self,
        record: dict[str, Any],
        profile: AgentProfile,
        reasons: tuple[str | None, str | None],
        latencies: list[float],
        transitions: list[dict[str, Any]],
    ) -> None:
        """The fields a call has by its outcome: campaign, reasons, cost, recording, analytics, latency."""
        agent_id, status, duration, call_id = record["agentId"], record["status"], record["duration"], record["callId"]
        if record["type"] == "telephony_outbound" and agent_id in self.campaigns:
            record["campaignId"] = self.rng.choice(self.campaigns[agent_id])
        reason, failure = reasons
        if reason:
            record["disconnectionReason"] = reason
        if failure:
            record["callFailureReason"] = failure
        if status in FINAL:
            record["callCost"] = round(duration / 60 * 0.08 + (0.002 if duration else 0), 4)
        if duration > 0 and status in ("completed", "failed"):
            record["recordingUrl"] = f"https://recordings.sandbox.atoms.invalid/{call_id}.wav"
            record["recordingDualUrl"] = f"https://recordings.sandbox.atoms.invalid/{call_id}-dual.wav"
        if status == "completed" and record["transcript"]:
            record["postCallAnalytics"] = self.analytics(profile, record["transcript"])
            record["dispositionMetrics"] = {
                m["identifier"]: m["value"] for m in record["postCallAnalytics"]["dispositionMetrics"]
            }
        if latencies:
            record["turnLatencyMetrics"] = {
                "turns": len(latencies),
                "avgLatency": round(statistics.fmean(latencies), 1),
                "medianLatency": round(statistics.median(latencies), 1),
                "minLatency": min(latencies),
                "maxLatency": max(latencies),
                "latencies": latencies,
                "transitions": transitions,
                "processedAt": record["updatedAt"],
            }

    def outcome(self, status: str) -> tuple[str | None, str | None]:
        if status == "completed":
            reason = self.rng.choices(("user_hangup", "agent_hangup", "transfer_complete", "timeout"), (50, 35, 10, 5))[
                0
            ]
            return reason, None
        if status in FAILURES:
            return self.rng.choice(FAILURES[status])
        return None, None

    def turn_count(self, status: str) -> int:
        rng = self.rng
        if status in ("no_answer", "pending", "in_queue", "cancelled"):
            return 0
        if status == "failed":
            return rng.choice((0, 0, 1, 2, 3))
        if status in IN_FLIGHT:
            return rng.randint(1, 6)
        return max(1, min(90, int(rng.lognormvariate(2.3, 0.6))))

    def duration(self, status: str, transcript: list[dict[str, Any]], created: datetime) -> float:
        if not transcript:
            return 0 if status != "failed" else round(self.rng.uniform(0, 8), 1)
        last = datetime.fromisoformat(transcript[-1]["timestamp"].replace("Z", "+00:00"))
        return round((last - created).total_seconds() + self.rng.uniform(2, 8), 1)

    def conversation(
        self,
        profile: AgentProfile,
        created: datetime,
        call_id: str,
        turns: int,
        status: str,
        reason: str | None,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[float], list[dict[str, Any]]]:
        rng = self.rng
        talk = _Conversation(self, created, call_id, clock=rng.uniform(0.5, 2.0))
        talk.event("call_start", 0.0, telephony_id=f"tel_{self.hex_id(10)}")
        if profile.name.startswith("Sales") and rng.random() < 0.6:
            ok = rng.random() > 0.1
            talk.event(
                "pre_call_api",
                0.2,
                method="GET",
                success=ok,
                latency=rng.randint(80, 400),
                response={"crm_status": "lead"} if ok else None,
                error=None if ok else "HTTP 500 from CRM",
            )
        for index in range(turns):
            agent_line, user_line = profile.lines[(index // 2) % len(profile.lines)]
            if index >= len(profile.lines) * 2 and index % 14 == 6:
                agent_line = "Sorry, could you repeat that? The line cut out for a moment."
            role = "agent" if index % 2 == 0 else "user"
            text = agent_line if role == "agent" else user_line
            if role == "agent" and index > 0:
                talk.reply_after_a_wait(profile)
            talk.transcript.append(
                {"role": role, "content": text, "timestamp": _iso(created + timedelta(seconds=talk.clock))}
            )
            talk.clock += max(1.0, len(text) / 15) + rng.uniform(0.2, 1.5)
        if status in FINAL:
            talk.event("call_end", talk.clock + 0.5, metadata={"reason": reason or status})
        if rng.random() < 0.03:
            talk.event(
                "custom_thing", talk.clock, detail={"nested": [1, 2, 3]}, note="an event type this client never saw"
            )
        return talk.transcript, talk.events, talk.latencies, talk.transitions

    def analytics(self, profile: AgentProfile, transcript: list[dict[str, Any]]) -> dict[str, Any]:
        rng = self.rng
        subject = transcript[1]["content"] if len(transcript) > 1 else transcript[0]["content"]
        return {
            "summary": f'The caller spoke with {profile.name}. They said: "{subject[:80]}". '
            f"The call lasted {len(transcript)} turns and ended normally.",
            "dispositionMetrics": [
                {
                    "identifier": ident,
                    "value": rng.choice(values),
                    "confidence": round(rng.uniform(0.55, 0.99), 2),
                }
                for ident, _, values in profile.metrics
            ],
        }


class _Conversation:
    """One call as it is generated: its transcript, events and turn latencies, and the clock (seconds in)."""

    def __init__(self, gen: _Generator, created: datetime, call_id: str, clock: float) -> None:
        self.gen, self.rng, self.created, self.call_id, self.clock = gen, gen.rng, created, call_id, clock
        self.transcript: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.latencies: list[float] = []
        self.transitions: list[dict[str, Any]] = []
        self.node = "greeting"

    def event(self, kind: str, at: float, **fields: Any) -> None:
        self.events.append(
            {
                "event_type": kind,
                "event_id": f"evt_{self.gen.hex_id(12)}",
                "timestamp": _iso(self.created + timedelta(seconds=at)),
                "call_id": self.call_id,
                **fields,
            }
        )

    def reply_after_a_wait(self, profile: AgentProfile) -> None:
        """The wait before an agent reply, and what happened in it: a tool call, a node hop, an error."""
        rng = self.rng
        latency = float(round(rng.lognormvariate(6.7, 0.35)))
        if rng.random() < 0.04:
            latency = float(rng.randint(2500, 6000))
        user_end = self.clock * 1000
        self.clock += latency / 1000
        self.latencies.append(latency)
        self.transitions.append(
            {
                "turn": len(self.latencies),
                "user_end": round(user_end),
                "bot_start": round(self.clock * 1000),
                "latency": latency,
            }
        )
        llm = round(latency * rng.uniform(0.45, 0.6))
        tts = round(latency * rng.uniform(0.15, 0.25))
        self.event(
            "turn_latency",
            self.clock,
            turn_index=len(self.latencies),
            total_turn_ms=latency,
            llm_api_ms=llm,
            tts_api_ms=tts,
            stt_api_ms=round(latency - llm - tts),
            interrupted=rng.random() < 0.05,
        )
        if rng.random() < 0.12 and profile.tools:
            self.tool_call(rng.choice(profile.tools))
        if profile.workflow == "workflow_graph" and rng.random() < 0.15:
            new_node = rng.choice(("collect_details", "lookup", "resolution", "wrap_up"))
            self.event("hopping", self.clock, from_node_id=self.node, to_node_id=new_node)
            self.node = new_node
        if rng.random() < 0.015:
            self.event(
                "agent_error", self.clock, error="LLM response was empty; retried", metadata={"component": "llm"}
            )

    def tool_call(self, tool: str) -> None:
        rng = self.rng
        ok = rng.random() > 0.2
        took = rng.randint(90, 1800)
        self.event("tool_call_start", self.clock - took / 1000, function_name=tool, tool_call_id=self.gen.hex_id(8))
        if ok:
            self.event(
                "tool_call_end",
                self.clock,
                function_name=tool,
                success=True,
                latency_ms=took,
                response={"status": "ok"},
            )
            return
        error = rng.choice(
            ("HTTP 502 from api.example.com", "timeout after 1500 ms", "invalid arguments: order_id missing")
        )
        self.event("tool_call_error", self.clock, function_name=tool, success=False, latency_ms=took, error=error)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def generate(calls: int = 500, seed: int = 7, end: datetime | None = None, days: int = 14) -> dict[str, Any]:
    """A whole organisation: agents and `calls` root calls (plus their retries), the newest near `end`."""
    if calls < 1:
        raise ValueError("calls must be at least 1")
    end = (end or datetime.now(UTC).replace(minute=0, second=0, microsecond=0)).astimezone(UTC)
    gen = _Generator(seed, end, days)
    gen.make_agents()
    rng = gen.rng
    weights = [PROFILES[i].weight for i in range(len(PROFILES))]
    span = (gen.end - gen.start).total_seconds()
    moments = sorted(gen.start + timedelta(seconds=rng.uniform(0, span)) for _ in range(calls))
    records: list[dict[str, Any]] = []
    # Plant one call of every status and every disconnect reason among the newest calls.
    planted = list(STATUSES)
    for index, created in enumerate(moments):
        agent = rng.choices(gen.agents, weights)[0]
        recent = (gen.end - created) < timedelta(hours=3)
        if planted and index >= calls - len(STATUSES) * 2:
            status = planted.pop()
        elif recent and rng.random() < 0.25:
            status = rng.choice(IN_FLIGHT)
        else:
            status = rng.choices(FINAL, (72, 12, 12, 4))[0]
        records.append(gen.call(created, agent, status))
    plant_reasons(records)
    plant_long_and_hostile(gen, records)
    records.extend(retries(gen, records))
    records.sort(key=lambda r: r["createdAt"])
    return {"agents": gen.agents, "calls": [live_shaped(record) for record in records]}


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
