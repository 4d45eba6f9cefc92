"""export_logs' work: scan the window and stream its pages into the export file, published whole or not at all.

The scan (producer) and the file writer (consumer) run together, joined by a small buffer of pages, so a
whole window never sits in memory. If any page could not be read, the file is removed: an export is
complete or absent.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import anyio

from ..api.models import CallRow
from ..api.query import LogQuery
from .export import ExportResult, Format, write_export
from .replica.reads import Lister
from .scan import Progress, Scan, scan_window

PAGES_BUFFERED = 4


class IncompleteExportError(Exception):
    """Some pages could not be read after retries: nothing was written. `scan` says which."""

    def __init__(self, scan: Scan) -> None:
        self.scan = scan
        super().__init__("the export is incomplete")


@dataclass(frozen=True)
class WindowExport:
    result: ExportResult
    scan: Scan


async def export_window(
    client: Lister,
    query: LogQuery,
    agent_names: Mapping[str, str],
    *,
    fmt: Format,
    directory: Path,
    file_name: str | None,
    now: datetime,
    ceiling: int,
    concurrency: int,
    progress: Progress | None = None,
) -> WindowExport:
    """Write every call of the window to a new file; raises the first failure of either side unwrapped
    (an AtomsError, a ValueError for a bad name, an OSError), or IncompleteExportError."""
    send, receive = anyio.create_memory_object_stream[Sequence[CallRow]](PAGES_BUFFERED)
    scans: list[Scan] = []

    async def consume(rows: list[CallRow]) -> None:
        await send.send(rows)

    async def produce() -> None:
        async with send:
            scans.append(
                await scan_window(client, query, consume, ceiling=ceiling, concurrency=concurrency, progress=progress)
            )

    try:
        async with anyio.create_task_group() as group:
            group.start_soon(produce)
            async with receive:
                result = await write_export(
                    receive, agent_names, fmt=fmt, directory=directory, file_name=file_name, now=now
                )
    except ExceptionGroup as errors:
        raise _first(errors) from None
    if scans[0].failed_pages:
        result.path.unlink(missing_ok=True)
        raise IncompleteExportError(scans[0])
    return WindowExport(result, scans[0])


def _first(group: BaseExceptionGroup[Exception]) -> Exception:
    """The first error inside `group`, through nested task groups (the scan runs one of its own)."""
    error: BaseException = group
    while isinstance(error, BaseExceptionGroup):
        error = error.exceptions[0]
    return error  # type: ignore[return-value]
