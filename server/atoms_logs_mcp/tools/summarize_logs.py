"""`summarize_logs`: counts and percentiles over every call of a window."""

from __future__ import annotations

from typing import Any

from mcp.server import MCPServer

from ..domain.filters import Filters, slow_query
from ..domain.summarize import summarize_window
from ..render.rows import filter_header
from ..render.summary import render_summary
from .apps import view_of
from .arguments import GroupBy, MaxCalls, with_filters
from .context import READ_ONLY, Ctx, failing_as_tool_error, progress_reporter, state
from .filtering import query_for

DESCRIPTION = """Count and measure calls over a whole window: groups, percentiles, cost, retry outcomes.

Use it first for questions about many calls ("why did calls fail this week?", "which agent drops most calls?"):
it reads every matching call (not a sample), up to a ceiling it reports, and answers with compact tables that
give up to three example call ids per group for get_log. Same filters as list_logs.
Example: summarize_logs(statuses=["failed", "no_answer"], since="7d", group_by=["disconnect_reason", "agent"])"""


def register(server: MCPServer[Any]) -> None:
    @server.tool(
        annotations=READ_ONLY, structured_output=False, description=DESCRIPTION, meta=view_of("summarize_logs")
    )
    @with_filters
    async def summarize_logs(
        ctx: Ctx,
        group_by: GroupBy = ["status"],  # noqa: B006 - pydantic copies defaults
        max_calls: MaxCalls = None,
        **arguments: Any,
    ) -> str:
        filters = Filters.take(arguments)
        app = state(ctx)
        query, window = await query_for(app, filters)
        names = await app.agents.names()

        with failing_as_tool_error(slow_query=slow_query(query)):
            summary = await summarize_window(
                app.client,
                query,
                group_by=group_by,
                zone=window.zone,
                agent_names=names,
                ceiling=min(max_calls or app.settings.scan_ceiling, app.settings.scan_ceiling),
                concurrency=app.settings.scan_concurrency,
                progress=progress_reporter(ctx, "read"),
            )
        header = filter_header(query, window, names, sort=False)
        return render_summary(summary.stats, summary.scan, header, summary.retries)
