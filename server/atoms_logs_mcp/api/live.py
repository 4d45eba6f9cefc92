"""An active call's live events (`GET /events?callId=`, Server-Sent Events), read with httpx-sse.

Bounded in size (frames over MAX_FRAME_CHARS are skipped and counted, a stream over MAX_STREAM_BYTES is
closed) and in time by the caller, who cancels when it has listened long enough. A stream that drops before
the call ends is opened once more with `Last-Event-ID` (the standard SSE header) naming the last event read,
and every event id already read is dropped, so a server that replays from the start repeats nothing and one
that honours the header loses nothing.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from httpx_sse import EventSource, SSEError

from .client import AtomsClient
from .errors import BadRequestError, UnreadableResponseError
from .redact import redact

MAX_FRAME_CHARS = 64_000
MAX_STREAM_BYTES = 16_000_000
RESUMES = 1
LIFECYCLE = ("sse_init", "sse_close")
ENDED = ("call_end", "sse_close", "call_cancelled")


class CallNotLive(Exception):
    """The API refused the stream with a 400: the call is not active (it ended, or never started)."""

    def __init__(self, error: BadRequestError) -> None:
        self.error = error
        super().__init__(str(error))


@dataclass
class Listening:
    """What a listener knows about its stream so far."""

    last_event_id: str | None = None
    seen: set[str] = field(default_factory=set)
    resumed: int = 0
    dropped: bool = False
    """The stream dropped and could not be resumed (RESUMES used up, or the resume failed)."""
    ended: bool = False
    """The call ended (`call_end`, `sse_close` or `call_cancelled` arrived)."""
    skipped: int = 0
    """Frames that were not a JSON object, or too large to read."""
    too_large: bool = False


def _kind(frame: dict[str, Any]) -> str:
    kind = frame.get("event_type") or frame.get("eventType")
    return kind if isinstance(kind, str) else ""


def _identity(frame: dict[str, Any]) -> str:
    """The event's id; for an event without one, its whole content (the same event sent twice is equal)."""
    ident = frame.get("event_id")
    return ident if isinstance(ident, str) and ident else json.dumps(frame, sort_keys=True, default=str)


async def _frames(response: httpx.Response, listening: Listening) -> AsyncIterator[dict[str, Any]]:
    try:
        async for message in EventSource(response).aiter_sse():
            if response.num_bytes_downloaded > MAX_STREAM_BYTES:
                listening.too_large = True
                return
            try:
                frame = json.loads(message.data) if 0 < len(message.data) <= MAX_FRAME_CHARS else None
            except ValueError:
                frame = None
            if isinstance(frame, dict):
                yield frame
            elif message.data:
                listening.skipped += 1
    except SSEError:
        kind = response.headers.get("content-type", "no content type")
        raise UnreadableResponseError(
            f"The Atoms API answered the live-event stream with {kind}, not text/event-stream",
            operation="GET /events",
            status=response.status_code,
        ) from None


async def listen(
    client: AtomsClient,
    call_id: str,
    listening: Listening,
    on_frame: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    """Pass each new event of the call to `on_frame` until the call ends or the stream is lost; the caller
    cancels to stop sooner. Raises CallNotLive when the API refuses the stream, AtomsAPIError otherwise."""
    while True:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if listening.last_event_id:
            headers["Last-Event-ID"] = listening.last_event_id
        try:
            async with client.open_stream("events", params={"callId": call_id}, headers=headers) as response:
                async for frame in _frames(response, listening):
                    await _take(frame, client, listening, on_frame)
                    if listening.ended:
                        return
            if listening.too_large:
                return
        except BadRequestError as error:
            raise CallNotLive(error) from None
        except (httpx.RemoteProtocolError, httpx.ReadError):
            pass  # dropped mid-stream: resumed below
        if listening.resumed >= RESUMES:
            listening.dropped = True
            return
        listening.resumed += 1


async def _take(
    frame: dict[str, Any],
    client: AtomsClient,
    listening: Listening,
    on_frame: Callable[[dict[str, Any]], Awaitable[None]],
) -> None:
    kind = _kind(frame)
    if kind in ENDED:
        listening.ended = True
    if kind in LIFECYCLE:
        return
    identity = _identity(frame)
    if identity in listening.seen:
        return
    listening.seen.add(identity)
    if isinstance(frame.get("event_id"), str):
        listening.last_event_id = frame["event_id"]
    await on_frame(redact(frame) if client.settings.redact_phones else frame)
