"""`compare_view_data` (app-only): compare_calls' comparison as JSON for its view; the model reads compare_calls."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field, ValidationError

from ..domain.filters import Filters
from ..views.compare_data import compare_view_data
from .arguments import FilterSet
from .comparing import comparison_for_view
from .context import Ctx

DESCRIPTION = "The compare view's data: each difference with its 95% interval and the answer's verdict, as JSON."
Side = Annotated[dict[str, Any], Field(description="compare_calls' side, as it was called.")]


async def handler(ctx: Ctx, baseline: Side, candidate: Side, deep: bool = False) -> dict[str, Any]:
    read = await comparison_for_view(ctx, (_filters(baseline), _filters(candidate)), deep)
    return compare_view_data(read)


def _filters(side: dict[str, Any]) -> Filters:
    """A side as compare_calls reads it (the same model validates it), or the reason it is not one."""
    try:
        return Filters(**FilterSet.model_validate(side).model_dump())
    except ValidationError as error:
        raise ToolError(f"Not a side compare_calls takes: {error.errors()[0]['msg']}") from error
