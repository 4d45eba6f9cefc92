"""The `search_transcripts` answer: how many calls match, then each call's matching turns in context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..domain.investigate import agent_label
from ..domain.transcript_hits import CallHits, Turn
from . import formats
from .untrusted import clean, clip, fence

CALLS_PER_PAGE = 10
TURNS_PER_CALL = 3
LINE_CHARS = 220


def _turn(turn: Turn, matched: Sequence[str] = ()) -> str:
    number, role, at, text = turn
    moment = formats.offset(at) if at is not None else "--:--"
    said = f" (matched {clean(', '.join(matched))})" if matched else ""
    return f"#{number} [{moment}] {(role or '?').capitalize()}{said}: {clip(clean(text), LINE_CHARS)}"


def _call(hit: CallHits, names: Mapping[str, str]) -> str:
    digest = hit.digest
    created = formats.minute_utc(digest.created)
    head = f"{digest.call_id} | {created} | {clean(agent_label(digest, names))} | {clean(digest.status or '?')}"
    lines: list[str] = []
    for found in hit.turns[:TURNS_PER_CALL]:
        before = found.before
        if before is not None and (not lines or not lines[-1][2:].startswith(f"#{before[0]} ")):  # not shown yet
            lines.append("  " + _turn(before))
        lines.append("> " + _turn(found.turn, found.matched))
    if len(hit.turns) > TURNS_PER_CALL:
        lines.append(f'  ... {len(hit.turns) - TURNS_PER_CALL} more matching turns: get_log("{digest.call_id}")')
    return head + "\n" + fence("transcript", "\n".join(lines))


def render_hits(
    hits: Sequence[CallHits], read: int, query: str, header: Sequence[str], names: Mapping[str, str], page: int
) -> str:
    pages = max(1, -(-len(hits) // CALLS_PER_PAGE))
    shown = hits[(page - 1) * CALLS_PER_PAGE : page * CALLS_PER_PAGE]
    turns = sum(len(h.turns) for h in hits)
    lines = [
        *header,
        f"{formats.plural(len(hits), 'call')} of {read} read match {clean(query)} "
        f"({formats.plural(turns, 'matching turn')}).",
    ]
    if not hits:
        lines.append(
            "Nothing matched. Words match whole words (refund does not find refunds); try fewer words, another form, "
            "or several phrasings in any_of."
        )
        return "\n".join(lines)
    lines.append(
        f"Page {page} of {pages}, newest first; '>' marks a matching turn, the line above it is the turn before."
    )
    lines.extend(_call(hit, names) for hit in shown)
    if page < pages:
        lines.append(f"Next page: the same arguments with page={page + 1}.")
    elif page > pages:
        lines.append(f"There are only {pages} pages.")
    lines.append("Next: get_log(call_id, transcript_from=N) shows a turn in its whole conversation.")
    return "\n".join(lines)
