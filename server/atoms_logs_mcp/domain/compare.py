"""Two sets of calls side by side: what each looks like, every difference tested, and which differences survive.

Every share (statuses, disconnect reasons, disposition metric values) is of finished calls only, and so are the
durations, latencies and costs: a call still running has no outcome yet, and counting it would move every share
with the time of day a window ends; running calls are counted apart. Shares are compared by Newcombe's difference
(domain/proportions.py); duration, turn latency and cost per call by their Hodges-Lehmann shift (domain/shift.py).
Every tested row, shown or not, goes through Holm's correction (domain/false_alarms.py), and only the rows that
survive it are said to have moved.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from ..api.events import number
from ..api.models import CallRow
from ..api.query import FINAL_STATUSES
from .false_alarms import ALPHA, holm
from .investigate import ToolStat
from .proportions import Difference, Share, difference
from .shift import Shift, hodges_lehmann

SHARED_STATUSES = ("completed", "failed", "no_answer", "cancelled")
"""The final statuses, in the order their shares are shown."""


def finished(statuses: Mapping[str, int]) -> int:
    """Calls in a final status, of counts by status: what every share is taken over."""
    return sum(statuses.get(status, 0) for status in FINAL_STATUSES)


def status_share(statuses: Mapping[str, int], status: str) -> Share:
    """The share of finished calls (of counts by status) that ended in `status`: how every status share is taken,
    "failed" the failure share."""
    return Share(statuses.get(status, 0), finished(statuses))


@dataclass
class Side:
    """What one set of calls looks like, from its list rows."""

    calls: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    versions: Counter[tuple[str | None, float | None, str | None]] = field(default_factory=Counter)
    """(agent id, version number, version id) of every call."""
    agent_versions: Counter[tuple[str, str]] = field(default_factory=Counter)
    """(agent id, version id) of each call that names both."""
    reasons: Counter[str] = field(default_factory=Counter)
    """Disconnect reasons of the finished calls; the figures below are of finished calls too."""
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
            self.versions[(row.agent_id, row.version_number, row.version_id)] += 1
            if row.agent_id and row.version_id:
                self.agent_versions[(row.agent_id, row.version_id)] += 1
            if row.status in FINAL_STATUSES:
                self._add_outcome(row)

    def _add_outcome(self, row: CallRow) -> None:
        self.reasons[row.disconnection_reason or "(none)"] += 1
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
        """Calls in a final status: what every share is taken over."""
        return finished(self.statuses)

    @property
    def running(self) -> int:
        """Calls not finished yet (or of a status not known): in no share and no figure."""
        return self.calls - self.finished


@dataclass(frozen=True)
class ShareRow:
    name: str
    baseline: Share
    candidate: Share
    difference: Difference | None
    """None when a side has no calls to share (not tested)."""
    survives: bool = False

    @property
    def p_value(self) -> float | None:
        """None when not tested: a side has nothing to share, or the row cannot move (see `_cannot_move`)."""
        if self.difference is None or self._cannot_move():
            return None
        return self.difference.p_value

    def _cannot_move(self) -> bool:
        """Both sides 0%, or both 100%: testing such a row only makes Holm's correction stricter for the rest."""
        b, c = self.baseline, self.candidate
        return (b.hits == 0 and c.hits == 0) or (b.hits == b.total and c.hits == c.total)

    @property
    def moved_by(self) -> float:
        return abs(self.candidate.value - self.baseline.value)


def share_row(name: str, baseline: Share, candidate: Share) -> ShareRow:
    tested = baseline.total and candidate.total
    return ShareRow(name, baseline, candidate, difference(baseline, candidate) if tested else None)


@dataclass(frozen=True)
class ShiftRow:
    measure: str
    """"duration" (s), "latency" (each call's average turn latency, ms) or "cost" (per call, $)."""
    baseline: tuple[float, ...]
    candidate: tuple[float, ...]
    shift: Shift | None
    """None when a side has too few values to test."""
    survives: bool = False

    @property
    def p_value(self) -> float | None:
        return self.shift.p_value if self.shift else None


