"""Event fields read in one place: the event kinds, one alias list per field, and a typed reader for each.

Every name a field has been seen under is listed once, in the order it is looked for (the first name holding a
usable value wins); each name is looked for at the top level of the event, then inside `metadata`, `metrics`
and `context` (`CallEvent.get`). Domain and render read event fields only through these readers, so a name the
API starts sending is added here and read alike everywhere. A kind not listed in `EventKind` is still read: the
event keeps the raw string as its `kind`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .values import flag, json_object, number

if TYPE_CHECKING:
    from .events import CallEvent


class EventKind(StrEnum):
    """The event types: the live-event list of the spec, then those seen live beyond it (NOTES.md)."""

    SSE_INIT = "sse_init"
    CALL_START = "call_start"
    CALL_END = "call_end"
    TURN_LATENCY = "turn_latency"
    USER_INTERIM_TRANSCRIPTION = "user_interim_transcription"
    USER_TRANSCRIPTION = "user_transcription"
    TTS_COMPLETED = "tts_completed"
    METRICS = "metrics"
    AGENT_NODE_STATE = "agent_node_state"
    HOPPING = "hopping"
    KNOWLEDGEBASE = "knowledgebase"
    VARIABLE_EXTRACTION = "variable_extraction"
    PRE_CALL_API = "pre_call_api"
    POST_CALL_API = "post_call_api"
    AGENT_ERROR = "agent_error"
    AGENT_LOG = "agent_log"
    TOOL_CALL_START = "tool_call_start"
    TOOL_CALL_END = "tool_call_end"
    TOOL_CALL_ERROR = "tool_call_error"
    CALL_CANCELLED = "call_cancelled"
    CALL_RECORDING = "call_recording"
    SSE_CLOSE = "sse_close"
    # seen live beyond the spec's list
    CALL_QUEUED = "call_queued"
    TURN_OUTCOME = "turn_outcome"
    BARGE_IN = "barge_in"
    LLM_FULL_RESPONSE_END = "llm_full_response_end"
    CUSTOM_LOG = "agent.log"
    """A custom log event `{name, payload}`, not to be confused with `agent_log`."""


def kind_of(event: CallEvent) -> EventKind | None:
    """The event's kind when it is a known one; None for an unknown kind (whose raw string `event.kind` keeps)."""
    try:
        return EventKind(event.kind)
    except ValueError:
        return None


# The envelope (read by `read_event`) and the nested objects.
KIND = ("event_type", "eventType", "type")
EVENT_ID = ("event_id", "eventId")
TIME = ("timestamp", "event_time")
SOURCE = ("source",)
CALL_ID = ("call_id",)
NESTED = ("metadata", "metrics", "context")

# turn_latency and turn_outcome
TOTAL_TURN_MS = ("total_turn_ms", "turn_latency", "latency_ms", "latency")
LLM_MS = ("llm_api_ms",)
TTS_MS = ("tts_api_ms",)
STT_MS = ("stt_api_ms",)
TURN_INDEX = ("turn_index", "turn")
ATTEMPT = ("attempt",)
BARGE_IN_SEQ = ("barge_in_seq",)
OUTCOME = ("outcome",)
HOLD_OUTCOME = ("hold_outcome",)
# tool calls, pre/post-call API calls and knowledge-base lookups
TOOL_NAME = ("function_name", "tool_name", "name")
TOOL_CALL_ID = ("tool_call_id", "toolCallId")
LATENCY_MS = ("latency_ms", "latency", "duration_ms")
SUCCESS = ("success",)
ERROR = ("error",)
ERROR_WORDS = ("error", "message")
"""Inside an error sent as an object: the keys that hold its words."""
METHOD = ("method",)
# the call's end, its recording and its diagnostics
CALL_STATUS = ("call_status", "status")
END_REASON = ("reason", "end_reason")
DIAGNOSTICS = ("diagnostics",)
COUNTS = ("counts",)
EVENTS_EMITTED = ("events_emitted",)
RECORDING_STATUS = ("status",)
# logs, nodes and variables
MESSAGE = ("message",)
LOG_NAME = ("name",)
PAYLOAD = ("payload",)
FROM_NODE = ("from_node_id",)
TO_NODE = ("to_node_id",)
NODE = ("node_name", "node_id")
VARIABLES = ("variables",)
# speech heard live
USER_TEXT = ("user_transcription_text", "text", "transcript", "content")
AGENT_TEXT = ("tts_text", "text", "content")
IS_FINAL = ("is_final",)

