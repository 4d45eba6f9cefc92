"""The `compare_calls` answer: two sets of calls side by side, each difference with its interval and verdict."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from statistics import fmean

from ..domain.aggregate import Spread
from ..domain.compare import Comparison, ShareRow, ShiftRow, Side
from ..domain.proportions import Share
from ..domain.version_label import version_label
from . import formats
from .untrusted import clean, clip, fence

SHOWN_REASONS = 5
SHOWN_VERSIONS = 4
SHOWN_METRIC_VALUES = 6
SHIFT_NAMES = {"duration": "duration", "latency": "avg turn latency per call", "cost": "cost per call"}


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _dollars(value: float | None) -> str:
    """Per-call money, always to 4 decimals, so both sides read alike."""
    return formats.money(value, fixed=True)


SHOWN: dict[str, Callable[[float | None], str]] = {
    "duration": formats.span,
    "latency": formats.millis,
    "cost": _dollars,
}


def _signed(measure: str, value: float) -> str:
    return ("-" if value < 0 else "+") + SHOWN[measure](abs(value))


def verdict(row: ShareRow | ShiftRow) -> str | None:
    """The words every tested row ends with: only a row that survives Holm's correction is higher or lower; None
    when the row has no difference to judge."""
    if isinstance(row, ShareRow):
        if (diff := row.difference) is None:
            return None
        moved_alone, up = not diff.noise, diff.value > 0
    else:
        if (shift := row.shift) is None:
            return None
        moved_alone, up = not shift.low <= 0 <= shift.high, shift.estimate > 0
    if row.survives:
        return "higher" if up else "lower"
    return "within noise after Holm" if moved_alone else "within noise"


def difference(row: ShareRow | ShiftRow) -> str:
    """The difference (candidate - baseline) with its 95% interval, or why there is none; without the verdict."""
    if isinstance(row, ShareRow):
        diff = row.difference
        if diff is None:
            return "- (a side has nothing to compare)"
        return f"{100 * diff.value:+.1f} pts [{100 * diff.low:+.1f}, {100 * diff.high:+.1f}]"
    shift = row.shift
    if shift is None:
        return "- (a side has nothing to compare)" if not row.baseline or not row.candidate else "too few calls to test"
    low, high = (_signed(row.measure, bound) for bound in (shift.low, shift.high))
    return f"{_signed(row.measure, shift.estimate)} [{low}, {high}]"


def _tested(row: ShareRow | ShiftRow) -> str:
    said = verdict(row)
    return difference(row) if said is None else f"{difference(row)} {said}"


def _share(share: Share) -> str:
    low, high = share.interval
    return f"{_pct(share.value)} [{_pct(low)}-{_pct(high)}]" if share.total else "- (none to share)"


def _share_row(name: str, row: ShareRow) -> str:
    return f"{name} | {_share(row.baseline)} | {_share(row.candidate)} | {_tested(row)}"


def _shift_row(row: ShiftRow) -> str:
    show = SHOWN[row.measure]
    sides = []
    for values in (row.baseline, row.candidate):
        spread = Spread.of(values)
        if row.measure == "cost":  # the mean is what a call costs on average; p90 adds little to it
            figures = f"mean {show(fmean(values) if values else None)}, p50 {show(spread.p50)}"
        else:
            figures = f"p50 {show(spread.p50)}, p90 {show(spread.p90)}"
        sides.append(f"{figures} (n={spread.count})")
    return f"{SHIFT_NAMES[row.measure]} | {sides[0]} | {sides[1]} | {_tested(row)}"


def render_comparison(
    labels: tuple[str, str],
    sides: tuple[Side, Side],
    comparison: Comparison,
    coverage: Sequence[str],
    names: Mapping[str, str],
) -> str:
    base, cand = sides
    lines = [f"Baseline: {labels[0]}", f"Candidate: {labels[1]}", *coverage, ""]
    lines.append("measure | baseline | candidate | difference (candidate - baseline, 95% interval)")
    lines.append(f"calls | {base.calls} | {cand.calls} |")
    lines.append(
        f"finished calls (every share and figure below is of these, not of calls still running) | "
        f"{base.finished} | {cand.finished} |"
    )
    lines += [_share_row(f"{row.name} share", row) for row in comparison.statuses]
    lines += [_shift_row(row) for row in comparison.shifts]
    lines.append("")
    lines.append(f"Versions: baseline {_versions(base.versions, names)}; candidate {_versions(cand.versions, names)}")
    lines.append("Disconnect reasons that moved most (share baseline -> candidate):")
    lines += [_share_row(f"  {clip(clean(row.name), 40)}", row) for row in comparison.reasons[:SHOWN_REASONS]]
    lines.extend(_metrics(comparison.metrics[:SHOWN_METRIC_VALUES]))
    if comparison.tools is not None:
        lines.append("")
        lines.append(_tools(comparison.tools))
    lines.append("")
    lines += footnote(comparison)
    lines.append("Next: analyze_calls on either side finds what is behind a difference; list_logs lists its calls.")
    return "\n".join(lines)


def footnote(comparison: Comparison) -> list[str]:
    """How the differences were taken, how many rows were tested and how many survive Holm's correction."""
    if not comparison.tested:
        return ["No row tested: a side has too few finished calls."]
    survive = "survives" if comparison.survivors == 1 else "survive"
    return [
        "Duration, latency, cost: Hodges-Lehmann shift (median of every candidate - baseline pair of calls) with"
        " Moses' distribution-free interval; shares: Newcombe's interval.",
        f"{formats.plural(comparison.tested, 'row')} tested (shown or not); {comparison.survivors} {survive} Holm's"
        " correction (at most 5% chance of any false alarm, however the rows depend on each other); only those"
        " say higher or lower.",
    ]


def _versions(counter: Counter[tuple[str | None, float | None, str | None]], names: Mapping[str, str]) -> str:
    """`Support v4 (<id>) 38, ...`: the commonest, each with its agent's name where the agent list has it, then how
    many calls ran on the others."""
    shown = []
    for (agent, number, version), count in counter.most_common(SHOWN_VERSIONS):
        owner = (names.get(agent) or f"agent {agent}") if agent else None
        shown.append(clean(version_label(owner, number, version)) + f" {count}")
    if len(counter) > SHOWN_VERSIONS:
        rest = sum(count for _, count in counter.most_common()[SHOWN_VERSIONS:])
        shown.append(f"{formats.plural(len(counter) - SHOWN_VERSIONS, 'more version')} {rest}")
    return ", ".join(shown) or "-"


def _tools(rows: list[ShareRow]) -> str:
    lines = ["Tool failure rate per function (opened calls):"]
    lines += [_share_row(f"  {clip(clean(row.name), 40)}", row) for row in rows]
    return "\n".join(lines) if len(lines) > 1 else "No tool calls on either side."


def _metrics(rows: list[ShareRow]) -> list[str]:
    """The disposition metric values whose share moved most, across every metric (call content: fenced)."""
    if not rows:
        return []
    body = "\n".join(_share_row(f"  {clip(clean(row.name), 50)}", row) for row in rows)
    return ["Disposition metric values that moved most:", fence("disposition metric values", body)]
