"""Live calls: `GET /events?callId=` replays an active call's own turns and events as Server-Sent Events.

A call in an active status is "happening now" from the first time someone listens to it: its events and
transcript turns are sent at the pace they happened (divided by `speed`, for tests), in the frame shapes
NOTES records from the live API (`data: <json>` with `event_type`, `event_id`, `call_id`, `source` and an
epoch-second float `timestamp`; `sse_init` / `sse_close` with an ISO `event_time`). When the replay reaches
its end the call is over: the stream sends `call_end` and `sse_close`, and from then on the call answers as
completed.

The timeline is shared by every listener of a call, so a listener that reconnects hears the call where it
is now. A reconnect with the standard `Last-Event-ID` header first gets what was sent after that event (the
sandbox keeps the whole script); whether the live API replays that way is not documented.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio

from ..api.query import LIVE_STATUSES
from .conversation import iso
from .live_shapes import SOURCE
from .store import Call, record_moment

SPEECH_KINDS = {"user_transcription", "tts_completed"}
SPOKEN = ("tts_text", "user_transcription_text", "text")
"""Where a speech frame's words are (the spec's fields, or a plain `text` as other datasets write it)."""
END_PAUSE_S = 2.0
"""How long after its last event a replayed call ends."""


@dataclass(frozen=True)
class Frame:
    at: float
    """Seconds after the call's first event."""
    body: dict[str, Any]

    @property
    def event_id(self) -> str:
        return str(self.body.get("event_id", ""))

    def encoded(self) -> bytes:
        return f"data: {json.dumps(self.body, ensure_ascii=False, separators=(',', ':'))}\n\n".encode()


def _frame_id(call_id: str, index: int) -> str:
    return "evt_" + hashlib.sha256(f"{call_id}/{index}".encode()).hexdigest()[:16]


def _event_frames(record: Mapping[str, Any], call_id: str, created: datetime) -> list[tuple[float, dict[str, Any]]]:
    """The record's own events as frames: `event_type` named as the spec does, times as epoch seconds."""
    frames: list[tuple[float, dict[str, Any]]] = []
    last = created.timestamp()
    for index, raw in enumerate(record.get("events") or []):
        if not isinstance(raw, dict):
            continue
        body = {key: value for key, value in raw.items() if key != "eventType"}
        body["event_type"] = raw.get("event_type") or raw.get("eventType") or "unknown"
        moment = record_moment(raw.get("timestamp"))
        last = moment.timestamp() if moment else last  # an event without a time happens with the one before
        body["timestamp"] = round(last, 3)
        body.setdefault("event_id", _frame_id(call_id, index))
        body.setdefault("call_id", call_id)
        body.setdefault("source", SOURCE)
        frames.append((last, body))
    return frames


