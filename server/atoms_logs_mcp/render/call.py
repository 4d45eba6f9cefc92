"""One call for debugging: overview, transcript, events, metrics and latency, as `get_log` shows them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ..api.events import number
from ..api.models import CallDetail, CallRow
from ..api.query import CALL_ID_PATTERN
from ..domain.agent_config import VERSION_ID as OBJECT_ID
from ..domain.analysis import call_end, call_start, latency_report, turn_offsets
from ..domain.call_uris import call_uri, transcript_uri
from ..domain.live_watch import LIVE_STATUSES
from ..domain.signals import signals
from ..domain.version_names import Standing
from . import formats
from .budget import EVENTS_TOKENS, METRIC_VALUE_CHARS, SUMMARY_CHARS, TRANSCRIPT_PAGE_TOKENS, estimate_tokens
from .events import COUNTED, COUNTED_WITHOUT_TRANSCRIPT, timeline
from .signals import signal_lines
from .untrusted import clean, clip, fence

Section = Literal["overview", "transcript", "events", "signals", "metrics", "latency"]
SECTIONS: tuple[Section, ...] = ("overview", "transcript", "events", "signals", "metrics", "latency")
TRANSCRIPT_PAGE_TURNS = 200
EVENT_LINES = 100
MAX_VARIABLES = 25
MAX_METRICS = 40
SIGNALS_HEADING = (  # the definitions live in the docs, under that heading (tests/test_front_page.py checks it)
    "## Signals (runtime turn N: the turn_index in the events, not transcript #N;"
    ' definitions: docs/TOOLS.md, "Conversation signals")'
)


def shown_id(call: CallDetail) -> str:
    """The call id for headings and links, which stand outside any fence: only a well-formed id is shown."""
    return call.call_id if call.call_id and re.fullmatch(CALL_ID_PATTERN, call.call_id) else "(malformed call id)"


@dataclass(frozen=True)
class TranscriptPage:
    text: str
    first: int
    """1-based number of the first turn shown."""
    last: int
    total: int

    @property
    def next_turn(self) -> int | None:
        return self.last + 1 if self.last < self.total else None


def turn_line(number: int, at: float | None, role: str | None, text: str | None) -> str:
    """`#5 [mm:ss.s] Speaker: text`: one transcript turn, the text cleaned but otherwise verbatim."""
    stamp = formats.offset(at) if at is not None else "  ?  "
    return f"#{number} [{stamp}] {clean(role or 'unknown').capitalize()}: {clean(text or '')}"


def transcript_lines(call: CallDetail) -> list[str]:
    """One line per turn (`turn_line`), numbered from 1."""
    offsets = turn_offsets(call)
    return [
        turn_line(number, at, turn.role, turn.content)
        for number, (turn, at) in enumerate(zip(call.transcript, offsets, strict=True), start=1)
    ]


def transcript_page(
    call: CallDetail, first: int = 1, max_turns: int | None = None, max_tokens: int | None = None
) -> TranscriptPage:
    """Turns from `first`, up to the page limits (by default TRANSCRIPT_PAGE_TURNS and TRANSCRIPT_PAGE_TOKENS)."""
    max_turns = TRANSCRIPT_PAGE_TURNS if max_turns is None else max_turns
    max_tokens = TRANSCRIPT_PAGE_TOKENS if max_tokens is None else max_tokens
    lines = transcript_lines(call)
    start = max(1, first)
    taken: list[str] = []
    size = 0
    for line in lines[start - 1 :]:
        cost = estimate_tokens(line) + 1
        if taken and (len(taken) >= max_turns or size + cost > max_tokens):
            break
        taken.append(line)
        size += cost
    return TranscriptPage("\n".join(taken), start, start + len(taken) - 1, len(lines))


NOT_CONNECTED = {"pending": "is pending", "in_queue": "is queued", "processing": "is being set up"}


def no_transcript(call: CallRow) -> str:
    """Why a call has no transcript, as far as its status tells."""
    status = call.status or ""
    if status in NOT_CONNECTED:
        return f"No transcript: the call {NOT_CONNECTED[status]} and has not connected yet."
    if status in LIVE_STATUSES:
        well_formed = call.call_id and re.fullmatch(CALL_ID_PATTERN, call.call_id)
        watch = f' watch_call(call_id="{call.call_id}") follows it live.' if well_formed else ""
        return "No transcript yet: the call is in progress (the transcript is stored when it ends)." + watch
    if status == "no_answer":
        return "No transcript: nobody answered."
    return f"No transcript recorded for this call (status {clean(status or 'unknown')})."


def _overview(call: CallDetail, family: str | None, whole: bool = False) -> str:
    agent = call.agent
    fields: list[tuple[str, Any]] = [
        ("status", call.status),
        ("disconnect reason", call.disconnection_reason),
        ("failure reason", call.call_failure_reason),
        ("disconnect details", _details(call.disconnect_details)),
        ("agent", f"{agent.name} ({agent.id})" if agent and agent.name else call.agent_id),
        ("agent version", _version(call)),
        ("model", call.slm_model_used),
        ("voice", _voice(call)),
        ("created", formats.when(call.created_at) if call.created_at else None),
        ("duration", formats.span(call.duration) if call.duration is not None else None),
        ("cost", formats.money(call.call_cost) if call.call_cost is not None else None),
        ("cost breakdown", _details(call.cost_breakdown, money=True)),
        ("channel", _route(call)),
        ("retries", family),
        ("test call", "yes" if call.is_test else None),
        ("summary", call.summary if whole or not call.summary else clip(clean(call.summary), SUMMARY_CHARS)),
        ("variables", _variables(call, None if whole else MAX_VARIABLES)),
    ]
    return "\n".join(f"{name}: {clean(value)}" for name, value in fields if value not in (None, ""))


def _details(values: dict[str, Any], *, money: bool = False, limit: int = 8) -> str | None:
    """`sipCode=486, category=busy`: a small object of scalars, on one line (nested values compacted)."""
    parts = []
    for key, value in list(values.items())[:limit]:
        amount = number(value) if money else None
        shown = formats.money(amount) if amount is not None else value
        parts.append(f"{clip(clean(key), 30)}={clip(clean(shown), 60)}")
    return ", ".join(parts) or None


def _variables(call: CallDetail, limit: int | None) -> str:
    items = list(call.variables.items())
    shown = "; ".join(f"{clip(clean(k), 40)}={clip(clean(v), 120)}" for k, v in items[:limit])
    if limit is not None and len(items) > limit:
        shown += f"; and {len(items) - limit} more (read {call_uri(clean(call.call_id or '?'))})"
    return shown


def _version(call: CallDetail) -> str | None:
    if call.version_number is None and not call.version_id:
        return None
    number = f"v{call.version_number:g}" if call.version_number is not None else "version"
    return f"{number} ({call.version_id})" if call.version_id else number


def _agent_pointer(call: CallDetail, standing: Standing) -> str | None:
    """The get_agent call that shows the version behind this call (plain ids only: they come from the call), or,
    when the agent or the version is no longer listed, that it is not (a get_agent call would fail)."""
    agent_id, version_id = call.agent_id or (call.agent.id if call.agent else None), call.version_id
    agent = f" ({agent_id})" if agent_id and OBJECT_ID.fullmatch(agent_id) else ""
    version = f" ({version_id})" if version_id and OBJECT_ID.fullmatch(version_id) else ""
    unlisted = "(deleted or unknown)"
    if standing == "agent unlisted":
        return (
            f"The agent behind this call{agent} is not in the agent list {unlisted}: its configuration cannot be read."
        )
    if standing == "version unlisted":
        active = f'; get_agent(agent="{agent_id}") shows its active version' if agent else ""
        return f"The agent version behind this call{version} is not among the agent's versions {unlisted}{active}."
    if not (agent and version):
        return None
    return f'The agent version behind this call (prompt, tools): get_agent(agent="{agent_id}", version="{version_id}")'


def _voice(call: CallDetail) -> str | None:
    voice = call.voice_config_used
    if voice is None:
        return None
    parts = [p for p in (voice.model, voice.voice_id) if p]
    text = "/".join(parts)
    return f"{text} ({voice.gender})" if voice.gender else text or None


def _route(call: CallDetail) -> str:
    route = formats.channel(call.type)
    if call.from_number or call.to_number:
        route += f", from {call.from_number or '-'} to {call.to_number or '-'}"
    return route


def retry_note(call: CallDetail) -> str | None:
    """What the call itself says about its retry family (the full family comes from /retries)."""
    attempt = call.retry_attempt_number or 0
    parts = []
    if attempt:
        parts.append(f"this is retry #{attempt}")
    elif call.retry_count:
        parts.append(f"retried {formats.plural(call.retry_count, 'time')}")
    if call.retry_call_id:
        parts.append(f"next attempt {call.retry_call_id}")
    return "; ".join(parts) or None


@dataclass(frozen=True)
class MetricRow:
    identifier: str
    kind: str | None
    """The metric's type, from the call's or its agent's disposition config."""
    value: str | None
    confidence: float | None = None


