"""`list_agents`: the organisation's agents, with their calls in a window when asked."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from ..domain.filters import Filters, slow_query
from ..domain.replica.reads import Lister
from ..domain.summarize import calls_per_agent
from ..domain.unlisted_agents import UnlistedCalls, unlisted_calls
from ..render.agents import render_agent_page
from ..render.budget import LIST_PAGE_ROWS
from .arguments import Guard, Since, Timezone, Until
from .context import READ_ONLY, Ctx, failing_as_tool_error, state
from .filtering import query_for
from .sources import read_ceiling, read_either

TITLE = "List agents"
DESCRIPTION = """List the Atoms agents: id, name, description, and calls in a window if asked.

Use it to learn agent names and ids, or to rank agents by calls.
Example: list_agents(with_calls=true, since="7d")"""
WithCalls = Annotated[bool, Field(description="Also count each agent's calls in the window (one request each).")]


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=READ_ONLY, structured_output=False, title=TITLE, description=DESCRIPTION)
    async def list_agents(
        ctx: Ctx,
        with_calls: WithCalls = False,
        since: Since = None,
        until: Until = None,
        timezone: Timezone = None,
        page: Annotated[Annotated[int, Guard(ge=1)], Field(description="Page of 100 agents, from 1.")] = 1,
    ) -> str:
        if not with_calls and (since or until):
            raise ToolError(
                "since/until only count calls per agent, which needs with_calls=true; the agent list itself has no "
                "window. Call again with with_calls=true, or without since/until."
            )
        app = state(ctx)
        query, window, _ = await query_for(app, Filters(since=since, until=until, timezone=timezone))
        with failing_as_tool_error():
            every = await app.agents.agents()
        agents = every[(page - 1) * LIST_PAGE_ROWS : page * LIST_PAGE_ROWS]
        if every and not agents:
            raise ToolError(f"page {page} is past the last page ({-(-len(every) // LIST_PAGE_ROWS)}).")
        counts, unlisted = None, None
        if with_calls:

            async def read_from(source: Lister) -> tuple[dict[str, int | None], UnlistedCalls | None]:
                counts = await calls_per_agent(source, agents, query)
                if len(agents) < len(every) or None in counts.values():  # not the whole list, or a count unread
                    return counts, None
                listed = sum(count or 0 for count in counts.values())
                ceiling = read_ceiling(source, None, app.settings.scan_ceiling)
                concurrency = app.settings.scan_concurrency
                return counts, await unlisted_calls(
                    source, query, set(counts), listed, ceiling=ceiling, concurrency=concurrency
                )

            with failing_as_tool_error(slow_query=slow_query(query)):
                counts, unlisted = await read_either(app, query, read_from)
        shown = window if with_calls else None
        return render_agent_page(agents, len(every), page, LIST_PAGE_ROWS, counts, shown, unlisted)
