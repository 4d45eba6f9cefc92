"""Investigations across the calls of a window, from their digests: tools, latency, hang-ups, metrics, errors."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .aggregate import Group, Spread
from .digest import Digest
from .version_label import version_label

TOP_MESSAGES = 3
SLOWEST_TURNS = 5


class _Groups:
    def __init__(self) -> None:
        self.groups: dict[str, Group] = {}

    def add(self, text: str, call_id: str) -> None:
        key = normalised(text)
        self.groups.setdefault(key, Group(text)).add(call_id)

    def top(self, n: int | None = None) -> list[Group]:
        ranked = sorted(self.groups.values(), key=lambda g: (-g.count, g.value))
        return ranked if n is None else ranked[:n]


def normalised(text: str) -> str:
    """Letter case, spacing and trailing punctuation do not make two lines different."""
    return re.sub(r"\s+", " ", text.casefold()).strip().rstrip(".!?,;:").strip()


# Tools -------------------------------------------------------------------------------------------------


@dataclass
class ToolStat:
    name: str
    calls: int = 0
    failed: int = 0
    no_result: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: _Groups = field(default_factory=_Groups)

    @property
    def failure_rate(self) -> float:
        return self.failed / self.calls if self.calls else 0.0


def tool_stats(digests: Iterable[Digest]) -> list[ToolStat]:
    """Per function, most failures first."""
    stats: dict[str, ToolStat] = {}
    for digest in digests:
        for name, outcome, latency, error in digest.tools:
            stat = stats.setdefault(name, ToolStat(name))
            stat.calls += 1
            if latency is not None:
                stat.latencies.append(latency)
            if outcome == "failed":
                stat.failed += 1
                stat.errors.add(error or "(no error text)", digest.call_id)
            elif outcome == "no result":
                stat.no_result += 1
    return sorted(stats.values(), key=lambda s: (-s.failed, -s.failure_rate, s.name))


# Latency -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlowTurn:
    latency_ms: float
    call_id: str
    turn: int
    line: str | None


@dataclass(frozen=True)
class LatencyStats:
    overall: Spread
    by_agent: dict[str, Spread]
    by_version: dict[str, Spread]
    components: dict[str, Spread]
    calls_measured: int
    slowest: list[SlowTurn]


def latency_stats(digests: Sequence[Digest], agent_names: Mapping[str, str]) -> LatencyStats:
    by_agent: dict[str, list[float]] = defaultdict(list)
    by_version: dict[str, list[float]] = defaultdict(list)
    parts: dict[str, list[float]] = defaultdict(list)
    overall: list[float] = []
    slow: list[SlowTurn] = []
    for digest in digests:
        agent = agent_label(digest, agent_names)
        overall.extend(digest.latencies)
        by_agent[agent].extend(digest.latencies)
        by_version[version_label(agent, digest.version_number, digest.version_id)].extend(digest.latencies)
        for name, values in digest.components.items():
            parts[name].extend(values)
        slow.extend(SlowTurn(ms, digest.call_id, turn, line) for ms, turn, line in digest.slowest)
    return LatencyStats(
        overall=Spread.of(overall),
        by_agent={k: Spread.of(v) for k, v in sorted(by_agent.items()) if v},
        by_version={k: Spread.of(v) for k, v in sorted(by_version.items()) if v},
        components={k: Spread.of(parts[k]) for k in ("llm", "tts", "stt") if parts.get(k)},
        calls_measured=sum(1 for d in digests if d.latencies),
        slowest=sorted(slow, key=lambda s: -s.latency_ms)[:SLOWEST_TURNS],
    )


def agent_label(digest: Digest, agent_names: Mapping[str, str]) -> str:
    return agent_names.get(digest.agent_id or "") or digest.agent_name or digest.agent_id or "(no agent)"


# Outcomes, metrics, errors -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Hangups:
    calls: int
    """Calls the caller hung up."""
    without_agent_line: int
    lines: list[Group]


def hangup_lines(digests: Iterable[Digest]) -> Hangups:
    groups, calls, silent = _Groups(), 0, 0
    for digest in digests:
        if (digest.disconnect_reason or "").lower() != "user_hangup":
            continue
        calls += 1
        if digest.last_agent_line is None:
            silent += 1
        else:
            groups.add(digest.last_agent_line[1], digest.call_id)
    return Hangups(calls, silent, groups.top())


@dataclass(frozen=True)
class MetricStat:
    identifier: str
    calls: int
    counts: dict[str, int]
    """Calls per value (empty when every value is a number)."""
    numbers: Spread | None
    by_agent: dict[str, dict[str, int]]


def metric_stats(digests: Sequence[Digest], agent_names: Mapping[str, str]) -> list[MetricStat]:
    values: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for digest in digests:
        agent = agent_label(digest, agent_names)
        for identifier, value in digest.metrics.items():
            values[identifier].append((agent, value))
    stats = []
    for identifier, pairs in sorted(values.items()):
        numbers = [_number(v) for _, v in pairs]
        numeric = all(n is not None for n in numbers) and len({v for _, v in pairs}) > 6
        by_agent: dict[str, Counter[str]] = defaultdict(Counter)
        for agent, value in pairs:
            by_agent[agent][value] += 1
        stats.append(
            MetricStat(
                identifier,
                len(pairs),
                {} if numeric else dict(Counter(v for _, v in pairs).most_common()),
                Spread.of([n for n in numbers if n is not None]) if numeric else None,
                {agent: dict(counts.most_common()) for agent, counts in sorted(by_agent.items())},
            )
        )
    return stats


def _number(value: str) -> float | None:
    try:
        return float(value)
    except ValueError:
        return None


@dataclass(frozen=True)
class Errors:
    agent_errors: list[Group]
    calls_with_agent_errors: int
    failure_reasons: list[Group]


def error_groups(digests: Iterable[Digest]) -> Errors:
    agent, failures, calls = _Groups(), _Groups(), 0
    for digest in digests:
        calls += bool(digest.agent_errors)
        for message in digest.agent_errors:
            agent.add(message, digest.call_id)
        if digest.failure_reason:
            failures.add(digest.failure_reason, digest.call_id)
    return Errors(agent.top(), calls, failures.top())
