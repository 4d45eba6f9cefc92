"""What the compare view shows of compare_calls' answer, as JSON: every difference the answer shows, with its 95%
interval, for a forest plot around zero, each with the very words the answer ends its row with."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..domain.compare import ShareRow, ShiftRow
from ..domain.recent_windows import ReadComparison
from ..render.comparison import SHIFT_NAMES, SHOWN_METRIC_VALUES, SHOWN_REASONS, difference, footnote, verdict
from ..render.untrusted import printable_tree

UNITS = {"duration": "s", "latency": "ms", "cost": "$"}
"""The unit of each per-call measure's shift (the answer's own formatting says it in each row's text)."""


def compare_view_data(read: ReadComparison) -> dict[str, Any]:
    """Everything the compare view draws: the sides in words, and panels of rows. Share rows of a panel share one
    axis (percentage points); each per-call measure has its own. Every row's `verdict` is the answer's."""
    comparison = read.comparison
    shares = [
        ("Status shares (of finished calls)", [(f"{row.name} share", row) for row in comparison.statuses]),
        ("Disconnect reasons that moved most", [(row.name, row) for row in comparison.reasons[:SHOWN_REASONS]]),
        ("Disposition metric values that moved most", [(r.name, r) for r in comparison.metrics[:SHOWN_METRIC_VALUES]]),
        ("Tool failure rate per function (opened calls)", [(row.name, row) for row in comparison.tools or []]),
    ]
    panels = [_share_panel(title, rows) for title, rows in shares if rows]
    panels.insert(
        1, {"title": "Per call (each on its own scale)", "unit": None, "rows": _shift_rows(comparison.shifts)}
    )
    return printable_tree(
        {
            "baseline": {"label": read.labels[0], "calls": read.sides[0].calls, "finished": read.sides[0].finished},
            "candidate": {"label": read.labels[1], "calls": read.sides[1].calls, "finished": read.sides[1].finished},
            "tested": comparison.tested,
            "survivors": comparison.survivors,
            "panels": panels,
            "footnote": footnote(comparison),
        }
    )


def _share_panel(title: str, named: Sequence[tuple[str, ShareRow]]) -> dict[str, Any]:
    rows = [_row(name, row, _points(row)) for name, row in named]
    return {"title": title, "unit": "pts", "rows": _on_one_axis(rows)}


def _points(row: ShareRow) -> tuple[float, float, float] | None:
    diff = row.difference
    return None if diff is None else (100 * diff.value, 100 * diff.low, 100 * diff.high)


def _shift_rows(rows: Sequence[ShiftRow]) -> list[dict[str, Any]]:
    drawn = []
    for row in rows:
        shift = row.shift
        bounds = None if shift is None else (shift.estimate, shift.low, shift.high)
        drawn.extend(_on_one_axis([_row(SHIFT_NAMES[row.measure], row, bounds) | {"unit": UNITS[row.measure]}]))
    return drawn


def _row(name: str, row: ShareRow | ShiftRow, bounds: tuple[float, float, float] | None) -> dict[str, Any]:
    estimate, low, high = bounds or (None, None, None)
    return {
        "name": name,
        "estimate": estimate,
        "low": low,
        "high": high,
        "difference": difference(row),
        "verdict": verdict(row),
        "moved": row.survives,
    }


def _on_one_axis(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows with the half-width of their common axis: the farthest bound from zero (None when no row has one;
    a little room when every bound is zero)."""
    bounds = [abs(row[key]) for row in rows for key in ("low", "high", "estimate") if row[key] is not None]
    extent = (max(bounds) or 1.0) * 1.1 if bounds else None
    return [row | {"extent": extent} for row in rows]
