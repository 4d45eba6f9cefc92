"""`export_logs`: every call of a window into a new CSV or JSON file in the export folder."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import anyio.to_thread
from mcp.server import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from ..api.errors import AtomsError
from ..domain.export import target_path
from ..domain.export_window import IncompleteExportError, WindowExport, export_window
from ..domain.filters import Filters, slow_query
from ..domain.replica.reads import Lister
from ..render import formats
from ..render.failures import explain
from ..render.rows import filter_header
from ..render.summary import coverage
from ..settings_table import env_name
from .arguments import Guard, MaxCalls, with_filters
from .context import WRITES_FILE, Ctx, progress_reporter, state
from .filtering import query_for
from .sources import read_ceiling, read_either

TITLE = "Export calls to a file"
DESCRIPTION = """Export every call matching the filters to a CSV or JSON file in the export folder.

Use it when the user wants the calls as a file; it writes a new file, only inside {export_dir}.
Example: export_logs(format="csv", statuses=["failed"], since="last week")""".format(export_dir=env_name("export_dir"))
FileName = Annotated[
    Annotated[str, Guard(max_length=120)] | None,
    Field(description="Plain file name (no folders), e.g. failed-calls.csv; default timestamped."),
]


def register(server: MCPServer[Any]) -> None:
    @server.tool(annotations=WRITES_FILE, structured_output=False, title=TITLE, description=DESCRIPTION)
    @with_filters
    async def export_logs(
        ctx: Ctx,
        format: Annotated[Literal["csv", "json"], Field(description="csv or json.")],
        file_name: FileName = None,
        max_calls: MaxCalls = None,
        **arguments: Any,
    ) -> str:
        filters = Filters.take(arguments)
        app = state(ctx)
        now = app.clock()
        try:
            directory = app.settings.export_path
            await anyio.to_thread.run_sync(target_path, directory, file_name, format, now)  # fail before any request
        except ValueError as error:
            raise ToolError(str(error)) from None
        query, window, versions = await query_for(app, filters)
        names = await app.agents.names()

        async def read_from(source: Lister) -> WindowExport:
            return await export_window(
                source,
                query,
                names,
                fmt=format,
                directory=directory,
                file_name=file_name,
                now=now,
                ceiling=read_ceiling(source, max_calls, app.settings.scan_ceiling),
                concurrency=app.settings.scan_concurrency,
                progress=progress_reporter(ctx, "read"),
            )

        try:
            done = await read_either(app, query, read_from)
        except AtomsError as error:
            raise ToolError(explain(error, slow_query=slow_query(query))) from None
        except IncompleteExportError as error:
            raise ToolError(f"Export not written: {coverage(error.scan)}") from None
        except ValueError as error:
            raise ToolError(str(error)) from None
        except OSError as error:
            raise ToolError(f"The export file could not be written: {error}") from None
        result = done.result
        return "\n".join(
            [
                f"Exported {formats.plural(result.rows, 'call')} to {result.path} ({result.bytes:,} bytes, {format}).",
                coverage(done.scan),
                *filter_header(query, window, names, sort=False, versions=versions),
                "Columns: " + ", ".join(result.columns),
            ]
        )
