"""`compare_calls`: two sets of calls (two windows, two versions) side by side, with what is noise said."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.apps import client_supports_apps
from pydantic import BaseModel, Field

from ..api.errors import AtomsError
from ..api.models import CallRow
from ..domain.agent_config import VERSION_ID as OBJECT_ID
from ..domain.agent_config import VersionNameError, catalog_of
from ..domain.agent_diff import diff_versions
from ..domain.aggregate import Aggregator
from ..domain.compare import Side, compare
from ..domain.filters import Filters, slow_query
from ..domain.investigate import tool_stats
from ..domain.lookup import AgentNameError
from ..domain.recent_windows import ReadWindow
from ..domain.replica.reads import Lister
from ..domain.scan import Scan, scan_window
from ..domain.summarize import WindowSummary
from ..render.agent_diff import diff_summary
from ..render.comparison import render_comparison
from ..render.deep_coverage import deep_coverage
from ..render.failures import explain
from ..render.rows import describe_filters, version_meanings
from ..render.summary import coverage
from ..views.window_data import GROUPS
from .apps import view_of
from .arguments import FilterSet
from .context import READ_ONLY, AppContext, Ctx, failing_as_tool_error, state
from .filtering import Asked, query_for
from .investigating import investigate
from .sources import read_ceiling, read_either

TITLE = "Compare two sets of calls"
DESCRIPTION = """Compare two sets of calls side by side: this week vs last week, version A vs version B.

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
        app = state(ctx)
        names = await app.agents.names()
        sides, labels, lines = [], [], []
        for which, argument in (("baseline", baseline), ("candidate", candidate)):
            side, scan, (query, window, versions) = await _read_side(ctx, Filters(**_values(argument)), names)
            sides.append(side)
            stated = describe_filters(query, names, versions)
            labels.append(f"{'no filters' if stated == 'none' else stated}; {window.describe()}")
            lines.append(f"{which}: {coverage(scan)}")
            lines += [f"{which}: {line}" for line in version_meanings(versions)]
        tools = None
        if deep:
            first = await investigate(ctx, Filters(**_values(baseline)), None)
            second = await investigate(ctx, Filters(**_values(candidate)), None, progress_before=first.scan.read)
            tools = (tool_stats(first.scan.digests), tool_stats(second.scan.digests))
            for which, opened in (("baseline", first), ("candidate", second)):
                lines += [f"{which} opened: {line}" for line in deep_coverage(opened.scan)]
        comparison = compare(sides[0], sides[1], tools)
        text = render_comparison((labels[0], labels[1]), (sides[0], sides[1]), comparison, lines, names)
        return text + await _versions_diff(app, sides[0], sides[1])


async def _read_side(ctx: Ctx, filters: Filters, names: Mapping[str, str]) -> tuple[Side, Scan, Asked]:
    """One side read whole: its comparison figures; for a host that draws views, also what the window view draws
    of it, kept for the view."""
    app = state(ctx)
    asked = await query_for(app, filters)
    query, window = asked.query, asked.window
    viewing = client_supports_apps(ctx)

    async def read_from(source: Lister) -> tuple[Side, Scan, Aggregator | None]:
        side = Side()
        drawn = Aggregator(GROUPS, window.zone, names) if viewing else None

        async def consume(rows: list[CallRow]) -> None:
            side.add(rows)
            if drawn is not None:
                drawn.add(rows)

        ceiling = read_ceiling(source, None, app.settings.scan_ceiling)
        scan = await scan_window(source, query, consume, ceiling=ceiling, concurrency=app.settings.scan_concurrency)
        return side, scan, drawn

    with failing_as_tool_error(slow_query=slow_query(query)):
        side, scan, drawn = await read_either(app, query, read_from)
    if drawn is not None:
        read = ReadWindow(WindowSummary(drawn.result(), scan, None), query, window, names, asked.versions)
        app.windows.put(filters, app.settings.scan_ceiling, read)
    return side, scan, asked


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
