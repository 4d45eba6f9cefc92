"""The `summarize_logs` answer: whole-window counts and percentiles in a few hundred tokens."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ..domain.aggregate import EXAMPLES, Group, GroupKey, Spread, WindowStats
from ..domain.lookup import RetryOutcomes
from ..domain.scan import Scan
from . import formats
from .replica import replica_source
from .untrusted import clean, clip, fence

ROWS_PER_TABLE = 12
MAX_TIME_ROWS = 62
TITLES: dict[GroupKey, str] = {
    "status": "status",
    "disconnect_reason": "disconnect reason",
    "failure_reason": "failure reason",
    "agent": "agent",
    "call_type": "channel",
    "attempt": "attempt",
    "day": "day",
    "hour": "hour of day",
    "version": "agent version",
    "campaign": "campaign",
}


def _spread(spread: Spread, unit: str) -> str:
    show = formats.span if unit == "s" else formats.millis
    return f"p50 {show(spread.p50)}, p90 {show(spread.p90)}, p99 {show(spread.p99)}"


def coverage(scan: Scan) -> str:
    """How much of the window was read, in words the model cannot misread."""
    read = scan.read
    if scan.replica is not None:
        every = f"all {read} read" if read >= scan.total else f"the {read} newest read (max_calls)"
        return f"{formats.plural(scan.total, 'call')} match; {every}. {replica_source(scan.replica)}"
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
    if scan.missed:
        parts.append(
            f"INCOMPLETE: {formats.plural(scan.missed, 'call')} changed while being read (the API orders by last "
            "update) and were missed; the figures below leave them out. Call again for a whole count."
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
    lines.append(_overall(stats))
    if stats.duration.count:
        connected = formats.plural(stats.duration.count, "connected call")
        lines.append(f"Duration over {connected}: {_spread(stats.duration, 's')}.")
    if stats.latency.count:
        latency = (
            f"Turn latency over {formats.plural(stats.latency.count, 'timed turn')}: {_spread(stats.latency, 'ms')}."
        )
        if stats.unreadable_latencies:
            latency += f" {formats.plural(stats.unreadable_latencies, 'latency value')} not a number, left out."
        lines.append(latency)
    if retries is not None:
        lines.append(_retries(retries))
    tables = [_table(key, groups, stats.calls) for key, groups in stats.groups.items()]
    lines.append(fence("grouped counts", "\n\n".join(tables)))
    lines.append('Open an example with get_log(call_id="CALL-…"); list them all with list_logs and the same filters.')
    return "\n".join(lines)


def _overall(stats: WindowStats) -> str:
    calls = formats.plural(stats.calls, "call")
    if stats.test_calls:
        calls += f" ({formats.plural(stats.test_calls, 'test call')} included)"
    cost = f"cost {formats.money(stats.cost_total)}"
    if stats.retry_calls:
        first = formats.money(stats.cost_total - stats.retry_cost)
        retries = formats.plural(stats.retry_calls, "retry", "retries")
        cost += f" (first attempts {first}, {retries} {formats.money(stats.retry_cost)})"
    if stats.cost_counted < stats.calls:
        reports = formats.agree(stats.cost_counted, "reports", "report")
        cost += f" ({stats.cost_counted} of {formats.plural(stats.calls, 'call')} {reports} a cost)"
    return f"Overall: {calls}, talk time {formats.span(stats.total_seconds)}, {cost}."


def _retries(outcome: RetryOutcomes) -> str:
    if not outcome.retried:
        return "Retries: no uncompleted first attempt in this window was retried."
    text = (
        f"Retries: {formats.plural(outcome.retried, 'first attempt')} did not complete and "
        f"{formats.agree(outcome.retried, 'was', 'were')} retried; "
        f"{len(outcome.recovered)} completed on a retry, {len(outcome.not_recovered)} did not"
    )
    if outcome.unknown:
        text += f", {len(outcome.unknown)} unknown (their retries could not be read)"
    return text + "."


def _coarser(rows: Sequence[Group]) -> tuple[str, list[Group]]:
    """Days grouped into ISO weeks, or months when even weeks are too many (values `YYYY-MM-DD Ddd`)."""
    for title, width in (("week", 0), ("month", 7)):
        merged: dict[str, Group] = {}
        for row in rows:
            if width:
                label = row.value[:width]
            else:
                try:
                    year, week, _ = date.fromisoformat(row.value[:10]).isocalendar()
                    label = f"{year}-W{week:02d}"
                except ValueError:
                    label = row.value
            group = merged.setdefault(label, Group(label))
            group.count += row.count
            group.statuses.update(row.statuses)
            group.examples.extend(row.examples[: EXAMPLES - len(group.examples)])
        if len(merged) <= MAX_TIME_ROWS or width:
            return title, sorted(merged.values(), key=lambda g: g.value)
    raise AssertionError("unreachable")  # pragma: no cover


def time_rows(key: GroupKey, rows: Sequence[Group]) -> tuple[str, Sequence[Group]]:
    """A table's title and rows: days grouped into weeks or months when there are more than MAX_TIME_ROWS."""
    if key == "day" and len(rows) > MAX_TIME_ROWS:
        title, coarser = _coarser(rows)
        return f"{title} (more than {MAX_TIME_ROWS} days)", coarser
    return TITLES[key], rows


def _table(key: GroupKey, rows: Sequence[Group], total: int) -> str:
    title, rows = time_rows(key, rows)
    shown = rows if key in ("day", "hour") else rows[:ROWS_PER_TABLE]
    out = [f"{title} | calls | share | examples"]
    for group in shown:
        value = clip(clean(group.value), 70).replace("|", "¦")
        examples = ", ".join(clean(example) for example in group.examples)
        out.append(f"{value} | {group.count} | {group.count / total:.1%} | {examples}")
    rest = rows[len(shown) :]
    if rest:
        out.append(
            f"({len(rest)} more values) | {sum(g.count for g in rest)} | {sum(g.count for g in rest) / total:.1%} | -"
        )
    return "\n".join(out)
