"""`search_transcripts`: which calls of a window said something, and the turns that said it."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from ..domain.filters import Filters
from ..domain.transcript_hits import TranscriptHits
from ..domain.transcript_search import TextQuery
from ..render.transcript_hits import render_hits
from .arguments import DeepMaxCalls, Guard, with_filters
from .context import READ_ONLY, Ctx, state
from .investigating import investigate

TITLE = "Search transcripts"
DESCRIPTION = """Search what was said in the calls of a window.

Use it for "which calls mention a refund?": whole words, any case, in one turn; "quoted phrases" in order.
Callers say one thing many ways: pass each phrasing in any_of.
Example: search_transcripts(any_of=["real person", "human", "representative"], speaker="user")"""
Text = Annotated[
    Annotated[str, Guard(min_length=1, max_length=200)] | None,
    Field(description='Words and/or "quoted phrases", all in one turn.'),
]
AnyOf = Annotated[
    list[Annotated[str, Guard(min_length=1, max_length=100)]] | None,
    Field(description="Words or phrases; a turn matches one of them. With text: both.", min_length=1, max_length=20),
]
Speaker = Annotated[Literal["agent", "user"] | None, Field(description="Only turns of agent or user.")]
Page = Annotated[
    Annotated[int, Guard(ge=1, le=10_000)], Field(description="Page of matching calls (10 per page), from 1.")
]


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=READ_ONLY, structured_output=False, title=TITLE, description=DESCRIPTION)
    @with_filters
    async def search_transcripts(
        ctx: Ctx,
        text: Text = None,
        any_of: AnyOf = None,
        speaker: Speaker = None,
        max_calls: DeepMaxCalls = None,
        page: Page = 1,
        **arguments: Any,
    ) -> str:
        try:
            query = TextQuery.parse(text, speaker, any_of or ())
        except ValueError as error:
            raise ToolError(str(error)) from None
        collector = TranscriptHits(query)
        filters = Filters.take(arguments)
        found = await investigate(ctx, filters, max_calls, on_detail=collector.look_in, open_stored=False)
        reader = state(ctx).calls
        hits = collector.collect(reader, found.scan)
        if reader.store.notice and reader.store.notice != found.scan.notice:  # the store failed while searching it
            found.header.append(f"NOTE: {reader.store.notice} Some matches in stored calls may be missing.")
        said = str(query) + (f" in {speaker} turns" if speaker else "")
        return render_hits(hits, found.scan.read, said, found.header, found.agent_names, page)
