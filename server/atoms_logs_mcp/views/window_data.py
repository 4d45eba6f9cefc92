"""What the window view shows of a window of calls, as JSON: bars by status, reason and hour, calls per day by
status, the answer's groups with their failure share, percentiles."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from ..domain.aggregate import Group, GroupKey, Spread
from ..domain.compare import status_share
from ..domain.summarize import WindowSummary
from ..render.summary import ROWS_PER_TABLE, TITLES, time_rows
from ..render.untrusted import printable_tree

GROUPS: tuple[GroupKey, ...] = ("status", "disconnect_reason", "hour", "day")
"""What the view draws of every window, whatever the answer grouped by."""
BARS = 12
"""Values shown per group (the rest are summed into one `other` bar); hours are all shown."""
CHARTED: tuple[GroupKey, ...] = ("status", "disconnect_reason", "hour", "day")
"""Dimensions drawn as charts: the answer's other dimensions get a table each."""
SPAN_LIMIT = 366
"""Days without calls drawn before the first (after the last) day with calls, at most: `since` 2019 is no chart of
seven empty years."""
DaySpan = tuple[date | None, date | None]
FAILED = "failed"
"""The status whose share of finished calls is a group's failure share, as compare_calls' `failed share`."""


def window_view_data(
    summary: WindowSummary, label: str, group_by: Sequence[GroupKey] = (), days: DaySpan = (None, None)
) -> dict[str, Any]:
    """Everything the window view draws. `label` says what was asked (filters and window), in words; `group_by` is
    what the answer grouped by, one table each; `days` the window's first and last day, drawn with every day
    between them, those without calls too."""
    stats, scan = summary.stats, summary.scan
    return printable_tree(
        {
            "label": label,
            "calls": stats.calls,
            "matching": scan.total,
            "complete": scan.complete,
            "capped": scan.capped,
            "groups": {key: _bars(key, stats.groups.get(key, [])) for key in GROUPS if key != "day"},
            "days": _days(every_day(stats.groups.get("day", []), days), stats.groups.get("status", [])),
            "tables": [_table(key, stats.groups.get(key, [])) for key in dict.fromkeys(group_by) if key not in CHARTED],
            "latencyMs": _spread(stats.latency),
            "durationSeconds": _spread(stats.duration),
            "cost": stats.cost_total if stats.cost_counted else None,
            "testCalls": stats.test_calls,
        }
    )


def _bars(key: GroupKey, groups: list[Group]) -> list[dict[str, Any]]:
    shown = groups if key == "hour" else groups[:BARS]
    bars = [{"value": g.value, "count": g.count, "examples": list(g.examples)} for g in shown]
    rest = groups[len(shown) :]
    if rest:
        bars.append({"value": f"{len(rest)} other values", "count": sum(g.count for g in rest), "examples": []})
    return bars


def _days(days: list[Group], statuses: list[Group]) -> dict[str, Any]:
    """Calls per day (in the window's time zone, as the answer's day table; weeks or months past its limit), each
    split by status: every status the calls carry, commonest first, one legend for every bar."""
    title, rows = time_rows("day", days)
    order = [group.value for group in statuses]
    order += sorted({status for row in rows for status in row.statuses} - set(order))
    return {
        "title": title,
        "statuses": order,
        "bars": [
            {
                "value": row.value,
                "count": row.count,
                "statuses": [{"status": s, "count": row.statuses[s]} for s in order if row.statuses.get(s)],
            }
            for row in rows
        ],
    }


def every_day(seen: list[Group], span: DaySpan) -> list[Group]:
    """The days with calls and, at 0, every day without between the span's ends (or the first and last day seen,
    where the span is open or more than SPAN_LIMIT days beyond them): a day without calls is news too."""
    dated = {found: group for group in seen if (found := _date(group.value))}
    if not dated:
        return seen
    earliest, latest = min(dated), max(dated)
    first, last = span
    if first is None or (earliest - first).days > SPAN_LIMIT:
        first = earliest
    if last is None or (last - latest).days > SPAN_LIMIT:
        last = latest
    first, last = min(first, earliest), max(last, latest)
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    filled = [dated.get(day) or Group(day.strftime("%Y-%m-%d %a")) for day in days]
    return [*filled, *(group for group in seen if not _date(group.value))]


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _table(key: GroupKey, groups: list[Group]) -> dict[str, Any]:
    """One of the answer's dimensions: each value's calls, and the failure share of its finished calls with its 95%
    interval (none when no call of it finished)."""
    rows = [_row(group) for group in groups[:ROWS_PER_TABLE]]
    rest = groups[ROWS_PER_TABLE:]
    if rest:
        merged = Group(f"{len(rest)} more values", count=sum(g.count for g in rest))
        for group in rest:
            merged.statuses.update(group.statuses)
        rows.append(_row(merged))
    return {"key": key, "title": TITLES[key], "rows": rows}


def _row(group: Group) -> dict[str, Any]:
    share = status_share(group.statuses, FAILED)
    low, high = share.interval
    failed = {"share": share.value, "low": low, "high": high} if share.total else None
    return {
        "value": group.value,
        "calls": group.count,
        "finished": share.total,
        "failed": share.hits,
        "failedShare": failed,
        "examples": list(group.examples),
    }


def _spread(spread: Spread) -> dict[str, Any]:
    return {"count": spread.count, "p50": spread.p50, "p90": spread.p90, "p95": spread.p95, "p99": spread.p99}
