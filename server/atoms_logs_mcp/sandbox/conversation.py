"""One call as the generator writes it: its transcript, events, turn latencies and tool calls, on a clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .profiles import TOOL_FAILURES, AgentProfile

if TYPE_CHECKING:
    from .data import _Generator


class Conversation:
    """One call as it is generated: its transcript, events and turn latencies, and the clock (seconds in)."""

    def __init__(self, gen: _Generator, created: datetime, call_id: str, clock: float, regressed: bool = False) -> None:
        self.gen, self.rng, self.created, self.call_id, self.clock = gen, gen.rng, created, call_id, clock
        self.regressed = regressed
        """The regressed version of its agent: slower replies, a tool that times out (profiles.REGRESSED_AGENT)."""
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
                "timestamp": iso(self.created + timedelta(seconds=at)),
                "call_id": self.call_id,
                **fields,
            }
        )

    def reply_after_a_wait(self, profile: AgentProfile) -> None:
        """The wait before an agent reply, and what happened in it: a tool call, a node hop, an error."""
        rng = self.rng
        latency = float(round(rng.lognormvariate(6.7, 0.35) * (1.45 if self.regressed else 1.0)))
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
        if rng.random() < 0.2 and profile.tools:
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
        rate, errors = TOOL_FAILURES.get(tool, (0.1, ("HTTP 502 from api.example.com",)))
        if self.regressed and tool == "lookup_order":
            rate, errors = 0.55, ("timeout after 3000 ms", *errors)
        ok = rng.random() >= rate
        took = rng.randint(90, 1800) if ok or "timeout" not in errors[0] else rng.randint(3000, 3100)
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
        error = errors[0] if rng.random() < 0.7 else rng.choice(errors)
        self.event("tool_call_error", self.clock, function_name=tool, success=False, latency_ms=took, error=error)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
