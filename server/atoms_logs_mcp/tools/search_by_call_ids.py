"""`search_by_call_ids`: many calls by id, one row each, in the order given."""

from __future__ import annotations

import json
from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import BeforeValidator, Field

from ..api.query import canonical_call_id
from ..domain.lookup import search_call_ids
from ..render.budget import ROWS_TOKENS, SEARCH_WINDOW_IDS
from ..render.failures import CALL_ID_HINT, explain
from ..render.listing import ids_that_fit, render_search_window
from ..render.untrusted import clean, clip
from .arguments import Guard
from .context import CALL_ID, READ_ONLY, Ctx, state

TITLE = "Look up calls by id"
DESCRIPTION = """Look up Atoms calls by id, up to 1000 at once, one compact row each.

Use it for ids you already hold (from a user, a ticket); unknown ids are named.
Example: search_by_call_ids(call_ids=["CALL-1737000000000-abc123"])"""


def _as_text(values: Any) -> Any:
    """Every item as text, so a null, a number or an over-long value is listed by position, not a failed call."""
    if not isinstance(values, list):
        return values
    return [(value if isinstance(value, str) else json.dumps(value, default=str))[:200] for value in values]


CallIds = Annotated[
    list[str],
    BeforeValidator(_as_text),
    Field(
        description="Call ids (from list_logs); duplicates ignored, non-ids named by position.",
        min_length=1,
        max_length=1000,
    ),
]
Start = Annotated[
    Annotated[int, Guard(ge=1)], Field(description="Where to continue in call_ids (1-based), as an answer says.")
]


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=READ_ONLY, structured_output=False, title=TITLE, description=DESCRIPTION)
    async def search_by_call_ids(ctx: Ctx, call_ids: CallIds, start: Start = 1) -> str:
        trimmed = [canonical_call_id(value) for value in call_ids]
        malformed = [(n, value) for n, value in enumerate(trimmed, start=1) if not CALL_ID.fullmatch(value)]
        valid = [value for value in trimmed if CALL_ID.fullmatch(value)]
        if not valid:
            listed = ", ".join(f"#{n} {clip(clean(value), 40)!r}" for n, value in malformed[:10])
            raise ToolError(f"No call ids among call_ids (position: value): {listed}. {CALL_ID_HINT}")
        unique = list(dict.fromkeys(valid))
        if start > len(unique):
            raise ToolError(f"start={start} is past the end of the {len(unique)} distinct call ids.")
        window = unique[start - 1 : start - 1 + SEARCH_WINDOW_IDS]
        app = state(ctx)
        outcome = await search_call_ids(app.client, window)
        if outcome.failed and not outcome.found and len(outcome.failed) == outcome.requests:
            raise ToolError(explain(outcome.failed[0][1]))
        names = await app.agents.names()
        shown = window[: ids_that_fit(window, outcome, names, ROWS_TOKENS)]
        duplicates = len(valid) - len(unique)
        return render_search_window(
            shown, start, len(unique), duplicates, outcome, names, malformed if start == 1 else ()
        )