FIELDS: dict[str, tuple[str, ...]] = {
    "kind": KIND,
    "event_id": EVENT_ID,
    "time": TIME,
    "source": SOURCE,
    "call_id": CALL_ID,
    "nested": NESTED,
    "total_turn_ms": TOTAL_TURN_MS,
    "llm_ms": LLM_MS,
    "tts_ms": TTS_MS,
    "stt_ms": STT_MS,
    "turn_index": TURN_INDEX,
    "attempt": ATTEMPT,
    "barge_in_seq": BARGE_IN_SEQ,
    "outcome": OUTCOME,
    "hold_outcome": HOLD_OUTCOME,
    "tool_name": TOOL_NAME,
    "tool_call_id": TOOL_CALL_ID,
    "latency_ms": LATENCY_MS,
    "success": SUCCESS,
    "error": ERROR,
    "error_words": ERROR_WORDS,
    "method": METHOD,
    "call_status": CALL_STATUS,
    "end_reason": END_REASON,
    "diagnostics": DIAGNOSTICS,
    "counts": COUNTS,
    "events_emitted": EVENTS_EMITTED,
    "recording_status": RECORDING_STATUS,
    "message": MESSAGE,
    "log_name": LOG_NAME,
    "payload": PAYLOAD,
    "from_node": FROM_NODE,
    "to_node": TO_NODE,
    "node": NODE,
    "variables": VARIABLES,
    "user_text": USER_TEXT,
    "agent_text": AGENT_TEXT,
    "is_final": IS_FINAL,
}
"""Every alias list above by field name: what tests/test_event_fields.py keeps out of the modules above the api."""


def all_fields(event: CallEvent) -> dict[str, Any]:
    """Every field the event carries, its own then those of its nested objects (a later one of the same name
    wins): for showing an event of a shape nothing here reads."""
    return {**event.fields, **{k: v for part in event.nested.values() for k, v in part.items()}}


def _first(event: CallEvent, names: tuple[str, ...]) -> Any:
    """The first of the names holding a value that is not empty, as sent (for showing, not for arithmetic)."""
    return next((value for name in names if (value := event.value(name))), None)


def total_turn_ms(event: CallEvent) -> float | None:
    """A turn's whole wait (ms): from the caller's last word to the agent's first."""
    return event.number(*TOTAL_TURN_MS)


def llm_ms(event: CallEvent) -> float | None:
    return event.number(*LLM_MS)


def tts_ms(event: CallEvent) -> float | None:
    return event.number(*TTS_MS)


def stt_ms(event: CallEvent) -> float | None:
    return event.number(*STT_MS)


PARTS = ("llm", "tts", "stt")


def latency_parts(event: CallEvent) -> dict[str, float | None]:
    """A turn's wait split into llm, tts and stt (ms), each None where the event does not say."""
    return {"llm": llm_ms(event), "tts": tts_ms(event), "stt": stt_ms(event)}


def turn_index(event: CallEvent) -> int | None:
    """The runtime's turn number (as its events count turns, not the transcript's)."""
    value = event.number(*TURN_INDEX)
    return round(value) if value is not None else None


def attempt(event: CallEvent) -> float | None:
    return event.number(*ATTEMPT)


SEQUENCE_NUMBERS = {"turn_index": TURN_INDEX, "attempt": ATTEMPT, "barge_in_seq": BARGE_IN_SEQ}
"""The numbers the runtime orders its records by: a turn's index and attempt, a barge-in's `barge_in_seq` (1 for
the first in the call)."""


def sequence_numbers(event: CallEvent, names: tuple[str, ...]) -> tuple[float, ...]:
    """The event's numbers of the named fields (`SEQUENCE_NUMBERS`), for ordering: a missing one counts as
    infinite, so a record without its number comes last."""
    return tuple(
        value if (value := event.number(*SEQUENCE_NUMBERS[name])) is not None else float("inf") for name in names
    )


