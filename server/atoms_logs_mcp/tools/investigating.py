"""What the investigation tools share: a deep scan of the filtered window, with progress, as tool errors."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..domain.deep_scan import DeepScan, OnDetail, deep_scan
from ..domain.filters import Filters, slow_query
from ..domain.replica.reads import Lister
from ..render.deep_coverage import deep_coverage
from ..render.rows import filter_header
from .context import Ctx, failing_as_tool_error, progress_reporter, state
from .filtering import query_for
from .sources import read_ceiling, read_either


@dataclass(frozen=True)
class Investigation:
    scan: DeepScan
    header: list[str]
    """The filters and window applied, then what was read and what was not."""
    agent_names: Mapping[str, str]


async def investigate(
    ctx: Ctx,
    filters: Filters,
    max_calls: int | None,
    on_detail: OnDetail | None = None,
    open_stored: bool = True,
    progress_before: int = 0,
) -> Investigation:
    """The window deep-scanned, with progress notifications (after `progress_before` calls already reported, so
    a tool that scans twice never reports going back)."""
    app = state(ctx)
    query, window, versions = await query_for(app, filters)
    names = await app.agents.names()

    async def read_from(source: Lister) -> DeepScan:
        return await deep_scan(
            app.calls,
            query,
            ceiling=read_ceiling(source, max_calls, app.settings.deep_ceiling),
            concurrency=app.settings.concurrency,
            page_concurrency=app.settings.scan_concurrency,
            progress=progress_reporter(ctx, "opened", progress_before),
            on_detail=on_detail,
            open_stored=open_stored,
            lister=source,
        )

    with failing_as_tool_error(slow_query=slow_query(query)):
        scan = await read_either(app, query, read_from)
    header = [*filter_header(query, window, names, sort=False, versions=versions), *deep_coverage(scan)]
    return Investigation(scan, header, names)
