"""What compare_calls and its view's data tool share: two sides read whole and compared, every row tested, and the
comparison kept a moment for the view that draws it (`domain.recent_windows`)."""

from __future__ import annotations

from collections.abc import Mapping

from mcp.server.apps import client_supports_apps

from ..api.models import CallRow
from ..domain.aggregate import Aggregator
from ..domain.compare import Side, compare
from ..domain.filters import Filters, slow_query
from ..domain.investigate import tool_stats
from ..domain.recent_windows import ReadComparison, ReadWindow
from ..domain.replica.reads import Lister
from ..domain.scan import Scan, scan_window
from ..domain.summarize import WindowSummary
from ..render.deep_coverage import deep_coverage
from ..render.rows import describe_filters, version_meanings
from ..render.summary import coverage
from ..views.window_data import GROUPS
from .context import Ctx, failing_as_tool_error, state
from .filtering import Asked, query_for
from .investigating import investigate
from .sources import read_ceiling, read_either


async def read_comparison(ctx: Ctx, sides: tuple[Filters, Filters], deep: bool) -> tuple[ReadComparison, list[str]]:
    """Both sides read whole (and, `deep`, opened for tool failure rates) and compared, with the lines that say how
    much of each was read. For a host that draws views, kept for the compare view."""
    app = state(ctx)
    names = await app.agents.names()
    read, labels, lines = [], [], []
    for which, filters in zip(("baseline", "candidate"), sides, strict=True):
        side, scan, (query, window, versions) = await _read_side(ctx, filters, names)
        read.append(side)
        stated = describe_filters(query, names, versions)
        labels.append(f"{'no filters' if stated == 'none' else stated}; {window.describe()}")
        lines.append(f"{which}: {coverage(scan)}")
        lines += [f"{which}: {line}" for line in version_meanings(versions)]
    tools = None
    if deep:
        first = await investigate(ctx, sides[0], None)
        second = await investigate(ctx, sides[1], None, progress_before=first.scan.read)
        tools = (tool_stats(first.scan.digests), tool_stats(second.scan.digests))
        for which, opened in (("baseline", first), ("candidate", second)):
            lines += [f"{which} opened: {line}" for line in deep_coverage(opened.scan)]
    compared = ReadComparison((labels[0], labels[1]), (read[0], read[1]), compare(read[0], read[1], tools))
    if client_supports_apps(ctx):
        app.comparisons.put(sides, deep, compared)
    return compared, lines


async def comparison_for_view(ctx: Ctx, sides: tuple[Filters, Filters], deep: bool) -> ReadComparison:
    """The comparison as compare_calls just answered it, else read now."""
    kept = state(ctx).comparisons.get(sides, deep)
    return kept or (await read_comparison(ctx, sides, deep))[0]


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