def metric_rows(call: CallDetail) -> list[MetricRow]:
    """The call's disposition metrics: from post-call analytics with their types, else the flat values."""
    analytics = call.post_call_analytics
    if analytics is None or not analytics.disposition_metrics:
        return [MetricRow(str(k), None, None if v is None else str(v)) for k, v in call.disposition_metrics.items()]
    types = {c.identifier: c.type for c in call.agent_disposition_config if c.identifier}
    if call.agent is not None:
        config = (call.agent.model_extra or {}).get("postCallAnalyticsConfig") or {}
        listed = config.get("dispositionMetrics") if isinstance(config, dict) else None
        for metric in listed if isinstance(listed, list) else []:
            if isinstance(metric, dict) and isinstance(metric.get("identifier"), str):
                kind = metric.get("dispositionMetricType")
                types.setdefault(metric["identifier"], kind if isinstance(kind, str) else None)
    return [
        MetricRow(m.identifier or "?", types.get(m.identifier or ""), m.value, m.confidence)
        for m in analytics.disposition_metrics
    ]


def _metrics(call: CallDetail, limit: int | None) -> str | None:
    rows = metric_rows(call)
    if not rows:
        return None
    if call.post_call_analytics is None or not call.post_call_analytics.disposition_metrics:
        return "\n".join(f"{clean(row.identifier)} = {clean(row.value)}" for row in rows)
    lines = []
    for row in rows[:limit]:
        confidence = f" (confidence {row.confidence:.2f})" if row.confidence is not None else ""
        lines.append(
            f"{clean(row.identifier)} [{clean(row.kind or 'type unknown')}] = "
            f"{clip(clean(row.value if row.value is not None else '-'), METRIC_VALUE_CHARS)}{confidence}"
        )
    if limit is not None and len(rows) > limit:
        more = len(rows) - limit
        lines.append(f"and {formats.plural(more, 'more metric')} (read {call_uri(clean(call.call_id or '?'))})")
    return "\n".join(lines)


