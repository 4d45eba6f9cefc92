"""A call's conversation signals (`domain.signals`) as get_log's Signals section: one line per signal, each
saying "not recorded" when the call's data cannot support it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from ..domain.signals import Completeness, Interruption, Signals
from . import formats
from .untrusted import clean, clip

NOT_RECORDED = "not recorded"
REBUILT = f"{NOT_RECORDED} (the transcript was rebuilt from events, which time a line's end, not its start)"
LINE_CHARS = 80
MAX_LISTED = 8


ENDINGS = {
    "user_hangup": "the caller hung up",
    "agent_hangup": "the agent hung up",
    "timeout": "a timeout",
    "transfer_complete": "a completed transfer",
    "connection_error": "a connection error",
    "system_error": "a system error",
}


def signal_lines(s: Signals) -> list[str]:
    if not s.talked:
        return ["no conversation to measure: the call has no transcript", "ending: " + _ending(s), _timeline_line(s)]
    return [
        "greeting: " + (REBUILT if s.rebuilt else _greeting(s.greeting_delay_s)),
        "interruptions: " + _interruptions(s.interruptions),
        "unanswered turns: " + _turns(s.unanswered_turns, "no turn outcomes in the events"),
        f"dead air over {round(s.dead_air_ms)} ms: " + _dead_air(s),
        "talk time: " + (REBUILT if s.rebuilt else _talk(s.talk_time_s)),
        "repeated agent lines: " + _repeats(s.repeated_lines),
        "transfers: " + _transfers(s),
        "ending: " + _ending(s),
        _timeline_line(s),
    ]


def _timeline_line(s: Signals) -> str:
    return "timeline: " + _timeline(s.timeline)


def _greeting(delay: float | None) -> str:
    if delay is None:
        return f"{NOT_RECORDED} (needs a call_start event and a timed agent turn)"
    return f"the agent's first words {delay:.1f} s after the call started"


def _interruptions(found: list[Interruption] | None) -> str:
    if found is None:
        return f"{NOT_RECORDED} (no turn_outcome, barge_in or call_end diagnostics in the events)"
    if not found:
        return "none"
    holds = Counter(clip(clean(i.hold), 20) if i.hold else "not said" for i in found)
    turns = sorted({i.turn for i in found if i.turn is not None})
    where = f"; in runtime {'turn' if len(turns) == 1 else 'turns'} {_listed(turns)}" if turns else ""
    held = ", ".join(f"{kind} {n}" for kind, n in sorted(holds.items()))
    return f"{len(found)} (the caller talked over the agent; hold {held}){where}"


def _turns(turns: list[int | None] | None, why: str) -> str:
    if turns is None:
        return f"{NOT_RECORDED} ({why})"
    shown = [turn if turn is not None else "?" for turn in turns]
    return (
        f"{'runtime turn' if len(turns) == 1 else 'runtime turns'} {_listed(shown)} (outcome no_reply)"
        if turns
        else "none"
    )


def _dead_air(s: Signals) -> str:
    if s.dead_air is None:
        return f"{NOT_RECORDED} (no per-turn latency)"
    if not s.dead_air:
        return f"none of {formats.plural(len(s.turn_ms), 'measured turn')}"
    shown = ", ".join(f"runtime turn {turn if turn is not None else '?'} ({round(ms):,} ms)" for turn, ms in s.dead_air)
    return f"{len(s.dead_air)} of {formats.plural(len(s.turn_ms), 'measured turn')}: {shown}"


def _talk(talk: dict[str, float] | None) -> str:
    if talk is None:
        return f"{NOT_RECORDED} (needs every turn timed and the call's end)"
    return ", ".join(f"{'caller' if who == 'user' else who} {seconds:.0f} s" for who, seconds in sorted(talk.items()))


def _repeats(repeats: list[tuple[str, list[int]]]) -> str:
    if not repeats:
        return "none"
    shown = [
        f'"{clip(clean(line), LINE_CHARS)}" x{len(turns)} (#{", #".join(map(str, turns))})' for line, turns in repeats
    ]
    more = f"; and {len(shown) - 3} more" if len(shown) > 3 else ""
    return "; ".join(shown[:3]) + more


def _transfers(s: Signals) -> str:
    if not s.transfers:
        return "none"
    words = {"ok": "succeeded", "failed": "FAILED", "no result": "no result recorded"}
    return "; ".join(
        f"{clean(t.name)} {words.get(t.outcome, 'outcome not recorded')}"
        + (f": {clip(clean(t.error), 80)}" if t.error else "")
        for t in s.transfers
    )


def _ending(s: Signals) -> str:
    reason = s.ended_by or ""
    parts = [ENDINGS.get(reason, clip(clean(reason), 40)) if reason else "reason not recorded"]
    if s.voicemail:
        parts.append("reached voicemail")
    if s.end_calls:
        again = " (more than once)" if s.end_calls > 1 else ""
        parts.append(f"end_call invoked {formats.plural(s.end_calls, 'time')}{again}")
    else:
        parts.append("no end_call tool call")
    return "; ".join(parts)


def _timeline(done: Completeness | None) -> str:
    if done is None:
        return f"{NOT_RECORDED} (no call_end diagnostics)"
    source = f" from {clean(done.source)}" if done.source else ""
    if done.emitted is None:
        return (
            f"{NOT_RECORDED} (the call_end carries diagnostics but no count of the events emitted: the runtime did "
            f"not count its events; {done.stored} events{source} stored)"
        )
    if done.missing:
        return (
            f"INCOMPLETE: {done.missing} of {done.emitted} events missing "
            f"(call_end says {done.emitted} emitted{source}, {done.stored} stored)"
        )
    return f"complete ({done.stored} of {done.emitted} events{source} stored)"


def _listed(values: Sequence[int | str]) -> str:
    shown = ", ".join(map(str, values[:MAX_LISTED]))
    return shown + (f" and {len(values) - MAX_LISTED} more" if len(values) > MAX_LISTED else "")
