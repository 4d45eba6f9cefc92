"""analyze_calls' conversation aspect: the signals across calls as one table by agent and one by version."""

from __future__ import annotations

from ..domain.conversation import ConversationReport, ConversationStats, Tally
from ..domain.signals import DEAD_AIR_MS
from . import formats
from .investigation import percent
from .untrusted import clean, clip, fence

MAX_ROWS = 10
ENDINGS_SHOWN = 8
"""Ways of ending shown by name; two more are shown too rather than counted."""
HEADER = (
    "group | calls | interrupted | interruptions/call | unanswered turn | dead air (turns) | "
    "greeting p50/p90 | repeated line | transfers ok/tried | incomplete timeline"
)


def conversation_section(report: ConversationReport) -> str:
    overall = report.overall
    if not overall.calls:
        return "## Conversation\nNo calls to measure."
    lines = [
        f"## Conversation: {formats.plural(overall.calls, 'call')}, {overall.talked} with a transcript "
        f"(dead air: replies slower than {round(report.dead_air_ms):,} ms; 'x of y' counts the calls whose log "
        "records that signal)",
        HEADER,
        _row(overall),
    ]
    lines += [_row(row) for row in report.by_agent[:MAX_ROWS]]
    if len(report.by_version) > len(report.by_agent):
        lines += ["By version:", *[_row(row) for row in report.by_version[:MAX_ROWS]]]
    lines += [_not_recorded(overall), fence("how calls ended", _endings(overall)), _examples(report)]
    return "\n".join(line for line in lines if line)


def _of(tally: Tally) -> str:
    return f"{tally.shown.count} of {tally.recorded}" if tally.recorded else "not recorded"


def _row(row: ConversationStats) -> str:
    per_call = f"{row.interruptions.total / row.interruptions.recorded:.2f}" if row.interruptions.recorded else "-"
    dead_turns = f" ({row.dead_air.total} of {row.turns_measured}, {percent(row.dead_air.total, row.turns_measured)})"
    greeting = row.greeting
    shown_greeting = f"{formats.millis(greeting.p50)} / {formats.millis(greeting.p90)}" if greeting.count else "-"
    tried = sum(row.transfers.values())
    return " | ".join(
        [
            clip(clean(row.label), 60),
            str(row.calls),
            _of(row.interruptions),
            per_call,
            _of(row.unanswered),
            _of(row.dead_air) + (dead_turns if row.turns_measured else ""),
            shown_greeting,
            _of(row.repeated),
            f"{row.transfers['ok']}/{tried}" if tried else "-",
            _of(row.incomplete),
        ]
    )


def _not_recorded(row: ConversationStats) -> str:
    missing = [
        (tally.name, row.talked - tally.recorded)
        for tally in (row.interruptions, row.unanswered, row.dead_air)
        if row.talked - tally.recorded
    ]
    if row.calls - row.incomplete.recorded:
        missing.append(("timeline completeness", row.calls - row.incomplete.recorded))
    if not missing:
        return ""
    shown = "; ".join(f"{name} in {formats.plural(n, 'call')}" for name, n in missing)
    return f"Not recorded (the log lacks the events): {shown}."


def _endings(row: ConversationStats) -> str:
    """Every way the calls ended, commonest first; past ENDINGS_SHOWN the rarer ones counted, not dropped."""
    ranked = row.endings.most_common()
    cut = len(ranked) if len(ranked) <= ENDINGS_SHOWN + 2 else ENDINGS_SHOWN
    shown = ", ".join(f"{clip(clean(how), 50)} {n}" for how, n in ranked[:cut])
    if rest := ranked[cut:]:
        rarer = formats.plural(len(rest), "rarer reason")
        shown += f", + {rarer}, {formats.plural(sum(n for _, n in rest), 'call')}"
    twice = row.end_call_twice
    again = (
        f"; end_call invoked more than once in {formats.plural(twice.count, 'call')} (e.g. {', '.join(twice.examples)})"
    )
    return f"How calls ended: {shown}" + (again if twice.count else "")


def _examples(report: ConversationReport) -> str:
    row = report.overall
    parts = [
        f"{tally.name}: {', '.join(tally.shown.examples)}"
        for tally in (row.interruptions, row.unanswered, row.dead_air, row.incomplete)
        if tally.shown.examples
    ]
    if not parts:
        return ""
    note = "" if report.dead_air_ms == DEAD_AIR_MS else f"; it measures dead air at {round(DEAD_AIR_MS):,} ms"
    return f"Examples (get_log shows their Signals{note}): " + "; ".join(parts)
