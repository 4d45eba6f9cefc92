"""`call_view_data` (app-only): one call as JSON for the call view; the model reads get_log instead."""

from __future__ import annotations

from typing import Any

from ..views.call_data import call_view_data
from .arguments import CallId
from .context import Ctx, failing_as_tool_error, state

DESCRIPTION = "The call view's data: one call as JSON (transcript, events, latency per reply, metrics)."


async def handler(ctx: Ctx, call_id: CallId) -> dict[str, Any]:
    with failing_as_tool_error(subject=f"Call {call_id}"):
        call = await state(ctx).calls.detail(call_id)
    return call_view_data(call)
