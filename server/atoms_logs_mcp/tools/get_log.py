"""`get_log`: one call for debugging, with links to its whole transcript and log."""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server import MCPServer
from mcp.types import ResourceLink, TextContent
from pydantic import Field

from ..api.errors import AtomsAPIError, AtomsError, NotFoundError
from ..domain.call_uris import call_uri, transcript_uri
from ..render.call import SECTIONS, Section, render_call, render_family
from ..render.failures import explain
from .apps import view_of
from .arguments import CallId, Guard
from .context import READ_ONLY, AppContext, Ctx, failing_as_tool_error, state

TITLE = "Open a call"
DESCRIPTION = """Open one Atoms call for debugging: overview, transcript, events, disposition metrics, latency.

Use it when a call id is known: what was said, which tools failed, where the agent was slow, how it ended.
Example: get_log(call_id="CALL-1737000000000-abc123")"""
Include = Annotated[
    Annotated[list[Section], Guard(min_length=1)] | None, Field(description="Sections to show; default all.")
]
TranscriptFrom = Annotated[
    Annotated[int, Guard(ge=1)], Field(description="First transcript turn to show (1-based), to continue.")
]
Recording = Annotated[bool, Field(description="Also fetch a short-lived link to the audio recording.")]


def register(server: MCPServer[Any]) -> None:
    @server.tool(
        annotations=READ_ONLY, structured_output=False, title=TITLE, description=DESCRIPTION, meta=view_of("get_log")
    )
    async def get_log(
        ctx: Ctx,
        call_id: CallId,
        include: Include = None,
        transcript_from: TranscriptFrom = 1,
        recording: Recording = False,
    ) -> list[TextContent | ResourceLink]:
        app = state(ctx)
        sections = include or SECTIONS
        family = None
        with failing_as_tool_error(subject=f"Call {call_id}"):
            if "overview" not in sections:
                call = await app.calls.detail(call_id)
            else:
                call, members = await app.calls.detail_and_family(call_id)
                if isinstance(members, AtomsAPIError):
                    family = f"could not be read ({explain(members)})"
                else:
                    family = render_family(call, members)
        standing = await app.catalogs.standing(call.agent_id, call.version_id) if "overview" in sections else "unknown"
        text = render_call(call, sections, transcript_from=transcript_from, family=family, standing=standing)
        if recording:
            text += "\n\n" + await _recording_line(app, call_id)
        return [TextContent(type="text", text=text), *_links(call_id)]


def _links(call_id: str) -> list[ResourceLink]:
    return [
        ResourceLink(
            type="resource_link",
            name=f"{call_id} transcript",
            uri=transcript_uri(call_id),
            mime_type="text/plain",
            description="Every turn of the transcript",
        ),
        ResourceLink(
            type="resource_link",
            name=f"{call_id} log",
            uri=call_uri(call_id),
            mime_type="text/plain",
            description="The whole condensed log, unpaged",
        ),
    ]


async def _recording_line(app: AppContext, call_id: str) -> str:
    try:
        url = await app.client.get_recording_url(call_id)
    except NotFoundError:
        return "Recording: none for this call."
    except AtomsError as error:
        return f"Recording: not available ({explain(error)})"
    return f"Recording (a short-lived link; do not store it): {url}"
