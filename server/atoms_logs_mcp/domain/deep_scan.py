"""Reading what is inside every call of a window: the list pages, then each call's detail (or its stored digest).

The window is listed newest first (by creation), up to the ceiling. Calls the store holds are read from it;
the rest are fetched `concurrency` at a time (from the replica, `lister`, the window is listed with no request,
and the details of its finished calls are local once the sync read them). When the API still answers 429 after
the client's own retries, the scan waits as long as it was told (Retry-After), halves how many details it reads
at once and tries the call again, then speeds up again after a run of successes: a rate limit slows an
investigation, it does not fail it. Other failures of one call are recorded and said; an answer that could not be
read at all (the key refused, the API unreachable) fails the whole scan, since every other call would fail the
same way.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime

import anyio

from ..api.errors import AtomsAPIError, AuthenticationError, RateLimitedError, UnreachableError, WrongServiceError
from ..api.models import CallDetail, CallRow
from ..api.query import LogQuery
from .calls import CallReader, completed_by
from .digest import Digest, digest_of
from .replica.reads import Lister
from .scan import Progress, Scan, scan_window

log = logging.getLogger(__name__)
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
    rows: dict[str, CallRow] = field(default_factory=dict)
    """The list row of each call listed: what a digest stored from a detail alone lacks (`Digest.with_row`); with
    `open_stored` (every call's digest read) emptied once the digests are made, since they hold it."""
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
        """Calls read: from the store or the API (calls that could not be opened are not read)."""
        return self.from_store + self.fetched


class Pace:
    """How many details are read at once: halved on a 429 (once per wait, however many requests met it), every
    request held until the wait the API asked for is over, then grown back by one after a run of successes."""

    def __init__(self, concurrency: int) -> None:
        self.most = max(1, concurrency)
        self.limiter = anyio.CapacityLimiter(self.most)
        self.streak = 0
        self.slowed = 0
        self.resume_at = 0.0

    async def ready(self) -> None:
        """Wait out a Retry-After another request was given."""
        delay = self.resume_at - anyio.current_time()
        if delay > 0:
            await anyio.sleep(delay)

    def rate_limited(self, retry_after: float | None) -> None:
        now = anyio.current_time()
        if now < self.resume_at:  # already slowed for this wait
            return
        self.slowed += 1
        self.streak = 0
        self.limiter.total_tokens = max(1, int(self.limiter.total_tokens) // 2)
        self.resume_at = now + (retry_after if retry_after and retry_after > 0 else DEFAULT_WAIT)

    async def run(self, request: Callable[[], Awaitable[CallDetail]]) -> CallDetail | None:
        """The request's answer, at this pace, asked again after each 429; None when the 429s never stop."""
        for _ in range(RATE_LIMIT_ATTEMPTS):
            await self.ready()
            async with self.limiter:
                try:
                    answer = await request()
                except RateLimitedError as error:
                    self.rate_limited(error.retry_after)
                    continue
            self.succeeded()
            return answer
        return None

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
    lister: Lister | None = None,
) -> DeepScan:
    """Digests of every call matching `query` (newest first), up to `ceiling`; `on_detail` sees each call
    fetched from the API (calls from the store are not opened). With `open_stored=False` the digests of stored
    calls are not read either (a transcript search reads only those of the calls that match)."""
    rows: dict[str, CallRow] = {}

    async def collect(batch: list[CallRow]) -> None:
        rows.update((row.call_id, row) for row in batch if row.call_id)

    newest_first = replace(query, sort_by="created", sort_order="desc")
    listing = await scan_window(
        lister or reader.client, newest_first, collect, ceiling=ceiling, concurrency=page_concurrency
    )
    result = DeepScan(listing, oldest=min((r.created_at for r in rows.values() if r.created_at), default=None))
    result.order, result.rows = list(rows), rows
    stored: dict[str, Digest | None] = (
        {i: d.with_row(rows[i]) for i, d in reader.stored_digests(result.order).items()}
        if open_stored
        else dict.fromkeys(reader.store.stored_ids(reader.org, result.order))
    )
    result.from_store = len(stored)
    missing = [rows[i] for i in result.order if i not in stored]
    fetched = await _fetch_missing(reader, missing, result, concurrency, progress, on_detail)
    result.digests = [d for d in (stored.get(i) or fetched.get(i) for i in result.order) if d is not None]
    if open_stored:  # every digest holds what its row said: the rows are only needed to name unopened calls
        result.rows = {}
    reader.store.evict()
    result.notice = reader.store.notice
    return result


async def _fetch_missing(
    reader: CallReader,
    rows: list[CallRow],
    result: DeepScan,
    concurrency: int,
    progress: Progress | None,
    on_detail: OnDetail | None,
) -> dict[str, Digest]:
    pace = Pace(concurrency)
    digests: dict[str, Digest] = {}
    total = result.from_store + len(rows)

    async def read(row: CallRow) -> None:
        call_id = row.call_id or ""
        call = await pace.run(lambda: reader.fetch_unkept(call_id))
        if call is None:
            result.failed.append((call_id, "the API kept answering 429 (rate limited)"))
            return
        call = completed_by(call, row)  # the detail lacks what only the list row carries (the spec's shapes)
        digest = digest_of(call)
        if not reader.keep(call, digest, in_memory=False):
            result.unsettled += 1
        digests[call_id] = digest
        result.fetched += 1
        if on_detail is not None:
            on_detail(call)
        if progress is not None:
            await progress(result.from_store + len(digests), total)

    fatal: list[AtomsAPIError] = []

    async def guarded(row: CallRow, scope: anyio.CancelScope) -> None:
        try:
            await read(row)
        except FATAL as error:
            fatal.append(error)
            scope.cancel()
        except AtomsAPIError as error:
            result.failed.append((row.call_id or "?", str(error).splitlines()[0][:200]))
        except Exception as error:  # one odd call never fails the investigation; it is named as not read
            log.exception("reading %s failed", row.call_id)
            result.failed.append((row.call_id or "?", f"could not be read here ({type(error).__name__})"))

    async with anyio.create_task_group() as group:
        for row in rows:
            group.start_soon(guarded, row, group.cancel_scope)
    if fatal:
        raise fatal[0]
    result.slowed = pace.slowed
    return digests
