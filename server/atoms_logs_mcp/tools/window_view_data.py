"""`window_view_data` (app-only): a window of calls as JSON for the window view; the model reads summarize_logs."""

from __future__ import annotations

from typing import Any

from mcp.server.apps import Apps

from ..domain.filters import Filters, slow_query
from ..domain.summarize import summarize_window
from ..render.rows import describe_filters
from ..views.window_data import GROUPS, window_view_data
from .arguments import MaxCalls, with_filters
from .context import READ_ONLY, Ctx, failing_as_tool_error, progress_reporter, state
from .filtering import query_for

DESCRIPTION = "The window view's data: counts by status, reason and hour and percentiles, as JSON."


def register(apps: Apps, view: str) -> None:
    @with_filters
    async def window_view_data_tool(ctx: Ctx, max_calls: MaxCalls = None, **arguments: Any) -> dict[str, Any]:
        filters = Filters.take(arguments)
        app = state(ctx)
        query, window = await query_for(app, filters)
        names = await app.agents.names()
        with failing_as_tool_error(slow_query=slow_query(query)):
            summary = await summarize_window(
                app.client,
                query,
                group_by=GROUPS,
                zone=window.zone,
                agent_names=names,
                ceiling=min(max_calls or app.settings.scan_ceiling, app.settings.scan_ceiling),
                concurrency=app.settings.scan_concurrency,
                progress=progress_reporter(ctx, "read"),
                retries=False,
            )
        return window_view_data(summary, f"Filters: {describe_filters(query, names)}. Window: {window.describe()}.")

    apps.tool(
        resource_uri=view,
        visibility=["app"],
        name="window_view_data",
        description=DESCRIPTION,
        annotations=READ_ONLY,
        structured_output=True,
    )(window_view_data_tool)
