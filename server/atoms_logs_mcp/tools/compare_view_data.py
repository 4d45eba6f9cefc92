"""`compare_view_data` (app-only): compare_calls' comparison as JSON for its view; the model reads compare_calls."""

from __future__ import annotations

from typing import Any

from ..views.compare_data import compare_view_data
from .arguments import LooseFilters, filters_of
from .comparing import comparison_for_view
from .context import Ctx

DESCRIPTION = "The compare view's data: each difference with its 95% interval and the answer's verdict, as JSON."


async def handler(ctx: Ctx, baseline: LooseFilters, candidate: LooseFilters, deep: bool = False) -> dict[str, Any]:
    read = await comparison_for_view(ctx, (filters_of(baseline), filters_of(candidate)), deep)
    return compare_view_data(read)
