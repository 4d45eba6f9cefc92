"""`compare_calls`: two sets of calls (two windows, two versions) side by side, with what is noise said."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server import MCPServer
from pydantic import BaseModel, Field

from ..api.errors import AtomsError
from ..domain.agent_config import VERSION_ID as OBJECT_ID
from ..domain.agent_config import VersionNameError, catalog_of
from ..domain.agent_diff import diff_versions
from ..domain.compare import Side
from ..domain.filters import Filters
from ..domain.lookup import AgentNameError
from ..render.agent_diff import diff_summary
from ..render.comparison import render_comparison
from ..render.failures import explain
from .apps import view_of
from .arguments import FilterSet
from .comparing import read_comparison
from .context import READ_ONLY, AppContext, Ctx, state

TITLE = "Compare two sets of calls"
DESCRIPTION = """Compare two sets of calls, candidate minus baseline: this week vs last week, version A vs B.

Use it for "did version 5 make things worse?": shares with 95% intervals, durations, latency, cost, reasons and
metrics that moved, and what changed between two versions of one agent.
Example: compare_calls(baseline={"since": "last week"}, candidate={"since": "this week"})"""
SideArgument = Annotated[FilterSet, Field(description="This side's filters.")]
Deep = Annotated[bool, Field(description="Also open every call for tool failure rates (slower).")]


def register(server: MCPServer[Any]) -> None:
    @server.tool(
        annotations=READ_ONLY,
        structured_output=False,
        title=TITLE,
        description=DESCRIPTION,
        meta=view_of("compare_calls"),
    )
    async def compare_calls(ctx: Ctx, baseline: SideArgument, candidate: SideArgument, deep: Deep = False) -> str:
        sides = (Filters(**_values(baseline)), Filters(**_values(candidate)))
        read, lines = await read_comparison(ctx, sides, deep)
        names = await state(ctx).agents.names()
        text = render_comparison(read.labels, read.sides, read.comparison, lines, names)
        return text + await _versions_diff(state(ctx), *read.sides)


async def _versions_diff(app: AppContext, baseline: Side, candidate: Side) -> str:
    """When each side is one version of the same agent: what changed in its configuration between them."""
    before, after = baseline.only_version, candidate.only_version
    if before is None or after is None or before[0] != after[0] or before[1] == after[1]:
        return ""
    if not all(OBJECT_ID.fullmatch(value) for value in (*before, after[1])):
        return ""  # ids from the calls, shown in an instruction-like line: only plain ones
    agent, base, target = before[0], before[1], after[1]
    call = f'diff_agent_versions(agent="{agent}", base="{base}", target="{target}")'
    try:
        catalog = await catalog_of(app.versions, app.agents, agent)
        diff = await diff_versions(app.versions, catalog, base, target)
    except AtomsError as error:
        return f"\nWhat changed between the two versions could not be read ({explain(error)}): try {call}."
    except (AgentNameError, VersionNameError):
        return f"\nWhat changed between the two versions could not be read (the agent no longer lists them): {call}."
    return f"\nWhat changed in the agent between the two versions ({call} shows it all):\n{diff_summary(diff)}"


def _values(argument: BaseModel | dict[str, Any]) -> dict[str, Any]:
    return argument.model_dump() if isinstance(argument, BaseModel) else dict(argument)
