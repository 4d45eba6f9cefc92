"""An active call's live events (`GET /events?callId=`, Server-Sent Events), read with httpx-sse.

Bounded in size before parsing (a line longer than MAX_LINE_CHARS or a stream over MAX_STREAM_BYTES closes
the stream; a frame over MAX_FRAME_CHARS, or one that is not a JSON object, is skipped and counted) and in time
by the caller, who cancels when it has listened long enough and bounds how long opening may take. A stream
that drops before the call ends is opened once more with `Last-Event-ID` (the standard SSE header) naming the
last event read, and every event already read is dropped, so a server that replays from the start repeats
nothing and one that honours the header loses nothing. Event ids are read as `read_event` reads them
(`event_id` or `eventId`, text or a number); only a plain id (EVENT_ID) is sent back or offered to continue.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from contextlib import aclosing
from dataclasses import dataclass, field
from typing import Any, cast

import httpx
from httpx_sse import EventSource, SSEError

from .client import AtomsClient
from .errors import BadRequestError, UnreadableResponseError
from .events import read_event
from .redact import redact

MAX_FRAME_CHARS = 64_000
MAX_LINE_CHARS = 2 * MAX_FRAME_CHARS
MAX_STREAM_BYTES = 16_000_000
RESUMES = 1
EVENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,200}")
"""An event id this server sends back (Last-Event-ID) or offers as `after_event`; others are only deduplicated."""
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


def _identity(event_id: str | None, frame: dict[str, Any]) -> str:
    """The event's id; for an event without one, its whole content (the same event sent twice is equal)."""
    return f"id:{event_id}" if event_id else json.dumps(frame, sort_keys=True, default=str)


class _Bounded:
    """The response as httpx-sse reads it (its headers and text), ended before a line or the whole stream grows
    past its bound, so nothing unbounded is ever held."""

    def __init__(self, response: httpx.Response, listening: Listening) -> None:
        self.headers, self._response, self._listening = response.headers, response, listening

    async def aiter_text(self) -> AsyncIterator[str]:
        open_line = 0  # characters since the last line break
        async for text in self._response.aiter_text():
            cut = max(text.rfind("\n"), text.rfind("\r"))
            open_line = len(text) - cut - 1 if cut >= 0 else open_line + len(text)
            if open_line > MAX_LINE_CHARS or self._response.num_bytes_downloaded > MAX_STREAM_BYTES:
                self._listening.too_large = True
                return
            yield text


async def _frames(response: httpx.Response, listening: Listening) -> AsyncGenerator[dict[str, Any], None]:
    source = EventSource(cast(httpx.Response, _Bounded(response, listening)))
    try:
        async for message in source.aiter_sse():
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
    open_within: float | None = None,
) -> None:
    """Pass each new event of the call to `on_frame` until the call ends or the stream is lost; the caller
    cancels to stop sooner. Opening (retries included) takes at most `open_within` seconds. Raises CallNotLive
    when the API refuses the stream (400), AtomsAPIError when it cannot be opened."""
    while True:
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if listening.last_event_id:
            headers["Last-Event-ID"] = listening.last_event_id
        try:
            stream = client.open_stream("events", params={"callId": call_id}, headers=headers, within=open_within)
            async with stream as response, aclosing(_frames(response, listening)) as frames:
                async for frame in frames:
                    await _take(frame, client, listening, on_frame)
                    if listening.ended:
                        return
            if listening.too_large:
                return
        except BadRequestError as error:
            raise CallNotLive(error) from None
        except (httpx.TransportError, httpx.DecodingError):
            pass  # dropped (or garbled) mid-stream: resumed below
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
    event = read_event(frame)
    if event.kind in ENDED:
        listening.ended = True
    if event.kind in LIFECYCLE:
        return
    identity = _identity(event.event_id, frame)
    if identity in listening.seen:
        return
    listening.seen.add(identity)
    if event.event_id and EVENT_ID.fullmatch(event.event_id):
        listening.last_event_id = event.event_id
    await on_frame(redact(frame) if client.settings.redact_phones else frame)
