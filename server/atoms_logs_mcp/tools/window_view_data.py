"""`window_view_data` (app-only): a window of calls as JSON for the window view; the model reads summarize_logs."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from ..domain.aggregate import GroupKey
from ..render.rows import describe_filters
from ..views.window_data import window_view_data
from .arguments import LooseFilters, MaxCalls, filters_of
from .context import Ctx, state
from .summarizing import window_for_view

DESCRIPTION = "The window view's data: counts by status, reason, hour and day, the answer's groups, as JSON."
Tables = Annotated[list[GroupKey], Field(description="The answer's group_by: a table each.", max_length=10)]


async def handler(
    ctx: Ctx,
    filters: LooseFilters = {},  # noqa: B006 - pydantic copies defaults
    group_by: Tables = [],  # noqa: B006
    max_calls: MaxCalls = None,
) -> dict[str, Any]:
    read = await window_for_view(ctx, filters_of(filters), max_calls, group_by)
    label = f"Filters: {describe_filters(read.query, read.agent_names)}. Window: {read.window.describe()}."
    return window_view_data(read.summary, label, group_by, read.window.days(state(ctx).clock()))
