"""`watch_call`: follow a live call as it happens, line by line, for up to two minutes."""

from __future__ import annotations

from typing import Annotated, Any

import anyio
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from ..api.errors import AtomsError
from ..api.live import CallNotLive, Listening, listen
from ..domain.analysis import call_start
from ..domain.call_uris import call_uri, transcript_uri
from ..domain.live_watch import LIVE_STATUSES, LiveWatch
from ..render.failures import explain
from ..render.live import not_live, progress_text, refused_stream, render_watch
from .arguments import CallId, Guard
from .context import READ_ONLY, Ctx, failing_as_tool_error, state
from .subscriptions import Subscribers

TITLE = "Watch a live call"
DESCRIPTION = """Watch a live Atoms call: each line as spoken, tool calls and errors as they arrive.

Use it to debug an agent on a test call.
Example: watch_call(call_id="CALL-1737000000000-abc123", seconds=60)"""
Seconds = Annotated[float, Field(description="How long to listen (stops when the call ends).", gt=0, le=120)]
AfterEvent = Annotated[
    Annotated[str, Guard(min_length=1, max_length=200)] | None,
    Field(description="Continue after this event id (given by the previous watch)."),
]
NOTIFY_EVERY_S = 0.25
"""Resource-updated notifications for one call: at once for a new transcript line, else at most this often (a
change held back goes out with the next event, or at the end)."""
OPENING_SHARE = 0.8
"""Opening the stream (retries included) may take this share of `seconds`, so a stream that never opens is said."""


class _Notifier:
    """Tells subscribers that the call's resources changed, at most every NOTIFY_EVERY_S."""

    def __init__(self, ctx: Ctx, subscribers: Subscribers, call_id: str) -> None:
        self.ctx, self.subscribers = ctx, subscribers
        self.uris = (call_uri(call_id), transcript_uri(call_id))
        self.last = float("-inf")
        self.pending = False

    async def changed(self, *, line: bool) -> None:
        self.pending = True
        if line or anyio.current_time() - self.last >= NOTIFY_EVERY_S:
            await self.flush()

    async def flush(self) -> None:
        if self.pending:
            self.pending, self.last = False, anyio.current_time()
            for uri in self.uris:
                await self.subscribers.updated(self.ctx, uri)


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=READ_ONLY, structured_output=False, title=TITLE, description=DESCRIPTION)
    async def watch_call(ctx: Ctx, call_id: CallId, seconds: Seconds = 30, after_event: AfterEvent = None) -> str:
        app = state(ctx)
        with failing_as_tool_error(subject=f"Call {call_id}"):
            call = await app.calls.detail(call_id)
        if call.status not in LIVE_STATUSES:
            return not_live(call)
        watch, listening = LiveWatch(call_start(call)), Listening(last_event_id=after_event)
        app.watches.put(call_id, watch)
        notifier = _Notifier(ctx, app.subscribers, call_id)

        async def on_frame(frame: dict[str, Any]) -> None:
            line = watch.add(frame)
            if line is not None:
                await ctx.report_progress(line.number, None, progress_text(line, watch))
            await notifier.changed(line=line is not None)

        lost = None
        with anyio.move_on_after(seconds):
            try:
                await listen(app.client, call_id, listening, on_frame, open_within=seconds * OPENING_SHARE)
            except CallNotLive as refused:
                if not watch.events and not listening.resumed:
                    return refused_stream(call, refused.error.upstream_message)
                listening.ended = True  # it ended while the stream was down
            except AtomsError as error:
                if not watch.events:
                    raise ToolError(explain(error, subject=f"The live stream of call {call_id}")) from None
                lost = explain(error)
        notifier.pending = notifier.pending or listening.ended
        await notifier.flush()
        return render_watch(call, watch, listening, seconds, lost)