def _speech_frames(record: Mapping[str, Any], call_id: str, created: datetime) -> list[tuple[float, dict[str, Any]]]:
    """The transcript as the stream speaks it: the language model's reply and the agent's speech, or the caller's
    interim then final transcription."""
    frames: list[tuple[float, dict[str, Any]]] = []
    last = created.timestamp()
    for index, turn in enumerate(record.get("transcript") or []):
        if not isinstance(turn, dict) or not isinstance(turn.get("content"), str):
            continue
        moment = record_moment(turn.get("timestamp"))
        last = moment.timestamp() if moment else last + 1.0
        text, ident = turn["content"], f"{call_id}/turn{index}"
        if turn.get("role") == "agent":
            parts = [("llm_full_response_end", {"llm_text": text}), ("tts_completed", {"tts_text": text})]
        else:
            half = " ".join(text.split()[: max(1, len(text.split()) // 2)])
            parts = [
                ("user_interim_transcription", {"interim_transcription_text": half}),
                ("user_transcription", {"user_transcription_text": text}),
            ]
        for step, (kind, fields) in enumerate(parts):
            at = last - 0.2 * (len(parts) - 1 - step)
            body = {"event_type": kind, "event_id": _frame_id(ident, step), "timestamp": round(at, 3)}
            frames.append((at, {**body, "call_id": call_id, "source": SOURCE, **fields}))
    return frames


def script(call: Call) -> list[Frame]:
    """Everything a live call will send, in order: its events, its transcript spoken (unless its events already
    carry the speech), then `call_end` if the record has none."""
    record, call_id = call.record, call.call_id
    timed = _event_frames(record, call_id, call.created)
    if not any(body["event_type"] in SPEECH_KINDS for _, body in timed):
        timed += _speech_frames(record, call_id, call.created)
    timed.sort(key=lambda item: item[0])
    if not any(body["event_type"] == "call_end" for _, body in timed):
        emitted = sum(1 for _, body in timed if body.get("source") == SOURCE)
        end = (timed[-1][0] if timed else call.created.timestamp()) + END_PAUSE_S
        body = {
            "event_type": "call_end",
            "event_id": _frame_id(call_id, -1),
            "timestamp": round(end, 3),
            "call_id": call_id,
            "source": SOURCE,
            "metadata": {
                "call_status": "completed",
                "diagnostics": {"schema": 1, "counts": {"events_emitted": emitted}},
            },
        }
        timed.append((end, body))
    first = timed[0][0]
    return [Frame(at - first, body) for at, body in timed]


def _lifecycle(kind: str) -> bytes:
    body = {"event_type": kind, "event_time": iso(datetime.now(UTC))}
    return f"data: {json.dumps(body)}\n\n".encode()


class CutStream(Exception):
    """A fault: the stream is abandoned half-way, as a dropped connection."""


class LiveCalls:
    """The sandbox's live calls: when each started being heard, which have ended, and what was sent when.

    A call that ends is completed everywhere (detail, list, search, retries): its record's status is set to
    `completed`, and put back by `configure` (which starts every live call afresh). `on_change` is called whenever
    a status changes so (the store's filtered lists are then out of date)."""

    def __init__(self, speed: float = 1.0, on_change: Callable[[], None] = lambda: None) -> None:
        self._restore: dict[str, tuple[MutableMapping[str, Any], Any]] = {}
        self._on_change = on_change
        self.configure(speed)

    def configure(self, speed: float) -> None:
        if not speed > 0:
            raise ValueError("speed must be above 0")
        for record, status in self._restore.values():
            record["status"] = status
        if self._restore:
            self._on_change()
        self.speed = speed
        self._restore = {}
        self._started: dict[str, tuple[float, Call]] = {}
        self._scripts: dict[str, list[Frame]] = {}
        self.sent: deque[dict[str, Any]] = deque(maxlen=5000)
        """Each frame sent: call, event id, type, spoken text, and the wall-clock time it went out."""

    @property
    def ended(self) -> list[str]:
        return sorted(self._restore)

    def is_live(self, call: Call) -> bool:
        self.settle()
        return call.record.get("status") in LIVE_STATUSES

    def settle(self) -> None:
        """End the calls whose replay is over by the clock (whether or not anyone heard the end)."""
        now = anyio.current_time()
        for call_id, (started, call) in self._started.items():
            frames = self._scripts[call_id]
            if call_id not in self._restore and (now - started) * self.speed > frames[-1].at + 1:
                self._end(call)

    def _end(self, call: Call) -> None:
        if call.call_id not in self._restore and isinstance(call.record, MutableMapping):
            self._restore[call.call_id] = (call.record, call.record.get("status"))
            call.record["status"] = "completed"
            self._on_change()

    async def stream(self, call: Call, last_event_id: str | None, cut_after: int | None) -> AsyncIterator[bytes]:
        """The frames of one listener: `sse_init`, then the call from now (or from after `last_event_id`)."""
        if call.call_id not in self._scripts:
            self._scripts[call.call_id] = script(call)
        frames = self._scripts[call.call_id]
        first_listener = call.call_id not in self._started
        started = self._started.setdefault(call.call_id, (anyio.current_time(), call))[0]
        ids = [frame.event_id for frame in frames]
        if last_event_id in ids:
            index = ids.index(last_event_id) + 1
        elif first_listener:
            index = 0
        else:  # a new listener hears the call from where it is now
            elapsed = (anyio.current_time() - started) * self.speed
            index = next((i for i, frame in enumerate(frames) if frame.at >= elapsed), len(frames))
        yield _lifecycle("sse_init")
        for count, frame in enumerate(frames[index:], start=1):
            wait = started + frame.at / self.speed - anyio.current_time()
            if wait > 0:
                await anyio.sleep(wait)
            self._log(call, frame)
            yield frame.encoded()
            if cut_after is not None and count >= cut_after:
                raise CutStream
        self._end(call)
        yield _lifecycle("sse_close")

    def _log(self, call: Call, frame: Frame) -> None:
        body = frame.body
        said = next((body[key] for key in SPOKEN if isinstance(body.get(key), str)), None)
        entry = {"call_id": call.call_id, "event_id": frame.event_id, "type": body["event_type"], "said": said}
        self.sent.append({**entry, "sent_at": time.time()})
