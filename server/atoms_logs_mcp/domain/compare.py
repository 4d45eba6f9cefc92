"""Two sets of calls side by side: shares with 95% intervals, their difference, and whether it is noise.

Shares use the Wilson score interval; the difference of two shares uses Newcombe's method (built from the two
Wilson intervals), which behaves at 0% and 100% and on small counts, where the normal approximation does not.
A difference whose interval holds 0 is said to be within noise.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..api.events import number
from ..api.models import CallRow
from ..api.query import FINAL_STATUSES
from .aggregate import version_label

Z95 = 1.959964


@dataclass(frozen=True)
class Share:
    hits: int
    total: int

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """Wilson score interval at 95%."""
        n, p = self.total, self.value
        if not n:
            return (0.0, 1.0)
        centre = (p + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
        half = Z95 * math.sqrt(p * (1 - p) / n + Z95**2 / (4 * n * n)) / (1 + Z95**2 / n)
        return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Difference:
    """candidate - baseline, with Newcombe's 95% interval."""

    value: float
    low: float
    high: float

    @property
    def noise(self) -> bool:
        return self.low <= 0 <= self.high


def difference(baseline: Share, candidate: Share) -> Difference:
    p1, p2 = baseline.value, candidate.value
    l1, u1 = baseline.interval
    l2, u2 = candidate.interval
    d = p2 - p1
    low = d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    return Difference(d, low, high)


@dataclass
class Side:
    """What one set of calls looks like, from its list rows."""

    calls: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    reasons: Counter[str] = field(default_factory=Counter)
    versions: Counter[str] = field(default_factory=Counter)
    agent_versions: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(agent id, version id) of each call that names both."""
    metrics: dict[str, Counter[str]] = field(default_factory=dict)
    durations: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    """Each call's average turn latency (ms), where the row carries it."""
    costs: list[float] = field(default_factory=list)

    @property
    def only_version(self) -> tuple[str, str] | None:
        """(agent id, version id) when every call of this side ran on that one version of one agent."""
        if len(self.agent_versions) == 1 and sum(self.agent_versions.values()) == self.calls:
            return next(iter(self.agent_versions))
        return None

    def add(self, rows: Iterable[CallRow]) -> None:
        for row in rows:
            self.calls += 1
            self.statuses[row.status or "(none)"] += 1
            self.reasons[row.disconnection_reason or "(none)"] += 1
            self.versions[version_label(row.version_number, row.version_id)] += 1
            if row.agent_id and row.version_id:
                self.agent_versions[(row.agent_id, row.version_id)] += 1
            for identifier, value in row.disposition_metrics.items():
                if value is not None:
                    shown = str(value).lower() if isinstance(value, bool) else str(value)
                    self.metrics.setdefault(identifier, Counter())[shown] += 1
            if row.duration is not None:
                self.durations.append(row.duration)
            metrics = row.turn_latency_metrics
            if metrics is not None and (avg := number(metrics.avg_latency)) is not None:
                self.latencies.append(avg)
            if row.call_cost is not None:
                self.costs.append(row.call_cost)

    @property
    def finished(self) -> int:
        """Calls in a final status: what status shares are taken over (calls still running would count as
        neither completed nor failed, and move every share with the time of day the window ends)."""
        return sum(self.statuses.get(status, 0) for status in FINAL_STATUSES)

    def share(self, status: str) -> Share:
        return Share(self.statuses.get(status, 0), self.finished)

    @property
    def cost_per_call(self) -> float | None:
        return sum(self.costs) / len(self.costs) if self.costs else None


def moved_most(baseline: Mapping[str, int], candidate: Mapping[str, int], n1: int, n2: int, top: int = 5) -> list[str]:
    """The keys whose share moved most between the two sides."""
    keys = set(baseline) | set(candidate)
    shift = {k: abs(candidate.get(k, 0) / (n2 or 1) - baseline.get(k, 0) / (n1 or 1)) for k in keys}
    return sorted(keys, key=lambda k: (-shift[k], k))[:top]