Row = TypeVar("Row", ShareRow, ShiftRow)


@dataclass(frozen=True)
class Comparison:
    statuses: list[ShareRow]
    shifts: list[ShiftRow]
    reasons: list[ShareRow]
    """Every disconnect reason, the rows that survive first, then by how far the share moved."""
    metrics: list[ShareRow]
    """Every disposition metric value (`identifier=value`, shares of the calls carrying that metric), ordered so."""
    tools: list[ShareRow] | None
    """Each function's failure rate, when the calls were opened."""

    @property
    def tested(self) -> int:
        return sum(row.p_value is not None for row in self._rows())

    @property
    def survivors(self) -> int:
        return sum(row.survives for row in self._rows())

    def _rows(self) -> list[ShareRow | ShiftRow]:
        return [*self.statuses, *self.shifts, *self.reasons, *self.metrics, *(self.tools or [])]


def compare(baseline: Side, candidate: Side, tools: tuple[list[ToolStat], list[ToolStat]] | None) -> Comparison:
    """Every row of the comparison, tested, Holm's correction taken over all of them."""
    statuses = [
        share_row(status, status_share(baseline.statuses, status), status_share(candidate.statuses, status))
        for status in SHARED_STATUSES
    ]
    shifts = [
        ShiftRow(measure, tuple(a), tuple(b), hodges_lehmann(a, b))
        for measure, a, b in (
            ("duration", baseline.durations, candidate.durations),
            ("latency", baseline.latencies, candidate.latencies),
            ("cost", baseline.costs, candidate.costs),
        )
    ]
    reasons = _counted(baseline.reasons, candidate.reasons)
    metrics = [
        row
        for identifier in sorted(set(baseline.metrics) | set(candidate.metrics))
        for row in _counted(
            baseline.metrics.get(identifier, Counter()), candidate.metrics.get(identifier, Counter()), identifier
        )
    ]
    tool_rows = _tool_rows(*tools) if tools is not None else None
    survivors = _survivors([*statuses, *shifts, *reasons, *metrics, *(tool_rows or [])])
    return Comparison(
        statuses=_marked(statuses, survivors),
        shifts=_marked(shifts, survivors),
        reasons=_most_moved(_marked(reasons, survivors)),
        metrics=_most_moved(_marked(metrics, survivors)),
        tools=_marked(tool_rows, survivors) if tool_rows is not None else None,
    )


def _counted(baseline: Counter[str], candidate: Counter[str], prefix: str | None = None) -> list[ShareRow]:
    """One row per value either side counted, as shares of each side's total."""
    n1, n2 = sum(baseline.values()), sum(candidate.values())
    return [
        share_row(
            f"{prefix}={value}" if prefix is not None else value,
            Share(baseline[value], n1),
            Share(candidate[value], n2),
        )
        for value in sorted(set(baseline) | set(candidate))
    ]


def _tool_rows(baseline: list[ToolStat], candidate: list[ToolStat]) -> list[ShareRow]:
    first, second = {s.name: s for s in baseline}, {s.name: s for s in candidate}
    return [
        share_row(name, _failures(first.get(name)), _failures(second.get(name)))
        for name in sorted(set(first) | set(second))
    ]


def _failures(stat: ToolStat | None) -> Share:
    return Share(stat.failed, stat.calls) if stat else Share(0, 0)


def _survivors(rows: Sequence[ShareRow | ShiftRow]) -> set[int]:
    """The ids of the rows whose Holm-adjusted p-value is at most ALPHA."""
    tested = [(row, p) for row in rows if (p := row.p_value) is not None]
    adjusted = holm([p for _, p in tested])
    return {id(row) for (row, _), q in zip(tested, adjusted, strict=True) if q <= ALPHA}


def _marked(rows: list[Row], survivors: set[int]) -> list[Row]:
    return [replace(row, survives=id(row) in survivors) for row in rows]


def _most_moved(rows: list[ShareRow]) -> list[ShareRow]:
    return sorted(rows, key=lambda row: (not row.survives, -row.moved_by, row.name))
