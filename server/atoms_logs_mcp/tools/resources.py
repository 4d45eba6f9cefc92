"""The call resources (their addresses in `domain.call_uris`): a call's transcript (every turn) and its whole
condensed log, unpaged."""

from __future__ import annotations

from typing import Any

from mcp.server import MCPServer

from ..api.models import CallDetail
from ..domain.call_uris import CALL_TEMPLATE, TRANSCRIPT_TEMPLATE
from ..domain.live_watch import LIVE_STATUSES
from ..render.call import render_call, render_family, render_transcript
from ..render.live import heard_so_far
from .context import Ctx, failing_as_resource_error, state


def register(server: MCPServer[Any]) -> None:
    @server.resource(
        TRANSCRIPT_TEMPLATE,
        name="call_transcript",
        title="Call transcript",
        description="Every turn of one call's transcript, one line per turn, fenced as call content.",
        mime_type="text/plain",
    )
    async def transcript_resource(call_id: str, ctx: Ctx) -> str:
        with failing_as_resource_error(call_id):
            call = await state(ctx).calls.detail(call_id)
        return render_transcript(call) + _heard_live(ctx, call)

    @server.resource(
        CALL_TEMPLATE,
        name="call_log",
        title="Call log",
        description="One call's whole condensed log: overview, every transcript turn and event, metrics, latency.",
        mime_type="text/plain",
    )
    async def call_resource(call_id: str, ctx: Ctx) -> str:
        app = state(ctx)
        with failing_as_resource_error(call_id):
            call = await app.calls.detail(call_id)
            family = render_family(call, await app.calls.family(call))
        standing = await app.catalogs.standing(call.agent_id, call.version_id)
        return render_call(call, whole=True, family=family, standing=standing) + _heard_live(ctx, call)


def _heard_live(ctx: Ctx, call: CallDetail) -> str:
    """While a call is live, its resources add what watch_call has heard (subscribers are told when that grows)."""
    watch = state(ctx).watches.get(call.call_id or "") if call.status in LIVE_STATUSES else None
    return "\n\n" + heard_so_far(watch) if watch is not None else ""
