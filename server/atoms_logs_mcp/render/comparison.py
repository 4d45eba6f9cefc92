"""The `compare_calls` answer: two sets of calls side by side, each difference said as signal or noise."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence

from ..domain.aggregate import Spread
from ..domain.compare import Share, Side, difference, moved_most
from ..domain.investigate import ToolStat
from . import formats
from .untrusted import clean, clip, fence

STATUSES_SHOWN = ("completed", "failed", "no_answer", "cancelled")


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _shown(share: Share) -> str:
    low, high = share.interval
    return f"{_pct(share.value)} [{_pct(low)}-{_pct(high)}]" if share.total else "- (none to share)"


def _share_row(name: str, base: Share, cand: Share) -> str:
    if not base.total or not cand.total:
        return f"{name} | {_shown(base)} | {_shown(cand)} | - (a side has nothing to compare)"
    diff = difference(base, cand)
    verdict = "within noise" if diff.noise else ("higher" if diff.value > 0 else "lower")
    return (
        f"{name} | {_shown(base)} | {_shown(cand)} | "
        f"{100 * diff.value:+.1f} pts [{100 * diff.low:+.1f}, {100 * diff.high:+.1f}] {verdict}"
    )


def _spread_row(name: str, base: Side, cand: Side, values: str, show: Callable[[float | None], str]) -> str:
    a, b = Spread.of(getattr(base, values)), Spread.of(getattr(cand, values))
    shown = [f"p50 {show(s.p50)}, p90 {show(s.p90)} (n={s.count})" for s in (a, b)]
    return f"{name} | {shown[0]} | {shown[1]}"


def render_comparison(
    labels: tuple[str, str],
    sides: tuple[Side, Side],
    coverage: Sequence[str],
    tools: tuple[list[ToolStat], list[ToolStat]] | None,
) -> str:
    base, cand = sides
    lines = [f"Baseline: {labels[0]}", f"Candidate: {labels[1]}", *coverage, ""]
    lines.append("measure | baseline | candidate | difference (candidate - baseline, 95% interval)")
    lines.append(f"calls | {base.calls} | {cand.calls} |")
    lines.append(f"finished calls (status shares are of these) | {base.finished} | {cand.finished} |")
    for status in STATUSES_SHOWN:
        lines.append(_share_row(f"{status} share", base.share(status), cand.share(status)))
    lines.append(_spread_row("duration", base, cand, "durations", formats.span))
    lines.append(_spread_row("avg turn latency per call", base, cand, "latencies", formats.millis))
    lines.append(f"cost per call | {formats.money(base.cost_per_call)} | {formats.money(cand.cost_per_call)} |")
    lines.append("")
    lines.append("Versions: baseline " + _counts(base.versions) + "; candidate " + _counts(cand.versions))
    lines.append("Disconnect reasons that moved most (share baseline -> candidate):")
    for reason in moved_most(base.reasons, cand.reasons, base.calls, cand.calls):
        lines.append(
            _share_row(f"  {reason}", Share(base.reasons[reason], base.calls), Share(cand.reasons[reason], cand.calls))
        )
    lines.extend(_metrics(base, cand))
    if tools is not None:
        lines.append("")
        lines.append(_tools(*tools))
    lines.append("")
    lines.append("Next: analyze_calls on either side finds what is behind a difference; list_logs lists its calls.")
    return "\n".join(lines)


def _counts(counter: Counter[str]) -> str:
    items = counter.most_common(4)
    return ", ".join(f"{clean(k)} {n}" for k, n in items) or "-"


def _tools(base: list[ToolStat], cand: list[ToolStat]) -> str:
    by_name = {s.name: s for s in base}
    other = {s.name: s for s in cand}
    lines = ["Tool failure rate per function (opened calls):"]
    for name in sorted(set(by_name) | set(other)):
        a, b = by_name.get(name), other.get(name)
        lines.append(
            _share_row(
                f"  {name}",
                Share(a.failed if a else 0, a.calls if a else 0),
                Share(b.failed if b else 0, b.calls if b else 0),
            )
        )
    return "\n".join(lines) if len(lines) > 1 else "No tool calls on either side."


def _metrics(base: Side, cand: Side, top: int = 6) -> list[str]:
    """The disposition metric values whose share moved most, across every metric."""
    rows: list[tuple[float, str, Share, Share]] = []
    for identifier in set(base.metrics) | set(cand.metrics):
        b: Counter[str] = base.metrics.get(identifier, Counter())
        c: Counter[str] = cand.metrics.get(identifier, Counter())
        nb, nc = sum(b.values()), sum(c.values())
        for value in set(b) | set(c):
            shares = Share(b.get(value, 0), nb), Share(c.get(value, 0), nc)
            rows.append((abs(shares[1].value - shares[0].value), f"{identifier}={clip(clean(value), 30)}", *shares))
    rows.sort(key=lambda row: (-row[0], row[1]))
    if not rows:
        return []
    body = "\n".join(_share_row(f"  {n}", b, c) for _, n, b, c in rows[:top])
    return ["Disposition metric values that moved most:", fence("disposition metric values", body)]
