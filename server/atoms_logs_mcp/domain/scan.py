"""Reading a whole filtered window: every page of `GET /conversation`, at the API's page size, or every row of
the local replica when it covers the window (`domain/replica`: no request, no ceiling but the one asked).

The first page tells the total; the remaining pages are then fetched a few at a time and handed to
`consume` in the API's order, so callers aggregate or write as pages arrive and never hold the whole
window. A page that still fails after the client's retries is recorded with its error, so callers
can say exactly which part of the window is missing instead of presenting a partial answer as whole.
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import anyio

from ..api.errors import AtomsAPIError
from ..api.models import CallRow
from ..api.query import API_MAX_LIMIT, LogQuery
from .replica.reads import Freshness, Lister, ReplicaLister

DEFAULT_CEILING = 20_000
DEFAULT_CONCURRENCY = 4

Consume = Callable[[list[CallRow]], Awaitable[None]]
Progress = Callable[[int, int], Awaitable[None]]


@dataclass
class Scan:
    total: int = 0
    """Calls the API says match the filters."""
    target: int = 0
    """Calls this scan set out to read: the total, or the ceiling when the total is larger."""
    read: int = 0
    """Distinct calls handed to `consume`."""
    requests: int = 0
    failed_pages: list[tuple[int, AtomsAPIError]] = field(default_factory=list)
    page_size: int = API_MAX_LIMIT
    replica: Freshness | None = None
    """Where the window was read from the local replica: how fresh it is. None: read from the API."""

    @property
    def capped(self) -> bool:
        return self.target < self.total

    @property
    def missed(self) -> int:
        """Calls the scan should have read but did not see: they moved between pages while it ran."""
        pages_read_fully = self.target - sum(b - a + 1 for a, b in self.missing_ranges())
        return max(0, pages_read_fully - self.read)

    @property
    def complete(self) -> bool:
        return not self.failed_pages and not self.capped and not self.missed

    def missing_ranges(self) -> list[tuple[int, int]]:
        """1-based positions (in the API's order) of calls on pages that could not be read."""
        return [
            ((page - 1) * self.page_size + 1, min(page * self.page_size, self.target))
            for page, _ in sorted(self.failed_pages, key=lambda item: item[0])
        ]


class _InOrder:
    """Pages handed to `consume` in page order, each call once, up to the scan's target."""

    def __init__(self, scan: Scan, consume: Consume, progress: Progress | None) -> None:
        self.scan, self.consume, self.progress = scan, consume, progress
        self.ready: dict[int, list[CallRow] | None] = {}
        self.next_page = 1
        self.seen: set[str] = set()
        self.moved = anyio.Condition()

    async def deliver(self, page: int, rows: list[CallRow] | None) -> None:
        """Page `page` has arrived (None: it could not be read); hand over every page now in order."""
        async with self.moved:
            self.ready[page] = rows
            while self.next_page in self.ready:
                batch = self.ready.pop(self.next_page)
                self.next_page += 1
                if batch is not None:
                    await self.take(batch)
            self.moved.notify_all()

    async def take(self, batch: list[CallRow]) -> None:
        scan = self.scan
        fresh: list[CallRow] = []
        for row in batch:
            key = row.call_id or f"#{scan.read + len(fresh)}"
            if key not in self.seen and scan.read + len(fresh) < scan.target:
                self.seen.add(key)
                fresh.append(row)
        scan.read += len(fresh)
        if fresh:
            await self.consume(fresh)
        if self.progress:
            await self.progress(scan.read, scan.target)

    async def wait_for_room(self, page: int, ahead: int) -> None:
        """Wait until `page` is at most `ahead` pages past the one `consume` waits for."""
        async with self.moved:
            while page - self.next_page >= ahead:
                await self.moved.wait()


async def scan_window(
    client: Lister,
    query: LogQuery,
    consume: Consume,
    *,
    ceiling: int = DEFAULT_CEILING,
    concurrency: int = DEFAULT_CONCURRENCY,
    page_size: int = API_MAX_LIMIT,
    progress: Progress | None = None,
) -> Scan:
    """Hand every call matching `query` (its page and limit are ignored), up to `ceiling`, to `consume`.

    The first page is required (its failure raises). Pages reach `consume` in order, each once, with
    calls already seen (a call that moved between pages while the scan ran) left out. From the replica, the
    window's rows come newest created first.
    """
    if isinstance(client, ReplicaLister):
        return await _scan_replica(client, query, consume, ceiling, progress)
    scan = Scan(page_size=page_size)
    first = await client.list_logs(query.with_page(1, page_size))
    scan.requests = 1
    scan.total = first.pagination.total if first.pagination.total is not None else len(first.logs)
    scan.target = min(scan.total, ceiling)
    order = _InOrder(scan, consume, progress)
    limiter = anyio.CapacityLimiter(max(1, concurrency))
    # Pages are fetched at most this far ahead of the one `consume` waits for, so a slow page never
    # leaves the rest of the window piling up in memory.
    ahead = 2 * max(1, concurrency)

    async def fetch(page: int) -> None:
        async with limiter:
            scan.requests += 1
            try:
                result = await client.list_logs(query.with_page(page, page_size))
            except AtomsAPIError as error:
                scan.failed_pages.append((page, error))
                await order.deliver(page, None)
                return
        await order.deliver(page, result.logs)

    await order.deliver(1, first.logs)
    async with anyio.create_task_group() as group:
        for page in range(2, math.ceil(scan.target / page_size) + 1):
            await order.wait_for_room(page, ahead)
            group.start_soon(fetch, page)
    if scan.missed and scan.total == scan.target:
        # By last update (the default order), a call updated during the scan moved up to page 1. Newest created
        # first, a call created during the scan pushed the window's oldest calls past its last page.
        pushed = query.sort_by == "created" and query.sort_order != "asc"
        scan.requests += 1
        try:
            again = await client.list_logs(query.with_page(scan.target // page_size + 1 if pushed else 1, page_size))
        except AtomsAPIError:
            return scan
        async with order.moved:
            await order.take(again.logs)
    return scan


async def _scan_replica(
    replica: ReplicaLister, query: LogQuery, consume: Consume, ceiling: int, progress: Progress | None
) -> Scan:
    freshness = replica.freshness()  # before the window's snapshot: one pooled connection at a time
    async with replica.window(query, ceiling) as (total, batches):
        scan = Scan(total=total, target=min(total, ceiling), replica=freshness)
        async for batch in batches:
            scan.read += len(batch)
            await consume(batch)
            if progress is not None:
                await progress(scan.read, scan.target)
    return scan
