"""`analyze_calls`: what is inside every call of a window, one section per aspect (`ASPECTS`, defined once)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Literal

from mcp.server import MCPServer
from pydantic import Field

from ..domain.conversation import conversation_stats
from ..domain.digest import Digest
from ..domain.filters import Filters
from ..domain.investigate import error_groups, hangup_lines, latency_stats, metric_stats, tool_stats
from ..render.conversation import conversation_section
from ..render.investigation import errors_section, latency_section, metrics_section, outcomes_section, tools_section
from .arguments import DeepMaxCalls, Guard, with_filters
from .context import READ_ONLY, Ctx
from .investigating import investigate


@dataclass(frozen=True)
class Calls:
    """What every aspect reads: the window's digests, the agents' names, the dead-air threshold."""

    digests: Sequence[Digest]
    names: Mapping[str, str]
    dead_air_ms: int


@dataclass(frozen=True)
class AspectRow:
    name: str
    gloss: str
    """What the tool description says of it, in parentheses after the name ("" for nothing)."""
    section: Callable[[Calls], str]
    """The domain function, then its renderer: the calls in, the answer's section out."""


ASPECTS: tuple[AspectRow, ...] = (
    AspectRow("tools", "", lambda c: tools_section(tool_stats(c.digests))),
    AspectRow(
        "latency",
        "percentiles, LLM/TTS/STT, slowest turns",
        lambda c: latency_section(latency_stats(c.digests, c.names)),
    ),
    AspectRow("outcomes", "", lambda c: outcomes_section(hangup_lines(c.digests))),
    AspectRow("metrics", "", lambda c: metrics_section(metric_stats(c.digests, c.names))),
    AspectRow("errors", "", lambda c: errors_section(error_groups(c.digests))),
    AspectRow(
        "conversation",
        "by agent and version: barge-ins, no_reply turns, replies slower than dead_air_ms, greeting delay, "
        "repeated lines, transfers, endings, incomplete timelines",
        lambda c: conversation_section(conversation_stats(c.digests, c.names, c.dead_air_ms)),
    ),
)
BY_NAME = {row.name: row for row in ASPECTS}
if TYPE_CHECKING:
    Aspect = str
else:
    Aspect = Literal[tuple(BY_NAME)]  # the values the tool accepts: the names above, in their order


WRAP = 113  # the description's line width, as it has always been sent (tools/list unchanged)


def _description() -> str:
    listed = ", ".join(f"{row.name} ({row.gloss})" if row.gloss else row.name for row in ASPECTS)
    uses = f'Use it for "which tool fails most?" or "where does latency go?". Aspects: {listed}.'
    return "\n".join(
        [
            "Look inside every call of a window: tool failures, turn latency, hang-ups, metrics, errors.\n",
            textwrap.fill(uses, WRAP, break_long_words=False, break_on_hyphens=False),
            'Example: analyze_calls(agents=["Support"], since="7d", aspects=["tools"])',
        ]
    )


TITLE = "Analyze calls in depth"
DESCRIPTION = _description()
Aspects = Annotated[list[Aspect] | None, Field(description="Sections; default all.")]
DeadAir = Annotated[
    Annotated[int, Guard(ge=100, le=60_000)], Field(description="Dead air: a reply slower than this (ms).")
]


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=READ_ONLY, structured_output=False, title=TITLE, description=DESCRIPTION)
    @with_filters
    async def analyze_calls(
        ctx: Ctx, aspects: Aspects = None, dead_air_ms: DeadAir = 3000, max_calls: DeepMaxCalls = None, **arguments: Any
    ) -> str:
        found = await investigate(ctx, Filters.take(arguments), max_calls)
        calls = Calls(found.scan.digests, found.agent_names, dead_air_ms)
        body = sections(calls, aspects) if calls.digests else ["No calls to analyse in this window."]
        next_step = (
            "Next: get_log(call_id) opens an example call; compare_calls sets two windows or versions side by side."
        )
        return "\n".join(found.header) + "\n\n" + "\n\n".join(body) + "\n\n" + next_step


def sections(calls: Calls, aspects: Sequence[Aspect] | None) -> list[str]:
    """One section per aspect asked for (default all), in the order asked, each once."""
    return [BY_NAME[name].section(calls) for name in dict.fromkeys(aspects or BY_NAME)]
