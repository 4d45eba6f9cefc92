"""`diff_agent_versions`: what changed between two versions of an agent, section by section."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server import MCPServer
from pydantic import Field

from ..domain.agent_config import catalog_of
from ..domain.agent_diff import diff_versions
from ..render.agent_diff import render_diff
from .arguments import AgentName, Version
from .context import READ_ONLY, Ctx, failing_as_tool_error, state

TITLE = "Compare agent versions"
DESCRIPTION = """Show what changed between two versions of an Atoms agent: prompt lines, tools, settings.

Use it when a version behaves worse than the one before.
Example: diff_agent_versions(agent="Support", base="v2", target="v3")"""
Base = Annotated[Version | None, Field(description='"v2" or a version id; default the one before target.')]
Target = Annotated[Version | None, Field(description='"v3" or a version id; default the active one.')]


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=READ_ONLY, structured_output=False, title=TITLE, description=DESCRIPTION)
    async def diff_agent_versions(ctx: Ctx, agent: AgentName, base: Base = None, target: Target = None) -> str:
        app = state(ctx)
        with failing_as_tool_error(subject=f"Agent {agent}"):
            catalog = await catalog_of(app.versions, app.agents, agent)
            diff = await diff_versions(app.versions, catalog, base, target)
        return render_diff(diff)
