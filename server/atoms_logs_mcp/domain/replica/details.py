"""The details (transcript, events, metrics) of the replica's finished calls, fetched newest first after the rows.

`concurrency` at a time, slowed and held by 429s as long as Retry-After says (`deep_scan.Pace`). A detail is kept
with the fingerprint of the row it was read for, so a row that changes is read again; a call not settled yet
(analytics still to come) is tried again after `RETRY_UNSETTLED`. An investigation does not wait for this queue:
it reads the details it lacks itself. Fetching stops when the store nears its size cap (details are what the cap
bounds; the rows are never dropped).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import anyio

from ...api.errors import AtomsAPIError
from ...store.replica import Replica
from ..calls import CallReader, completed_by
from ..deep_scan import FATAL, Pace
from ..digest import digest_of
from .rows import row_of

log = logging.getLogger(__name__)
BATCH = 200
"""Calls taken from the queue at a time."""
RETRY_UNSETTLED = 600.0
"""Seconds before a finished call read before its analytics arrived is read again."""
NEAR_CAP = 0.9
"""Share of the store's size cap at which fetching details stops."""

OnDetails = Callable[[int, int], Awaitable[None]]
"""(details read, details still queued) after each batch."""


@dataclass
class DetailReport:
    requests: int = 0
    kept: int = 0
    failed: int = 0
    stopped_at_cap: bool = False


async def fetch_details(
    reader: CallReader,
    replica: Replica,
    *,
    horizon: float,
    now: Callable[[], float],
    concurrency: int,
    on_batch: OnDetails | None = None,
    keep_going: Callable[[], bool] = lambda: True,
) -> DetailReport:
    """Read the queued details until the queue is empty (or the cap is near, or `keep_going` says stop). The queue
    is walked once, newest first, each batch starting below the last (so a batch costs the same on a store of a
    million calls as on an empty one); what could not be kept is tried again on a later round."""
    report, pace = DetailReport(), Pace(concurrency)
    store = reader.store
    rows_bytes = store.rows_bytes()  # the rows do not change while details are read
    queued = replica.detail_backlog(reader.org, horizon, now() - RETRY_UNSETTLED)
    below: tuple[float, str] | None = None
    while keep_going():
        if store.max_bytes and store.used_bytes() - rows_bytes > store.max_bytes * NEAR_CAP:
            report.stopped_at_cap = True
            break
        queue = replica.detail_queue(reader.org, horizon, now() - RETRY_UNSETTLED, BATCH, below=below)
        if not queue:
            break
        below = (queue[-1][3], queue[-1][0])
        async with anyio.create_task_group() as group:
            for call_id, fingerprint, row, _ in queue:
                group.start_soon(_read_one, reader, replica, pace, (call_id, fingerprint, row), now, report)
        queued -= len(queue)
        if on_batch is not None:
            await on_batch(report.kept, max(0, queued))
    return report


async def _read_one(
    reader: CallReader,
    replica: Replica,
    pace: Pace,
    queued: tuple[str, str, str],
    now: Callable[[], float],
    report: DetailReport,
) -> None:
    call_id, fingerprint, row = queued
    report.requests += 1
    try:
        call = await pace.run(lambda: reader.fetch_unkept(call_id))
    except FATAL:
        raise
    except AtomsAPIError as error:
        log.info("detail of %s not read: %s", call_id, str(error).splitlines()[0][:200])
        call = None
    try:
        if call is not None:
            call = completed_by(call, row_of(row))
            if reader.keep(call, digest_of(call), in_memory=False, fingerprint=fingerprint):
                report.kept += 1
                return
    except Exception:  # one odd call never stops the sync; it is tried again later
        log.exception("keeping %s failed", call_id)
    report.failed += call is None
    replica.mark_tried(reader.org, call_id, now())
