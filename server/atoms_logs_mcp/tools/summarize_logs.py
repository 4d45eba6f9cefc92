"""`summarize_logs`: counts and percentiles over every call of a window."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from mcp.server import MCPServer

from ..domain.filters import Filters
from ..render.rows import filter_header
from ..render.summary import render_summary
from .apps import view_of
from .arguments import GroupBy, MaxCalls, with_filters
from .context import READ_ONLY, Ctx
from .summarizing import summarize

TITLE = "Summarize calls"
DESCRIPTION = """Count and measure calls over a whole window: groups, percentiles, cost, retry outcomes.

Use it first for questions about many calls ("why did calls fail this week?"): it reads every matching call,
not a sample.
Example: summarize_logs(statuses=["failed"], since="7d", group_by=["disconnect_reason", "agent"])"""


def register(server: MCPServer[Any]) -> None:
    @server.tool(
        annotations=READ_ONLY,
        structured_output=False,
        title=TITLE,
        description=DESCRIPTION,
        meta=view_of("summarize_logs"),
    )
    @with_filters
    async def summarize_logs(
        ctx: Ctx,
        group_by: GroupBy = ["status"],  # noqa: B006 - pydantic copies defaults
        max_calls: MaxCalls = None,
        **arguments: Any,
    ) -> str:
        read = await summarize(ctx, Filters.take(arguments), group_by, max_calls)
        header = filter_header(read.query, read.window, read.agent_names, sort=False, versions=read.versions)
        summary = read.summary
        asked = replace(summary.stats, groups={key: summary.stats.groups[key] for key in dict.fromkeys(group_by)})
        return render_summary(asked, summary.scan, header, summary.retries)
