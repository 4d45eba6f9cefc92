"""Reading what is inside every call of a window: the list pages, then each call's detail (or its stored digest).

The window is listed newest first (by creation), up to the ceiling. Calls the store holds are read from it;
the rest are fetched `concurrency` at a time. When the API still answers 429 after the client's own retries,
the scan waits as long as it was told (Retry-After), halves how many details it reads at once and tries the
call again, then speeds up again after a run of successes: a rate limit slows an investigation, it does not
fail it. Other failures of one call are recorded and said; an answer that could not be read at all (the
key refused, the API unreachable) fails the whole scan, since every other call would fail the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

import anyio

from ..api.errors import AtomsAPIError, AuthenticationError, RateLimitedError, UnreachableError, WrongServiceError
from ..api.models import CallDetail, CallRow
from ..api.query import LogQuery
from .calls import CallReader
from .digest import Digest, digest_of
from .scan import Progress, Scan, scan_window

FATAL = (AuthenticationError, UnreachableError, WrongServiceError)
"""Failures that every other request of the scan would meet too."""
RATE_LIMIT_ATTEMPTS = 6
"""Times one call is tried again after a 429 that outlasted the client's retries."""
SPEED_UP_AFTER = 20
"""Successes in a row after which one more detail is read at once again (up to the concurrency asked)."""
DEFAULT_WAIT = 1.0
"""Seconds to wait after a 429 that did not say how long."""

OnDetail = Callable[[CallDetail], None]


@dataclass
class DeepScan:
    listing: Scan
    digests: list[Digest] = field(default_factory=list)
    """One per call read, newest first (with `open_stored=False`, only the calls fetched from the API)."""
    order: list[str] = field(default_factory=list)
    """Every call read, newest first."""
    from_store: int = 0
    fetched: int = 0
    unsettled: int = 0
    """Calls read from the API that may still change (in progress, or analytics not in yet): not stored."""
    failed: list[tuple[str, str]] = field(default_factory=list)
    """(call id, why) of calls whose detail could not be read."""
    oldest: datetime | None = None
    """Creation time of the oldest call listed: where a capped scan stopped."""
    slowed: int = 0
    """Times the scan slowed down because the API said 429."""
    notice: str | None = None

    @property
    def read(self) -> int:
        return len(self.order)

    @property
    def complete(self) -> bool:
        return self.listing.complete and not self.failed


class _Pace:
    """How many details are read at once: halved on a 429, grown back by one after a run of successes."""

    def __init__(self, concurrency: int) -> None:
        self.most = max(1, concurrency)
        self.limiter = anyio.CapacityLimiter(self.most)
        self.streak = 0
        self.slowed = 0

    async def rate_limited(self, retry_after: float | None) -> None:
        self.slowed += 1
        self.streak = 0
        self.limiter.total_tokens = max(1, int(self.limiter.total_tokens) // 2)
        await anyio.sleep(retry_after if retry_after and retry_after > 0 else DEFAULT_WAIT)

    def succeeded(self) -> None:
        self.streak += 1
        if self.streak >= SPEED_UP_AFTER and self.limiter.total_tokens < self.most:
            self.limiter.total_tokens = int(self.limiter.total_tokens) + 1
            self.streak = 0


async def deep_scan(
    reader: CallReader,
    query: LogQuery,
    *,
    ceiling: int,
    concurrency: int,
    page_concurrency: int = 4,
    progress: Progress | None = None,
    on_detail: OnDetail | None = None,
    open_stored: bool = True,
) -> DeepScan:
    """Digests of every call matching `query` (newest first), up to `ceiling`; `on_detail` sees each call
    fetched from the API (calls from the store are not opened). With `open_stored=False` the digests of stored
    calls are not read either (a transcript search reads only those of the calls that match)."""
    rows: list[CallRow] = []

    async def collect(batch: list[CallRow]) -> None:
        rows.extend(row for row in batch if row.call_id)

    newest_first = replace(query, sort_by="createdAt", sort_order="desc")
    listing = await scan_window(reader.client, newest_first, collect, ceiling=ceiling, concurrency=page_concurrency)
    result = DeepScan(listing, oldest=min((r.created_at for r in rows if r.created_at), default=None))
    ids = [row.call_id for row in rows if row.call_id]
    result.order = ids
    stored: dict[str, Digest | None] = (
        dict(reader.stored_digests(ids)) if open_stored else dict.fromkeys(reader.store.stored_ids(reader.org, ids))
    )
    result.from_store = len(stored)
    fetched = await _fetch_missing(
        reader, [i for i in ids if i not in stored], result, concurrency, progress, on_detail
    )
    result.digests = [d for d in (stored.get(i) or fetched.get(i) for i in ids) if d is not None]
    result.notice = reader.store.notice
    return result


async def _fetch_missing(
    reader: CallReader,
    ids: list[str],
    result: DeepScan,
    concurrency: int,
    progress: Progress | None,
    on_detail: OnDetail | None,
) -> dict[str, Digest]:
    pace = _Pace(concurrency)
    digests: dict[str, Digest] = {}
    total = result.from_store + len(ids)

    async def read(call_id: str) -> None:
        for _ in range(RATE_LIMIT_ATTEMPTS):
            async with pace.limiter:
                try:
                    call = await reader.fetch_unkept(call_id)
                except RateLimitedError as error:
                    wait = error.retry_after
                else:
                    pace.succeeded()
                    break
            await pace.rate_limited(wait)
        else:
            result.failed.append((call_id, "the API kept answering 429 (rate limited)"))
            return
        digest = digest_of(call)
        if not reader.keep(call, digest):
            result.unsettled += 1
        digests[call_id] = digest
        result.fetched += 1
        if on_detail is not None:
            on_detail(call)
        if progress is not None:
            await progress(result.from_store + len(digests), total)

    fatal: list[AtomsAPIError] = []

    async def guarded(call_id: str, scope: anyio.CancelScope) -> None:
        try:
            await read(call_id)
        except FATAL as error:
            fatal.append(error)
            scope.cancel()
        except AtomsAPIError as error:
            result.failed.append((call_id, str(error).splitlines()[0][:200]))

    async with anyio.create_task_group() as group:
        for call_id in ids:
            group.start_soon(guarded, call_id, group.cancel_scope)
    if fatal:
        raise fatal[0]
    result.slowed = pace.slowed
    return digests
