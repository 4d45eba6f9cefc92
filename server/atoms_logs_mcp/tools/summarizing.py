"""What summarize_logs, compare_calls and the window view's data tool share: a filtered window, read whole and
aggregated, and kept a moment for the view that draws it (`domain.recent_windows`)."""

from __future__ import annotations

from collections.abc import Sequence

from mcp.server.apps import client_supports_apps

from ..domain.aggregate import GroupKey
from ..domain.filters import Filters, slow_query
from ..domain.recent_windows import ReadWindow
from ..domain.replica.reads import Lister
from ..domain.summarize import WindowSummary, summarize_window
from ..views.window_data import GROUPS
from .context import Ctx, failing_as_tool_error, progress_reporter, state
from .filtering import query_for
from .sources import read_ceiling, read_either


def ceiling_for(ctx: Ctx, max_calls: int | None) -> int:
    """The most calls a window read may take: `max_calls`, capped by the scan ceiling."""
    ceiling = state(ctx).settings.scan_ceiling
    return min(max_calls or ceiling, ceiling)


async def summarize(
    ctx: Ctx, filters: Filters, group_by: Sequence[GroupKey], max_calls: int | None, *, retries: bool = True
) -> ReadWindow:
    """The window's statistics by `group_by`, with progress; API failures as tool errors. `retries` also follows
    the retry chains of what did not complete. For a host that draws views, also by what the window view draws,
    and kept for it."""
    app = state(ctx)
    query, window, versions = await query_for(app, filters)
    names = await app.agents.names()
    viewing = client_supports_apps(ctx)

    async def read_from(source: Lister) -> WindowSummary:
        return await summarize_window(
            source,
            query,
            group_by=tuple(dict.fromkeys([*group_by, *(GROUPS if viewing else ())])),
            zone=window.zone,
            agent_names=names,
            ceiling=read_ceiling(source, max_calls, app.settings.scan_ceiling),
            concurrency=app.settings.scan_concurrency,
            progress=progress_reporter(ctx, "read"),
            retries=retries,
        )

    with failing_as_tool_error(slow_query=slow_query(query)):
        summary = await read_either(app, query, read_from)
    read = ReadWindow(summary, query, window, names, versions)
    if viewing:
        app.windows.put(filters, ceiling_for(ctx, max_calls), read)
    return read


async def window_for_view(
    ctx: Ctx, filters: Filters, max_calls: int | None, group_by: Sequence[GroupKey] = ()
) -> ReadWindow:
    """The window as an answer just read it (when it counted by every dimension `group_by` names), else read now."""
    kept = state(ctx).windows.get(filters, ceiling_for(ctx, max_calls))
    if kept is not None and set(group_by) <= set(kept.summary.stats.groups):
        return kept
    return await summarize(ctx, filters, (*GROUPS, *group_by), max_calls, retries=False)
