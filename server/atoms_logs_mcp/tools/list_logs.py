"""`list_logs`: one page of calls matching the filters, one compact row per call."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server import MCPServer
from pydantic import Field

from ..api.models import LogPage
from ..domain.filters import Filters, slow_query
from ..domain.replica.reads import Lister, ReplicaLister
from ..render.listing import render_log_page
from ..render.replica import replica_source
from ..render.rows import filter_header
from .arguments import Guard, Order, SortBy, with_filters
from .context import READ_ONLY, Ctx, failing_as_tool_error, state
from .filtering import query_for
from .sources import read_either, scans_history

TITLE = "List calls"
DESCRIPTION = """List Atoms calls with filters, newest update first, one compact row each.

Use it to find calls and their ids; for counts over many calls use summarize_logs, not paging.
Example: list_logs(statuses=["failed"], call_types=["telephony_outbound"], since="yesterday")"""


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=READ_ONLY, structured_output=False, title=TITLE, description=DESCRIPTION)
    @with_filters
    async def list_logs(
        ctx: Ctx,
        sort_by: SortBy = None,
        sort_order: Order = None,
        page: Annotated[Annotated[int, Guard(ge=1, le=100_000)], Field(description="Page number, from 1.")] = 1,
        limit: Annotated[int, Field(description="Calls per page.", ge=1, le=100)] = 20,
        **arguments: Any,
    ) -> str:
        filters = Filters.take(arguments)
        app = state(ctx)
        query, window, versions = await query_for(
            app, filters, page=page, limit=limit, sort_by=sort_by, sort_order=sort_order
        )

        async def read_from(source: Lister) -> tuple[Lister, LogPage]:
            return source, await source.list_logs(query)

        with failing_as_tool_error(slow_query=slow_query(query)):
            source, result = await (
                read_either(app, query, read_from) if scans_history(query) else read_from(app.client)
            )
        names = await app.agents.names()
        echoed = {**filters.as_arguments(), "sort_by": sort_by, "sort_order": sort_order}
        header = filter_header(query, window, names, versions=versions)
        if isinstance(source, ReplicaLister):
            header.append(replica_source(source.freshness()))
        return render_log_page(result, query, header, names, echoed)
