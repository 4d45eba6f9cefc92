"""The filter arguments of a tool call -> the API query, its window and what its versions mean, with failures as
tool errors."""

from __future__ import annotations

from typing import NamedTuple

from mcp.server.mcpserver.exceptions import ToolError

from ..api.query import LogQuery
from ..domain.filters import Filters, build_query, window_of
from ..domain.timewindow import Window
from ..domain.version_names import VersionChoice
from .context import AppContext, failing_as_tool_error


class Asked(NamedTuple):
    query: LogQuery
    window: Window
    versions: VersionChoice
    """The `version_ids` as ids, with their labels and what each `vN` meant (for `render.rows.filter_header`)."""


async def query_for(
    state: AppContext,
    filters: Filters,
    *,
    page: int = 1,
    limit: int = 20,
    sort_by: str | None = None,
    sort_order: str | None = None,
) -> Asked:
    try:
        window = window_of(filters, state.settings.timezone, state.clock())
    except ValueError as error:
        raise ToolError(str(error)) from None
    agent_ids: tuple[str, ...] = ()
    versions = VersionChoice()
    with failing_as_tool_error():
        if filters.agents:
            agent_ids = await state.agents.resolve(filters.agents)
        if version_ids := filters.listed("version_ids"):
            versions = await state.catalogs.resolve(version_ids, agent_ids)
    query = build_query(
        filters, window, agent_ids, versions.ids, page=page, limit=limit, sort_by=sort_by, sort_order=sort_order
    )
    return Asked(query, window, versions)
