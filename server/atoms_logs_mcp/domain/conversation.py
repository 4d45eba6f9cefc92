"""Conversation signals across the calls of a window (`analyze_calls` aspect conversation), per agent and version,
from each call's digest (`signals.compact`). A call whose log cannot support a signal is counted as not recorded
for it, never as a zero."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..api.query import FINAL_STATUSES
from .aggregate import Group, Spread
from .digest import Digest
from .investigate import agent_label
from .version_label import version_label


@dataclass
class Tally:
    """Calls showing one signal: how many of those that could show it, with examples."""

    name: str
    shown: Group = field(default_factory=lambda: Group("calls"))
    recorded: int = 0
    total: int = 0
    """A sum the signal carries (interruptions, dead-air turns), when it has one."""

    def add(self, call_id: str, value: int | None) -> None:
        if value is None:
            return
        self.recorded += 1
        self.total += value
        if value:
            self.shown.add(call_id)


@dataclass
class ConversationStats:
    label: str
    calls: int = 0
    talked: int = 0
    interruptions: Tally = field(default_factory=lambda: Tally("interruptions"))
    unanswered: Tally = field(default_factory=lambda: Tally("unanswered turns"))
    dead_air: Tally = field(default_factory=lambda: Tally("dead air"))
    turns_measured: int = 0
    incomplete: Tally = field(default_factory=lambda: Tally("incomplete timelines"))
    repeated: Tally = field(default_factory=lambda: Tally("repeated agent lines"))
    greetings_ms: list[float] = field(default_factory=list)
    transfers: Counter[str] = field(default_factory=Counter)
    endings: Counter[str] = field(default_factory=Counter)
    end_call_twice: Group = field(default_factory=lambda: Group("calls"))

    @property
    def greeting(self) -> Spread:
        return Spread.of(self.greetings_ms)

    def add(self, digest: Digest, dead_air_ms: float) -> None:
        c, call_id = digest.conversation, digest.call_id
        self.calls += 1
        self.incomplete.add(call_id, _count(c.get("missing")))
        self.endings[_ending(c, digest)] += 1
        if not c.get("talked"):
            return
        self.talked += 1
        self.interruptions.add(call_id, _count(c.get("interruptions")))
        self.unanswered.add(call_id, _count(c.get("unanswered")))
        turns = c.get("turn_ms")
        if isinstance(turns, list):
            self.turns_measured += len(turns)
            self.dead_air.add(call_id, sum(1 for ms in turns if isinstance(ms, int | float) and ms > dead_air_ms))
        self.repeated.add(call_id, _count(c.get("repeated")))
        if isinstance(greeting := c.get("greeting_s"), int | float):
            self.greetings_ms.append(greeting * 1000)
        self.transfers.update(str(outcome) for outcome in c.get("transfers") or [])
        if (_count(c.get("end_calls")) or 0) > 1:
            self.end_call_twice.add(call_id)


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _ending(c: Mapping[str, Any], digest: Digest) -> str:
    reason = c.get("ended_by") or digest.disconnect_reason
    if not reason and digest.status not in FINAL_STATUSES:
        return "not ended yet"  # a call still running: its missing reason is no gap in the log
    reason = reason or "reason not recorded"
    if c.get("voicemail") and "voicemail" not in str(reason).lower():
        return f"{reason} (voicemail)"
    return f"{reason} via end_call" if _count(c.get("end_calls")) else str(reason)


@dataclass(frozen=True)
class ConversationReport:
    overall: ConversationStats
    by_agent: list[ConversationStats]
    by_version: list[ConversationStats]
    """Agent versions, each `<agent> v<number> (<version id>)`."""
    dead_air_ms: float


def conversation_stats(
    digests: Iterable[Digest], agent_names: Mapping[str, str], dead_air_ms: float
) -> ConversationReport:
    """All calls, then rows per agent and per agent version (most calls first)."""
    overall = ConversationStats("all calls")
    agents: dict[str, ConversationStats] = {}
    versions: dict[str, ConversationStats] = {}
    for digest in digests:
        if not digest.conversation:
            continue
        agent = agent_label(digest, agent_names)
        version = version_label(agent, digest.version_number, digest.version_id)
        overall.add(digest, dead_air_ms)
        agents.setdefault(agent, ConversationStats(agent)).add(digest, dead_air_ms)
        versions.setdefault(version, ConversationStats(version)).add(digest, dead_air_ms)
    return ConversationReport(overall, _ranked(agents), _ranked(versions), dead_air_ms)


def _ranked(rows: Mapping[str, ConversationStats]) -> list[ConversationStats]:
    return sorted(rows.values(), key=lambda row: (-row.calls, row.label))
