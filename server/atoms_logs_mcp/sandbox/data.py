"""A deterministic, seeded generator of a realistic Atoms organisation for the sandbox.

`generate(calls=500, seed=7, end=...)` returns `{"agents", "branches", "revisions", "calls"}` in the
dataset format `store.py` loads. The same seed and `end` always give the same data. Besides ordinary
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

from .agent_configs import agent_versions
from .conversation import END_AFTER_S, Conversation, iso
from .diagnostics import with_diagnostics
from .live_shapes import live_shaped
from .planted import plant_long_and_hostile, plant_reasons, retries
from .profiles import (
    EXTRA_LINES,
    FAILED_AFTER,
    FAILURES,
    FINAL,
    HOLD_LINE,
    HOLD_TOOL,
    IN_FLIGHT,
    PROFILES,
    REGRESSED_AGENT,
    AgentProfile,
)
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
                    "createdAt": iso(created),
                    "updatedAt": iso(versions[-1][0]),
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
        _, version_id, version_number = next(
            (v for v in reversed(self.versions[agent["_id"]]) if v[0] <= created), self.versions[agent["_id"]][0]
        )
        regressed = profile.name == REGRESSED_AGENT and version_number == self.versions[agent["_id"]][-1][2]
        reason, failure = self.outcome(status)
        turns, gives_up = self.length(status, turns, regressed)
        reason = "user_hangup" if gives_up else reason
        talk = self.talk(created, call_id, regressed, failure)
        transcript, events, latencies, transitions = self.conversation(talk, profile, turns, status, reason, gives_up)
        duration = self.duration(status, transcript, created, talk.lasts)
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
            "createdAt": iso(created),
            "updatedAt": iso(created + timedelta(seconds=duration + rng.uniform(5, 120))),
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

    def talk(self, created: datetime, call_id: str, regressed: bool, failure: str | None) -> Conversation:
        """The call's conversation, to be written; a failure that says how long the platform waited makes it last
        at least that long."""
        lasts = FAILED_AFTER.get(failure or "", 0.0)
        return Conversation(self, created, call_id, self.rng.uniform(0.5, 2.0), regressed=regressed, lasts=lasts)

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

    def length(self, status: str, turns: int | None, regressed: bool) -> tuple[int, bool]:
        """How many turns, and whether the caller gives up after the regressed version's hold line (the
        transcript then ends on it)."""
        turns = self.turn_count(status) if turns is None else turns
        gives_up = regressed and status == "completed" and turns >= 5 and self.rng.random() < 0.4
        return (turns - (1 - turns % 2), True) if gives_up else (turns, False)

    def turn_count(self, status: str) -> int:
        rng = self.rng
        if status in ("no_answer", "pending", "in_queue", "cancelled"):
            return 0
        if status == "failed":
            return rng.choice((0, 0, 1, 2, 3))
        if status in IN_FLIGHT:
            return rng.randint(1, 6)
        return max(1, min(90, int(rng.lognormvariate(2.3, 0.6))))

    def duration(self, status: str, transcript: list[dict[str, Any]], created: datetime, lasts: float) -> float:
        """Seconds from the last turn to the hang-up, or (no turn) a few for a failed call; never less than
        `lasts`, what the call is known to have lasted (its failure's wait, a caller on hold)."""
        if not transcript:
            return 0 if status != "failed" else round(max(self.rng.uniform(0, 8), lasts), 1)
        last = datetime.fromisoformat(transcript[-1]["timestamp"].replace("Z", "+00:00"))
        return round(max((last - created).total_seconds() + self.rng.uniform(2, 8), lasts), 1)

    def script(self, profile: AgentProfile) -> list[tuple[str, str]]:
        """The greeting, then the agent's usual lines and a few of its further ones, in an order of this call."""
        extra = EXTRA_LINES.get(profile.name, ())
        middle = list(profile.lines[1:]) + self.rng.sample(extra, k=self.rng.randint(0, len(extra)))
        self.rng.shuffle(middle)
        return [profile.lines[0], *middle]

    def conversation(
        self,
        talk: Conversation,
        profile: AgentProfile,
        turns: int,
        status: str,
        reason: str | None,
        hold: bool = False,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[float], list[dict[str, Any]]]:
        rng = self.rng
        created = talk.created
        script = self.script(profile)
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
            agent_line, user_line = script[(index // 2) % len(script)]
            if index >= len(script) * 2 and index % 14 == 6:
                agent_line = "Sorry, could you repeat that? The line cut out for a moment."
            if hold and index == turns - 1:
                agent_line = HOLD_LINE
            role = "agent" if index % 2 == 0 else "user"
            text = agent_line if role == "agent" else user_line
            if role == "agent" and index > 0:
                talk.reply_after_a_wait(profile)
            talk.transcript.append(
                {"role": role, "content": text, "timestamp": iso(created + timedelta(seconds=talk.clock))}
            )
            talk.clock += max(1.0, len(text) / 15) + rng.uniform(0.2, 1.5)
        if hold:  # the line announces the lookup; the caller hangs up waiting for it
            talk.hold_for(HOLD_TOOL)
        if status in FINAL:
            talk.event("call_end", max(talk.clock + END_AFTER_S, talk.lasts), metadata={"reason": reason or status})
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
    branches, revisions = agent_versions(gen.agents, gen.profiles, gen.versions)
    return {
        "agents": gen.agents,
        "branches": branches,
        "revisions": revisions,
        "calls": [live_shaped(with_diagnostics(record)) for record in records],
    }


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
