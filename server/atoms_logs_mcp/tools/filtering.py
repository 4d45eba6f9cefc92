"""The filter arguments of a tool call -> the API query and its window, with failures as tool errors."""

from __future__ import annotations

from mcp.server.mcpserver.exceptions import ToolError

from ..api.query import LogQuery
from ..domain.filters import Filters, build_query, window_of
from ..domain.timewindow import Window
from .context import AppContext, failing_as_tool_error


async def query_for(
    state: AppContext,
    filters: Filters,
    *,
    page: int = 1,
    limit: int = 20,
    sort_by: str | None = None,
    sort_order: str | None = None,
) -> tuple[LogQuery, Window]:
    try:
        window = window_of(filters, state.settings.timezone, state.clock())
    except ValueError as error:
        raise ToolError(str(error)) from None
    agent_ids: tuple[str, ...] = ()
    if filters.agents:
        with failing_as_tool_error():
            agent_ids = await state.agents.resolve(filters.agents)
    query = build_query(filters, window, agent_ids, page=page, limit=limit, sort_by=sort_by, sort_order=sort_order)
    return query, window
