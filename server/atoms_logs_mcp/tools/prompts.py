"""The prompts: ready-made investigations (their texts are in `render.prompts`)."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS
from pydantic import Field

from ..render import prompts
from ..render.failures import CALL_ID_HINT
from .context import CALL_ID


def register(server: MCPServer[Any]) -> None:
    @server.prompt(
        name="triage_failed_calls",
        title="Triage failed calls",
        description=(
            "Group failed calls over a window, measure the large groups, read an example or two of each, and "
            "propose causes and fixes."
        ),
    )
    def triage_failed_calls(
        agent: Annotated[str | None, Field(description="Agent name or id (optional).")] = None,
        window: Annotated[str | None, Field(description="How far back: 24h, yesterday, 7d, last week…")] = None,
    ) -> str:
        return prompts.triage_failed_calls(agent, window)

    @server.prompt(
        name="debug_call",
        title="Debug one call",
        description="Walk one call's transcript, events, latency and metrics to find where the agent went wrong.",
    )
    def debug_call(call_id: Annotated[str, Field(description="The call id, e.g. CALL-1737000000000-abc123.")]) -> str:
        if not CALL_ID.fullmatch(call_id.strip()):
            raise MCPError(code=INVALID_PARAMS, message=f"{call_id[:40]!r} is not a call id. {CALL_ID_HINT}")
        return prompts.debug_call(call_id.strip())
