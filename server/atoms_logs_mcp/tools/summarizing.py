"""What summarize_logs and the window view's data tool share: the filtered window, read whole and aggregated."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ..api.query import LogQuery
from ..domain.aggregate import GroupKey
from ..domain.filters import Filters, slow_query
from ..domain.summarize import WindowSummary, summarize_window
from ..domain.timewindow import Window
from .context import Ctx, failing_as_tool_error, progress_reporter, state
from .filtering import query_for


@dataclass(frozen=True)
class Summarized:
    summary: WindowSummary
    query: LogQuery
    window: Window
    agent_names: Mapping[str, str]


async def summarize(
    ctx: Ctx, filters: Filters, group_by: Sequence[GroupKey], max_calls: int | None, *, retries: bool = True
) -> Summarized:
    """The window's statistics by `group_by`, reading at most `max_calls` (capped by the scan ceiling), with
    progress; API failures as tool errors. `retries` also follows the retry chains of what did not complete."""
    app = state(ctx)
    query, window = await query_for(app, filters)
    names = await app.agents.names()
    with failing_as_tool_error(slow_query=slow_query(query)):
        summary = await summarize_window(
            app.client,
            query,
            group_by=group_by,
            zone=window.zone,
            agent_names=names,
            ceiling=min(max_calls or app.settings.scan_ceiling, app.settings.scan_ceiling),
            concurrency=app.settings.scan_concurrency,
            progress=progress_reporter(ctx, "read"),
            retries=retries,
        )
    return Summarized(summary, query, window, names)