def _latency(call: CallDetail) -> tuple[str, str | None] | None:
    report = latency_report(call)
    if report is None:
        return None
    summary = (
        f"{formats.plural(report.measured, 'agent reply', 'agent replies')} timed (from {report.source}): "
        f"avg {formats.millis(report.avg)}, median {formats.millis(report.median)}, p95 {formats.millis(report.p95)}, "
        f"min {formats.millis(report.minimum)}, max {formats.millis(report.maximum)}."
    )
    if report.unreadable:
        unreadable = formats.plural(report.unreadable, "latency value")
        summary += f" {unreadable} the API sent {'was' if report.unreadable == 1 else 'were'} not a number, left out."
    if report.components:
        shares = ", ".join(f"{name.upper()} {share:.0%}" for name, share in report.components.items())
        summary += f"\nWhere the time went (turn_latency events): {shares}."
    lines = transcript_lines(call)
    slow = []
    for turn in report.slowest:
        known = 0 < turn.turn_number <= len(lines)
        where = f"before {clip(lines[turn.turn_number - 1], 140)}" if known else "(turn unknown)"
        slow.append(f"{formats.millis(turn.latency_ms)} {where}")
    return summary, ("\n".join(slow) if slow else None)


def render_call(
    call: CallDetail,
    include: Iterable[Section] = SECTIONS,
    *,
    transcript_from: int = 1,
    family: str | None = None,
    whole: bool = False,
    standing: Standing = "unknown",
) -> str:
    """The condensed log. `whole` shows every turn and event (the resource view); else both are paged."""
    wanted = set(include)
    call_id = shown_id(call)
    out: list[str] = [f"Call {call_id}"]
    if call.status in LIVE_STATUSES and call.transcript:
        out.append(f'The call is live: watch_call(call_id="{call_id}") follows it as it happens.')
    if "overview" in wanted:
        out += ["", "## Overview", fence("overview", _overview(call, family or retry_note(call), whole))]
        if pointer := _agent_pointer(call, standing):
            out.append(pointer)
    if "transcript" in wanted:
        out += ["", *_transcript_section(call, transcript_from, whole)]
    if "events" in wanted:
        lines, omitted = timeline(
            call.timeline,
            call_start(call),
            call_end(call),
            None if whole else EVENT_LINES,
            None if whole else EVENTS_TOKENS,
            COUNTED if call.transcript else COUNTED_WITHOUT_TRANSCRIPT,
        )
        out += ["", _events_heading(call)]
        out.append(fence("events", "\n".join(lines)) if lines else "No events recorded.")
        if omitted:
            out.append(
                f"{formats.plural(omitted, 'more event line')} not shown; "
                f"read the resource {call_uri(call_id)} for all."
            )
    if "signals" in wanted:
        lines = signal_lines(signals(call))
        out += ["", SIGNALS_HEADING]
        out.append(fence("signals", "\n".join(lines)))
    if "metrics" in wanted:
        metrics = _metrics(call, None if whole else MAX_METRICS)
        out += ["", "## Disposition metrics"]
        out.append(fence("metrics", metrics) if metrics else "No post-call metrics for this call.")
    if "latency" in wanted:
        latency = _latency(call)
        out += ["", "## Turn latency"]
        if latency is None:
            out.append("No turn latency recorded for this call.")
        else:
            out.append(latency[0])
            if latency[1]:
                out += [
                    "Slowest turns (the agent line that followed the wait):",
                    fence("slow turns", latency[1]),
                ]
    return "\n".join(out)


