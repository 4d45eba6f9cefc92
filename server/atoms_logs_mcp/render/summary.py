"""The `summarize_logs` answer: whole-window counts and percentiles in a few hundred tokens."""

from __future__ import annotations

from collections.abc import Sequence

from ..aggregate import Group, GroupKey, Spread, WindowStats
from ..lookup import RetryOutcomes
from ..scan import Scan
from . import formats
from .untrusted import clean, clip, fence

ROWS_PER_TABLE = 12
TITLES: dict[GroupKey, str] = {
    "status": "status",
    "disconnect_reason": "disconnect reason",
    "failure_reason": "failure reason",
    "agent": "agent",
    "call_type": "channel",
    "attempt": "attempt",
    "day": "day",
    "hour": "hour of day",
}


def _spread(spread: Spread, unit: str) -> str:
    show = formats.span if unit == "s" else formats.millis
    return f"p50 {show(spread.p50)}, p90 {show(spread.p90)}, p99 {show(spread.p99)}"


def coverage(scan: Scan) -> str:
    """How much of the window was read, in words the model cannot misread."""
    read = scan.read
    requests = formats.plural(scan.requests, "list request")
    if scan.complete:
        return f"{formats.plural(scan.total, 'call')} match; all {read} scanned ({requests})."
    parts = [f"{formats.plural(scan.total, 'call')} match; scanned {read} of {scan.total} ({requests})."]
    if scan.capped:
        parts.append(
            f"The scan stops at {scan.target} calls (the ceiling): the figures below cover the "
            f"{scan.target} most recently updated calls only; narrow the window or filters to cover all."
        )
    if scan.failed_pages:
        ranges = ", ".join(f"{a}-{b}" for a, b in scan.missing_ranges())
        parts.append(
            f"INCOMPLETE: calls {ranges} (in the API's order) could not be read after retries; the "
            "figures below leave them out. Call again to retry."
        )
    return " ".join(parts)


def render_summary(
    stats: WindowStats,
    scan: Scan,
    header: Sequence[str],
    retries: RetryOutcomes | None,
) -> str:
    lines = [coverage(scan), *header]
    if not stats.calls:
        lines.append("No calls to summarise. Widen the filters or the window.")
        return "\n".join(lines)
    cost = f"cost {formats.money(stats.cost_total)}"
    if stats.cost_counted < stats.calls:
        cost += f" ({stats.cost_counted} of {stats.calls} calls report a cost)"
    lines.append(
        f"Overall: {formats.plural(stats.calls, 'call')}, talk time {formats.span(stats.total_seconds)}, {cost}."
    )
    if stats.duration.count:
        lines.append(f"Duration over {stats.duration.count} connected calls: {_spread(stats.duration, 's')}.")
    if stats.latency.count:
        lines.append(
            f"Turn latency over {formats.plural(stats.latency.count, 'turn')}: {_spread(stats.latency, 'ms')}."
        )
    if retries is not None:
        lines.append(_retries(retries))
    tables = [_table(key, groups, stats.calls) for key, groups in stats.groups.items()]
    lines.append(fence("grouped counts", "\n\n".join(tables)))
    lines.append('Open an example with get_log(call_id="CALL-…"); list them all with list_logs and the same filters.')
    return "\n".join(lines)


def _retries(outcome: RetryOutcomes) -> str:
    if not outcome.retried:
        return "Retries: no uncompleted first attempt in this window was retried."
    text = (
        f"Retries: {formats.plural(outcome.retried, 'first attempt')} did not complete and were retried; "
        f"{len(outcome.recovered)} completed on a retry, {len(outcome.not_recovered)} did not"
    )
    if outcome.unknown:
        text += f", {len(outcome.unknown)} unknown (their retries could not be read)"
    return text + "."


def _table(key: GroupKey, rows: Sequence[Group], total: int) -> str:
    shown = rows if key in ("day", "hour") else rows[:ROWS_PER_TABLE]
    out = [f"{TITLES[key]} | calls | share | examples"]
    for group in shown:
        value = clip(clean(group.value), 70).replace("|", "¦")
        out.append(f"{value} | {group.count} | {group.count / total:.1%} | {', '.join(group.examples)}")
    rest = rows[len(shown) :]
    if rest:
        out.append(
            f"({len(rest)} more values) | {sum(g.count for g in rest)} | {sum(g.count for g in rest) / total:.1%} | -"
        )
    return "\n".join(out)
