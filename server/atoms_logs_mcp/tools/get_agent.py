"""`get_agent`: the agent behind a call, at one version: its prompt, tools, messages and metrics."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server import MCPServer
from pydantic import Field

from ..domain.agent_config import catalog_of, read_version
from ..render.agent_config import PARTS, Part, render_agent
from .arguments import AgentName, Guard, Version
from .context import READ_ONLY, Ctx, failing_as_tool_error, state

TITLE = "Read an agent's configuration"
DESCRIPTION = """Read an Atoms agent's configuration at one version: prompt, first message, tools, post-call metrics.

Use it to see what the agent was told on a call before proposing a change.
Example: get_agent(agent="Support", version="v3")"""
Include = Annotated[
    Annotated[list[Part], Guard(min_length=1)] | None,
    Field(description="Parts to show; default all."),
]
AtVersion = Annotated[Version | None, Field(description='"v3" or a version id; default the active one.')]
PromptFrom = Annotated[
    Annotated[int, Guard(ge=1)], Field(description="First line of the prompts to show (1-based), to continue.")
]


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=READ_ONLY, structured_output=False, title=TITLE, description=DESCRIPTION)
    async def get_agent(
        ctx: Ctx, agent: AgentName, version: AtVersion = None, include: Include = None, prompt_from: PromptFrom = 1
    ) -> str:
        app = state(ctx)
        with failing_as_tool_error(subject=f"Agent {agent}"):
            catalog = await catalog_of(app.versions, app.agents, agent)
            reading = await read_version(app.versions, catalog, version)
        return render_agent(reading, include or PARTS, prompt_from)