def _events_heading(call: CallDetail) -> str:
    """How many events were sent, how many of them were a repeat of one (shown once), and how to read the times."""
    repeats = len(call.events) - len(call.timeline)
    again = f", {repeats} of them sent again (shown once)" if repeats > 0 else ""
    return f"## Events ({formats.plural(len(call.events), 'raw event')}{again}, condensed; [mm:ss.s] from call start)"


REBUILT = (
    "The call's record has no transcript: transcript rebuilt from events (each line timed when it was heard complete)."
)


def _transcript_section(call: CallDetail, first: int, whole: bool) -> Sequence[str]:
    call_id = shown_id(call)
    if not call.transcript:
        return ["## Transcript", no_transcript(call)]
    if whole:
        page = transcript_page(call, 1, max_turns=len(call.transcript), max_tokens=10**12)
    else:
        page = transcript_page(call, first)
    if page.first > page.total:
        return [
            "## Transcript",
            f"The transcript has {formats.plural(page.total, 'turn')}; transcript_from={page.first} is past its end.",
        ]
    heading = f"## Transcript (turns {page.first}-{page.last} of {page.total}; [mm:ss.s] from call start)"
    lines = [heading, *([REBUILT] if call.transcript_rebuilt else []), fence("transcript", page.text)]
    if page.next_turn is not None:
        lines.append(
            f"Transcript continues: {formats.plural(page.total - page.last, 'more turn')}. "
            f'Call get_log(call_id="{call_id}", '
            f'include=["transcript"], transcript_from={page.next_turn}), or read the resource '
            f"{transcript_uri(call_id)} for the whole transcript."
        )
    return lines


def render_transcript(call: CallDetail) -> str:
    """The whole transcript, every turn, for the transcript resource (`TRANSCRIPT_TEMPLATE`)."""
    call_id = shown_id(call)
    if not call.transcript:
        return f"Call {call_id}: {no_transcript(call)}"
    lines = transcript_lines(call)
    rebuilt = f"{REBUILT}\n" if call.transcript_rebuilt else ""
    heading = f"Transcript of call {call_id}: {formats.plural(len(lines), 'turn')}, [mm:ss.s] from call start.\n"
    return heading + rebuilt + fence("transcript", "\n".join(lines))


def render_family(call: CallDetail, family: Sequence[CallRow]) -> str | None:
    """The retry family on one line: each attempt's status and reason, this call marked."""
    if len(family) <= 1:
        return retry_note(call)
    parts = []
    for member in family:
        attempt = member.retry_attempt_number or 0
        label = "first attempt" if not attempt else f"retry #{attempt}"
        reason = member.call_failure_reason or member.disconnection_reason
        mark = " (this call)" if member.call_id == call.call_id else ""
        parts.append(f"{label} {member.call_id}{mark}: {member.status or '?'}" + (f" ({reason})" if reason else ""))
    return f"{formats.plural(len(family), 'attempt')}: " + "; ".join(parts)
