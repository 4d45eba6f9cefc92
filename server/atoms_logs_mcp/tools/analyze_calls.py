"""`analyze_calls`: what is inside every call of a window: tools, latency, hang-ups, metrics, errors."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server import MCPServer
from pydantic import Field

from ..domain.filters import Filters
from ..domain.investigate import error_groups, hangup_lines, latency_stats, metric_stats, tool_stats
from ..render.investigation import errors_section, latency_section, metrics_section, outcomes_section, tools_section
from .arguments import DeepMaxCalls, with_filters
from .context import READ_ONLY, Ctx
from .investigating import investigate

DESCRIPTION = """Look inside every call of a window: tool failures, turn latency, hang-ups, metrics, errors.

Use it for "which tool fails most?", "where does latency go?", "what did the agent say before callers hung up?".
Aspects: tools (per function failures, latency, commonest errors), latency (p50/p90/p99 by agent and version,
LLM/TTS/STT, slowest turns), outcomes, metrics, errors. Same filters as list_logs.
Example: analyze_calls(agents=["Support"], since="7d", aspects=["tools"])"""
Aspect = Literal["tools", "latency", "outcomes", "metrics", "errors"]
Aspects = Annotated[
    list[Aspect] | None, Field(description="Sections (default all): tools, latency, outcomes, metrics, errors.")
]


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=READ_ONLY, structured_output=False, description=DESCRIPTION)
    @with_filters
    async def analyze_calls(ctx: Ctx, aspects: Aspects = None, max_calls: DeepMaxCalls = None, **arguments: Any) -> str:
        found = await investigate(ctx, Filters.take(arguments), max_calls)
        digests, names = found.scan.digests, found.agent_names
        wanted = list(dict.fromkeys(aspects or ["tools", "latency", "outcomes", "metrics", "errors"]))
        sections = {
            "tools": lambda: tools_section(tool_stats(digests)),
            "latency": lambda: latency_section(latency_stats(digests, names)),
            "outcomes": lambda: outcomes_section(hangup_lines(digests)),
            "metrics": lambda: metrics_section(metric_stats(digests, names)),
            "errors": lambda: errors_section(error_groups(digests)),
        }
        body = [sections[aspect]() for aspect in wanted] if digests else ["No calls to analyse in this window."]
        next_step = (
            "Next: get_log(call_id) opens an example call; compare_calls sets two windows or versions side by side."
        )
        return "\n".join(found.header) + "\n\n" + "\n\n".join(body) + "\n\n" + next_step
