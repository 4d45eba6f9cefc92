"""A live call as `watch_call` shows it: the lines heard, the condensed events, how the call stands, and the
exact call that continues the watch."""

from __future__ import annotations

from ..api.event_fields import EventKind
from ..api.live import Listening
from ..api.models import CallDetail
from ..domain.live_watch import NOT_STARTED, LiveLine, LiveWatch
from . import formats
from .call import shown_id, turn_line
from .events import timeline
from .untrusted import clean, clip, fence

PROGRESS_CHARS = 200
LIVE_COUNTED: dict[str, str] = {
    EventKind.USER_TRANSCRIPTION: "caller lines (see Live transcript)",
    EventKind.TTS_COMPLETED: "agent lines (see Live transcript)",
    EventKind.USER_INTERIM_TRANSCRIPTION: "interim transcriptions",
    EventKind.LLM_FULL_RESPONSE_END: "language-model replies",
    EventKind.METRICS: "pipeline metrics",
}


def line_text(line: LiveLine, watch: LiveWatch) -> str:
    """`#3 [00:12.4] Agent: text`, as get_log writes a transcript turn."""
    return turn_line(line.number, watch.offset(line.at), line.speaker, line.text)


def _heard(watch: LiveWatch) -> str:
    return fence("live transcript", "\n".join(line_text(line, watch) for line in watch.lines))


def progress_text(line: LiveLine, watch: LiveWatch) -> str:
    return clip(line_text(line, watch), PROGRESS_CHARS)


def not_live(call: CallDetail) -> str:
    """The answer for a call that cannot be watched: it ended, or has not started."""
    call_id, status = shown_id(call), clean(call.status or "unknown")
    if call.status in NOT_STARTED:
        return (
            f"Call {call_id} has not started yet (status {status}): there is nothing to hear until it connects. "
            f'Try watch_call(call_id="{call_id}") again in a few seconds.'
        )
    return (
        f"Call {call_id} is not live (status {status}): it has ended, so there is nothing to watch. "
        f'Read the whole call with get_log(call_id="{call_id}").'
    )


def refused_stream(call: CallDetail, message: str | None) -> str:
    """The API answered 400 to the stream of a call its detail calls live: it has just ended, or it is refused."""
    call_id = shown_id(call)
    said = f": {clip(clean(message), 200)}" if message else ""
    return (
        f"Call {call_id} could not be watched: the API refused its live stream (HTTP 400{said}); only active calls "
        f'can be watched, so it has most likely just ended. Read it with get_log(call_id="{call_id}").'
    )


def render_watch(call: CallDetail, watch: LiveWatch, listening: Listening, seconds: float, lost: str | None) -> str:
    call_id = shown_id(call)
    out = [f"Call {call_id}, watched live for up to {seconds:g} s."]
    out += ["", _transcript(watch), "", *_events(watch), "", *_notes(listening, lost)]
    out.append(_next_step(call_id, watch, listening, lost))
    return "\n".join(line for line in out if line is not None).replace("\n\n\n", "\n\n")


def heard_so_far(watch: LiveWatch) -> str:
    """For the call resources while the call is live: what the latest watch has heard."""
    heading = f"## Heard live by watch_call ({formats.plural(len(watch.lines), 'line')} so far)"
    if not watch.lines:
        return heading + "\nNothing yet."
    return heading + "\n" + _heard(watch)


def _transcript(watch: LiveWatch) -> str:
    if not watch.lines:
        return "## Live transcript\nNothing was said while watching."
    heading = (
        f"## Live transcript ({formats.plural(len(watch.lines), 'line')} heard, numbered in this watch; "
        "[mm:ss.s] from call start)"
    )
    return heading + "\n" + _heard(watch)


def _events(watch: LiveWatch) -> list[str]:
    ended = watch.ended.at if watch.ended else None
    lines, omitted = timeline(watch.events, watch.start, ended, limit=60, counted_kinds=LIVE_COUNTED)
    if not lines:
        return ["## Events", "No events arrived while watching."]
    out = ["## Events (condensed; [mm:ss.s] from call start)", fence("live events", "\n".join(lines))]
    if omitted:
        out.append(f"{formats.plural(omitted, 'more event line')} not shown.")
    return out


def _notes(listening: Listening, lost: str | None) -> list[str]:
    notes = []
    if listening.resumed:
        notes.append(
            "The stream dropped and was reopened, asking for the events after the last one read; no event is shown "
            "twice. If the API does not replay what it sent meanwhile, events of that moment are missing."
        )
    if listening.dropped:
        notes.append("The stream dropped again and was not resumed: events after the last one shown may be missing.")
    if lost:
        notes.append(f"The stream was lost: {lost}")
    if listening.skipped:
        notes.append(f"{formats.plural(listening.skipped, 'frame')} could not be read (not JSON, or too large).")
    if listening.too_large:
        notes.append("The stream sent more than this server reads in one watch; it was closed.")
    return notes


def _next_step(call_id: str, watch: LiveWatch, listening: Listening, lost: str | None) -> str:
    if watch.ended is not None or (listening.ended and not lost):
        status = clean(watch.end_status or "ended")
        at = watch.offset(watch.ended.at) if watch.ended else None
        when = f" at [{formats.offset(at)}]" if at is not None else ""
        return (
            f"The call ended{when} (status {status}). "
            f'Read the whole call with get_log(call_id="{call_id}") once its analytics arrive.'
        )
    if listening.last_event_id is None:
        return f'The call is still live. Keep watching: watch_call(call_id="{call_id}").'
    after = clean(listening.last_event_id)
    return (
        f'The call is still live. Continue from the last event: watch_call(call_id="{call_id}", after_event="{after}")'
    )
