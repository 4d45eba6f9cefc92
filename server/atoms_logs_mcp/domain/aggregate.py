"""Statistics over a whole window of calls: counts by dimension, percentiles, cost, examples."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import Literal

from ..api.models import CallRow
from .analysis import percentile
from .version_label import version_label

GroupKey = Literal[
    "status",
    "disconnect_reason",
    "failure_reason",
    "agent",
    "call_type",
    "attempt",
    "day",
    "hour",
    "version",
    "campaign",
]
EXAMPLES = 3
NONE = "(none)"


@dataclass
class Group:
    """Occurrences of one value: how many, their statuses, and up to EXAMPLES calls that show it."""

    value: str
    count: int = 0
    examples: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    """How many of these calls ended in each status (`NONE` for a call without one)."""

    def add(self, call_id: str | None, status: str | None = None) -> None:
        self.count += 1
        self.statuses[status or NONE] += 1
        if call_id and call_id not in self.examples and len(self.examples) < EXAMPLES:
            self.examples.append(call_id)


@dataclass(frozen=True)
class Spread:
    count: int
    p50: float | None
    p90: float | None
    p99: float | None
    p95: float | None = None

    @classmethod
    def of(cls, values: Sequence[float]) -> Spread:
        p50, p90, p95, p99 = (percentile(values, q) for q in (0.5, 0.9, 0.95, 0.99))
        return cls(count=len(values), p50=p50, p90=p90, p99=p99, p95=p95)


@dataclass
class WindowStats:
    calls: int
    groups: dict[GroupKey, list[Group]]
    duration: Spread
    """Seconds, over calls that connected (duration > 0)."""
    latency: Spread
    """Milliseconds, over every measured turn (or per-call averages where turns are missing)."""
    cost_total: float
    cost_counted: int
    total_seconds: float
    test_calls: int = 0
    """Calls marked as tests (placed from the console or a web widget), included in every figure."""
    retry_calls: int = 0
    """Retry attempts among the calls (only when the attempt filter lets them in)."""
    retry_cost: float = 0.0
    """Cost of those retry attempts (the rest of cost_total is first attempts)."""
    unreadable_latencies: int = 0


def _value(row: CallRow, key: GroupKey, zone: tzinfo, agent_names: Mapping[str, str]) -> str:
    match key:
        case "status":
            return row.status or NONE
        case "disconnect_reason":
            return row.disconnection_reason or NONE
        case "failure_reason":
            return row.call_failure_reason or NONE
        case "agent":
            return agent_names.get(row.agent_id or "", row.agent_id or NONE)
        case "call_type":
            return row.type or NONE
        case "attempt":
            return "retry" if (row.retry_attempt_number or 0) > 0 else "initial"
        case "day":
            return row.created_at.astimezone(zone).strftime("%Y-%m-%d %a") if row.created_at else NONE
        case "hour":
            return row.created_at.astimezone(zone).strftime("%H:00") if row.created_at else NONE
        case "version":
            agent = agent_names.get(row.agent_id or "", row.agent_id or NONE)
            return version_label(agent, row.version_number, row.version_id)
        case "campaign":
            return row.campaign_id or NONE


@dataclass(frozen=True)
class Link:
    """What following a retry chain needs to know of one call."""

    status: str | None
    retry_call_id: str | None
    attempt: int


class Aggregator:
    """Window statistics, fed page by page (`add`), so a whole window never sits in memory."""

    def __init__(self, group_by: Sequence[GroupKey], zone: tzinfo, agent_names: Mapping[str, str]) -> None:
        self.group_by = tuple(dict.fromkeys(group_by))
        self.zone = zone
        self.agent_names = agent_names
        self._groups: dict[GroupKey, dict[str, Group]] = {key: {} for key in self.group_by}
        self._durations: list[float] = []
        self._latencies: list[float] = []
        self._cost = 0.0
        self._costed = 0
        self._seconds = 0.0
        self._count = 0
        self._tests = 0
        self._retries = 0
        self._retry_cost = 0.0
        self.unreadable_latencies = 0
        """Latency values that were not numbers (left out of the percentiles)."""
        self.links: dict[str, Link] = {}
        """Every call's retry link, by call id, for following retry chains afterwards."""

    def add(self, rows: Iterable[CallRow]) -> None:
        for row in rows:
            self._count += 1
            for key in self.group_by:
                value = _value(row, key, self.zone, self.agent_names)
                self._groups[key].setdefault(value, Group(value)).add(row.call_id, row.status)
            if row.duration:
                self._durations.append(row.duration)
                self._seconds += row.duration
            if row.call_cost is not None:
                self._cost += row.call_cost
                self._costed += 1
            if row.is_test:
                self._tests += 1
            if (row.retry_attempt_number or 0) > 0:
                self._retries += 1
                self._retry_cost += row.call_cost or 0.0
            metrics = row.turn_latency_metrics
            if metrics is not None:
                measured = metrics.measured  # read once: `unreadable` would read every latency again
                self.unreadable_latencies += len(metrics.latencies) - len(measured)
                if measured:
                    self._latencies.extend(measured)
                elif metrics.avg_latency is not None:
                    self._latencies.append(metrics.avg_latency)
            if row.call_id:
                self.links[row.call_id] = Link(row.status, row.retry_call_id, row.retry_attempt_number or 0)

    def result(self) -> WindowStats:
        ordered: dict[GroupKey, list[Group]] = {}
        for key, by_value in self._groups.items():
            chronological = key in ("day", "hour")
            ordered[key] = sorted(
                by_value.values(), key=(lambda g: g.value) if chronological else (lambda g: (-g.count, g.value))
            )
        return WindowStats(
            calls=self._count,
            groups=ordered,
            duration=Spread.of(self._durations),
            latency=Spread.of(self._latencies),
            cost_total=self._cost,
            cost_counted=self._costed,
            total_seconds=self._seconds,
            test_calls=self._tests,
            retry_calls=self._retries,
            retry_cost=self._retry_cost,
            unreadable_latencies=self.unreadable_latencies,
        )
