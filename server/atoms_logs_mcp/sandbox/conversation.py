"""One call as the generator writes it: its transcript, events, turn latencies and tool calls, on a clock."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from .profiles import HOLD_TOOL, TOOL_FAILURES, AgentProfile, tool_timeout_ms

if TYPE_CHECKING:
    from .data import _Generator


class Conversation:
    """One call as it is generated: its transcript, events and turn latencies, and the clock (seconds in)."""

    def __init__(
        self,
        gen: _Generator,
        created: datetime,
        call_id: str,
        clock: float,
        regressed: bool = False,
        lasts: float = 0.0,
    ) -> None:
        self.gen, self.rng, self.created, self.call_id, self.clock = gen, gen.rng, created, call_id, clock
        self.regressed = regressed
        """The regressed version of its agent: slower replies, a tool that times out (profiles.REGRESSED_AGENT)."""
        self.lasts = lasts
        """Seconds the call lasts at least (its failure says how long the platform waited; a caller on hold)."""
        self.transcript: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.latencies: list[float] = []
        self.transitions: list[dict[str, Any]] = []
        self.node = "greeting"

    def event(self, kind: str, at: float, **fields: Any) -> dict[str, Any]:
        return self.event_with_id(kind, at, f"evt_{self.gen.hex_id(12)}", **fields)

    def event_with_id(self, kind: str, at: float, event_id: str, **fields: Any) -> dict[str, Any]:
        event = {
            "event_type": kind,
            "event_id": event_id,
            "timestamp": iso(self.created + timedelta(seconds=at)),
            "call_id": self.call_id,
            **fields,
        }
        self.events.append(event)
        return event

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
        turn = self.event(
            "turn_latency",
            self.clock,
            turn_index=len(self.latencies),
            total_turn_ms=latency,
            llm_api_ms=llm,
            tts_api_ms=tts,
            stt_api_ms=round(latency - llm - tts),
            interrupted=rng.random() < 0.05,
        )
        if rng.random() < 0.2 and profile.tools and self.tool_call(rng.choice(profile.tools), after=user_end / 1000):
            self._waited(turn, user_end)
        if profile.workflow == "workflow_graph" and rng.random() < 0.15:
            new_node = rng.choice(("collect_details", "lookup", "resolution", "wrap_up"))
            self.event("hopping", self.clock, from_node_id=self.node, to_node_id=new_node)
            self.node = new_node
        if rng.random() < 0.015:
            self.event(
                "agent_error", self.clock, error="LLM response was empty; retried", metadata={"component": "llm"}
            )

    def _waited(self, turn: dict[str, Any], user_end: float) -> None:
        """The turn's wait as it was once its tool call ran: the reply came after the tool ended."""
        latency = float(round(self.clock * 1000 - user_end))
        self.latencies[-1] = latency
        self.transitions[-1].update(bot_start=round(self.clock * 1000), latency=latency)
        turn.update(timestamp=iso(self.created + timedelta(seconds=self.clock)), total_turn_ms=latency)

    def tool_call(self, tool: str, after: float) -> bool:
        """A tool call that ends now, or, when it took longer than the wait so far, started just after `after`
        (the caller's last word) and ends later: then the clock moves to its end, and True."""
        rng = self.rng
        rate, errors = TOOL_FAILURES.get(tool, (0.1, ("HTTP 502 from api.example.com",)))
        timeout = tool_timeout_ms(tool, self.regressed)
        if self.regressed and tool == HOLD_TOOL:
            rate, errors = 0.55, (f"timeout after {timeout} ms", *errors)
        ok = rng.random() >= rate
        took = rng.randint(90, 1800) if ok or "timeout" not in errors[0] else rng.randint(timeout, timeout + 100)
        moved = after + TOOL_START_S + took / 1000 > self.clock
        self.clock = max(self.clock, after + TOOL_START_S + took / 1000)
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
            return moved
        error = errors[0] if rng.random() < 0.7 else rng.choice(errors)
        self.event("tool_call_error", self.clock, function_name=tool, success=False, latency_ms=took, error=error)
        return moved

    def hold_for(self, tool: str) -> None:
        """After the agent's hold line: `tool` starts, runs into its timeout, and the caller, left waiting in
        silence, hangs up before the agent speaks again (drawn from a generator seeded by the call id, so the main
        sequence and every other call are unchanged)."""
        local = random.Random(f"hold {self.call_id}")
        timeout = tool_timeout_ms(tool, self.regressed)
        took = local.randint(timeout, timeout + 100)
        started, ended = self.clock, self.clock + took / 1000
        tag = f"evt_hold_{self.call_id[-6:]}"
        call_id = "".join(local.choice("0123456789abcdef") for _ in range(8))
        self.event_with_id("tool_call_start", started, f"{tag}_start", function_name=tool, tool_call_id=call_id)
        error = f"timeout after {timeout} ms"
        fields = {"function_name": tool, "tool_call_id": call_id, "success": False, "latency_ms": took, "error": error}
        self.event_with_id("tool_call_error", ended, f"{tag}_error", **fields)
        self.clock = ended + local.uniform(1.0, 4.0)
        self.lasts = max(self.lasts, self.clock + END_AFTER_S)


TOOL_START_S = 0.2
"""How soon after the caller's last word a tool call starts, when it outlasts the usual wait."""
END_AFTER_S = 0.5
"""The call_end event's delay after the last thing that happened."""


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