def outcome(event: CallEvent) -> str | None:
    """A turn_outcome's outcome (`replied`, `interrupted`, `no_reply`, ...) as sent."""
    return event.text(*OUTCOME)


def hold_outcome(event: CallEvent) -> str | None:
    """A barge_in's hold outcome (`accepted` or `refused`) as sent."""
    return event.text(*HOLD_OUTCOME)


def tool_name(event: CallEvent) -> str | None:
    return event.text(*TOOL_NAME)


def tool_call_id(event: CallEvent) -> str | None:
    return event.text(*TOOL_CALL_ID)


def latency_ms(event: CallEvent) -> float | None:
    """How long a tool call, API call or knowledge-base lookup took (ms)."""
    return event.number(*LATENCY_MS)


def success(event: CallEvent) -> bool | None:
    return flag(event.value(*SUCCESS))


def error_value(event: CallEvent) -> Any:
    """The error as sent: text, an object, or None."""
    return event.value(*ERROR)


def error_text(event: CallEvent) -> str | None:
    """The error as one text: text as sent, an object as JSON; None when there is none."""
    error = error_value(event)
    if isinstance(error, str):
        return error
    return json.dumps(error, default=str) if error else None


def error_words(event: CallEvent) -> str | None:
    """The error's words: text as sent, an object's `error` or `message` (else the whole object, as text)."""
    error = error_value(event)
    if isinstance(error, Mapping):
        error = next((words for name in ERROR_WORDS if (words := error.get(name))), None) or error
    return str(error) if error else None


def _first_of(values: Mapping[str, Any], names: tuple[str, ...]) -> Any:
    """Inside an object the event carries: the first of the names holding a value (None is no value)."""
    return next((value for name in names if (value := values.get(name)) is not None), None)


def method(event: CallEvent) -> Any:
    return event.value(*METHOD)


def call_status(event: CallEvent) -> str | None:
    """How a call_end says the call ended (its status)."""
    return event.text(*CALL_STATUS)


def end_reason(event: CallEvent) -> str | None:
    return event.text(*END_REASON)


def diagnostics(event: CallEvent) -> Mapping[str, Any] | None:
    """A call_end's `diagnostics` object (objects or JSON text); None when it carries none."""
    value = event.value(*DIAGNOSTICS)
    found = json_object(value)
    return found if found or isinstance(value, Mapping) else None


def events_emitted(event: CallEvent) -> float | None:
    """A call_end's `diagnostics.counts.events_emitted`: how many events the runtime sent (objects or JSON text)."""
    diagnostics = json_object(event.value(*DIAGNOSTICS))
    counts = json_object(_first_of(diagnostics, COUNTS))
    return number(_first_of(counts, EVENTS_EMITTED))


def recording_status(event: CallEvent) -> Any:
    return event.value(*RECORDING_STATUS)


def metadata(event: CallEvent) -> Mapping[str, Any]:
    """The event's `metadata` object ({} when it has none or it could not be read)."""
    return event.nested.get(NESTED[0]) or {}


def message(event: CallEvent) -> Any:
    return event.value(*MESSAGE)


def log_name(event: CallEvent) -> str | None:
    """A custom `agent.log` event's name."""
    return event.text(*LOG_NAME)


def payload(event: CallEvent) -> Any:
    return event.value(*PAYLOAD)


def from_node(event: CallEvent) -> Any:
    return event.value(*FROM_NODE)


def to_node(event: CallEvent) -> Any:
    return event.value(*TO_NODE)


def node(event: CallEvent) -> Any:
    """The node an agent_node_state names: its name, else its id."""
    return _first(event, NODE)


def variables(event: CallEvent) -> Any:
    return event.value(*VARIABLES)


def user_text(event: CallEvent) -> str | None:
    """What the caller said, in a user_transcription."""
    return event.text(*USER_TEXT)


def agent_text(event: CallEvent) -> str | None:
    """What the agent finished saying, in a tts_completed."""
    return event.text(*AGENT_TEXT)


def is_final(event: CallEvent) -> bool | None:
    """Whether a transcription is final, when the event says so with a boolean."""
    value = event.value(*IS_FINAL)
    return value if isinstance(value, bool) else None
