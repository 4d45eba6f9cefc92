"""The `analyze_calls` answer: one compact section per aspect, call content fenced."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..domain.aggregate import Group, Spread
from ..domain.investigate import (
    TOP_MESSAGES,
    Errors,
    Hangups,
    LatencyStats,
    MetricStat,
    ToolStat,
)
from . import formats
from .untrusted import clean, clip, fence

MAX_GROUP_ROWS = 10
LINE_CHARS = 160


def percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def spread(values: Spread, quantiles: Sequence[str] = ("p50", "p90", "p99")) -> str:
    shown = ", ".join(f"{q} {formats.millis(getattr(values, q))}" for q in quantiles)
    return f"{shown} (n={values.count})"


def grouped(group: Group) -> str:
    """`3x the text (e.g. CALL-…, CALL-…)`."""
    return f"{group.count}x {clip(clean(group.value), LINE_CHARS)} (e.g. {', '.join(group.examples)})"


def tools_section(stats: Sequence[ToolStat]) -> str:
    if not stats:
        return "## Tools\nNo tool calls in the calls read."
    lines = ["## Tools (most failures first)", "function | calls | failed | rate | no result | latency p50/p95"]
    messages: list[str] = []
    for stat in stats:
        spread_ = Spread.of(stat.latencies)
        lines.append(
            f"{stat.name} | {stat.calls} | {stat.failed} | {percent(stat.failed, stat.calls)} | {stat.no_result} | "
            f"{formats.millis(spread_.p50)} / {formats.millis(spread_.p95)}"
        )
        for group in stat.errors.top(TOP_MESSAGES):
            messages.append(f"{stat.name}: {grouped(group)}")
    if messages:
        lines.append(fence("tool errors", "\n".join(messages)))
    return "\n".join(lines)


def latency_section(stats: LatencyStats) -> str:
    if not stats.overall.count:
        return "## Latency\nNo turn latency was measured in the calls read."
    lines = [
        f"## Turn latency: {spread(stats.overall)} over {formats.plural(stats.calls_measured, 'call')}",
    ]
    if stats.components:
        parts = "; ".join(f"{name.upper()} {spread(s, ('p50', 'p90'))}" for name, s in stats.components.items())
        lines.append(f"Split (from turn_latency events): {parts}")
    lines.append("By agent: " + "; ".join(f"{clean(name)} {spread(s)}" for name, s in _top(stats.by_agent)))
    lines.append("By version: " + "; ".join(f"{clean(name)} {spread(s)}" for name, s in _top(stats.by_version)))
    if stats.slowest:
        slow = [
            f"{formats.millis(t.latency_ms)} {t.call_id} #{t.turn or '?'} Agent: "
            + clip(clean(t.line or "(line unknown)"), LINE_CHARS)
            for t in stats.slowest
        ]
        lines.append("Slowest turns (get_log(call_id, transcript_from=N) shows one in context):")
        lines.append(fence("slowest agent turns", "\n".join(slow)))
    return "\n".join(lines)


def _top(groups: Mapping[str, Spread]) -> list[tuple[str, Spread]]:
    return sorted(groups.items(), key=lambda item: -item[1].count)[:MAX_GROUP_ROWS]


def outcomes_section(hangups: Hangups) -> str:
    if not hangups.calls:
        return "## Outcomes\nNo call in the calls read ended with the caller hanging up (user_hangup)."
    lines = [
        f"## Outcomes: {formats.plural(hangups.calls, 'call')} ended with the caller hanging up; "
        "the agent's last line before it (grouped ignoring case and punctuation):"
    ]
    body = [f"({percent(g.count, hangups.calls)}) {grouped(g)}" for g in hangups.lines[:MAX_GROUP_ROWS]]
    if len(hangups.lines) > MAX_GROUP_ROWS:
        body.append(f"... {len(hangups.lines) - MAX_GROUP_ROWS} more distinct lines")
    lines.append(fence("agent lines before hang-ups", "\n".join(body)))
    if hangups.without_agent_line:
        lines.append(f"{formats.plural(hangups.without_agent_line, 'call')} had no agent line before the hang-up.")
    return "\n".join(lines)


def metrics_section(stats: Sequence[MetricStat]) -> str:
    if not stats:
        return "## Disposition metrics\nNo disposition metrics in the calls read."
    lines = ["## Disposition metrics (calls per value)"]
    body: list[str] = []
    for stat in stats:
        if stat.numbers is not None:
            shown = f"p50 {stat.numbers.p50:g}, p90 {stat.numbers.p90:g}"
        else:
            shown = ", ".join(f"{clip(clean(v), 40)} {n}" for v, n in list(stat.counts.items())[:MAX_GROUP_ROWS])
        body.append(f"{clean(stat.identifier)} ({stat.calls} calls): {shown}")
        if len(stat.by_agent) > 1 and stat.numbers is None:
            for agent, counts in stat.by_agent.items():
                per = ", ".join(f"{clip(clean(v), 40)} {n}" for v, n in list(counts.items())[:6])
                body.append(f"  {clean(agent)}: {per}")
    lines.append(fence("disposition metric values", "\n".join(body)))
    return "\n".join(lines)


def errors_section(errors: Errors) -> str:
    lines = [f"## Errors: agent errors in {formats.plural(errors.calls_with_agent_errors, 'call')}"]
    body = [grouped(g) for g in errors.agent_errors[:MAX_GROUP_ROWS]]
    if body:
        lines.append(fence("agent errors", "\n".join(body)))
    if errors.failure_reasons:
        failures = [grouped(g) for g in errors.failure_reasons[:MAX_GROUP_ROWS]]
        lines.append("Call failure reasons:")
        lines.append(fence("failure reasons", "\n".join(failures)))
    if not body and not errors.failure_reasons:
        lines.append("No agent errors or failure reasons in the calls read.")
    return "\n".join(lines)
