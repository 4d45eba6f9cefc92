"""`analyze_calls`: what is inside every call of a window: tools, latency, hang-ups, metrics, errors."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server import MCPServer
from pydantic import Field

from ..domain.conversation import conversation_stats
from ..domain.filters import Filters
from ..domain.investigate import error_groups, hangup_lines, latency_stats, metric_stats, tool_stats
from ..render.conversation import conversation_section
from ..render.investigation import errors_section, latency_section, metrics_section, outcomes_section, tools_section
from .arguments import DeepMaxCalls, with_filters
from .context import READ_ONLY, Ctx
from .investigating import investigate

DESCRIPTION = """Look inside every call of a window: tool failures, turn latency, hang-ups, metrics, errors.

Use it for "which tool fails most?", "where does latency go?", "what did the agent say before callers hung up?",
"why does the agent cut callers off?". Aspects: tools, latency (p50/p90/p99 by agent and version, LLM/TTS/STT,
slowest turns), outcomes, metrics, errors, conversation (per agent and version: calls with barge-in
interruptions, no_reply turns, replies slower than dead_air_ms, greeting delay, repeated lines, transfers,
endings, incomplete timelines). Same filters as list_logs.
Example: analyze_calls(agents=["Support"], since="7d", aspects=["tools"])"""
Aspect = Literal["tools", "latency", "outcomes", "metrics", "errors", "conversation"]
ASPECTS: tuple[Aspect, ...] = ("tools", "latency", "outcomes", "metrics", "errors", "conversation")
Aspects = Annotated[list[Aspect] | None, Field(description="Sections (default all), as listed above.")]
DeadAir = Annotated[int, Field(description="Dead air: a reply slower than this (ms).", ge=100, le=60_000)]


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=READ_ONLY, structured_output=False, description=DESCRIPTION)
    @with_filters
    async def analyze_calls(
        ctx: Ctx, aspects: Aspects = None, dead_air_ms: DeadAir = 3000, max_calls: DeepMaxCalls = None, **arguments: Any
    ) -> str:
        found = await investigate(ctx, Filters.take(arguments), max_calls)
        digests, names = found.scan.digests, found.agent_names
        wanted = list(dict.fromkeys(aspects or ASPECTS))
        sections = {
            "tools": lambda: tools_section(tool_stats(digests)),
            "latency": lambda: latency_section(latency_stats(digests, names)),
            "outcomes": lambda: outcomes_section(hangup_lines(digests)),
            "metrics": lambda: metrics_section(metric_stats(digests, names)),
            "errors": lambda: errors_section(error_groups(digests)),
            "conversation": lambda: conversation_section(conversation_stats(digests, names, dead_air_ms)),
        }
        body = [sections[aspect]() for aspect in wanted] if digests else ["No calls to analyse in this window."]
        next_step = (
            "Next: get_log(call_id) opens an example call; compare_calls sets two windows or versions side by side."
        )
        return "\n".join(found.header) + "\n\n" + "\n\n".join(body) + "\n\n" + next_step
