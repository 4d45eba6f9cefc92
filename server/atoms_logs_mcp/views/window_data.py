"""What the window view shows of a window of calls, as JSON: bars by status, reason and hour, percentiles."""

from __future__ import annotations

from typing import Any

from ..domain.aggregate import GroupKey, Spread
from ..domain.summarize import WindowSummary
from ..render.untrusted import printable_tree

GROUPS: tuple[GroupKey, ...] = ("status", "disconnect_reason", "hour")
BARS = 12
"""Values shown per group (the rest are summed into one `other` bar); hours are all shown."""


def window_view_data(summary: WindowSummary, label: str) -> dict[str, Any]:
    """Everything the window view draws. `label` says what was asked (filters and window), in words."""
    stats, scan = summary.stats, summary.scan
    return printable_tree(
        {
            "label": label,
            "calls": stats.calls,
            "matching": scan.total,
            "complete": scan.complete,
            "capped": scan.capped,
            "groups": {key: _bars(key, stats.groups.get(key, [])) for key in GROUPS},
            "latencyMs": _spread(stats.latency),
            "durationSeconds": _spread(stats.duration),
            "cost": stats.cost_total if stats.cost_counted else None,
            "testCalls": stats.test_calls,
        }
    )


def _bars(key: GroupKey, groups: list[Any]) -> list[dict[str, Any]]:
    shown = groups if key == "hour" else groups[:BARS]
    bars = [{"value": g.value, "count": g.count, "examples": list(g.examples)} for g in shown]
    rest = groups[len(shown) :]
    if rest:
        bars.append({"value": f"{len(rest)} other values", "count": sum(g.count for g in rest), "examples": []})
    return bars


def _spread(spread: Spread) -> dict[str, Any]:
    return {"count": spread.count, "p50": spread.p50, "p90": spread.p90, "p95": spread.p95, "p99": spread.p99}
