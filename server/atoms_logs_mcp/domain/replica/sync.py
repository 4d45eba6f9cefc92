"""One sync pass of the list rows, as the spec recommends for polling: the default order (by last update, newest
first, index-backed), every attempt (`callAttemptFilter=all`), the ids already seen tracked; never `sortBy=createdAt`,
`dateFrom` or `dateTo`, which scan the whole history and answer 504 on large accounts.

Every pass starts at page 1 (offsets shift between runs) and upserts rows by call id, so an update during paging
only pushes rows down (a duplicate, never a gap). A *catch-up* stops after two full pages in a row whose rows are
all known and unchanged (the spec's row need not carry `updatedAt`); when rows do carry it, at the first page whose
last row is older than the previous pass's newest update less a margin. A *walk* reads to the end of the list, or,
when rows carry `updatedAt`, to the first page ending with a row last updated before the horizon: the first sync,
one a day, an interrupted walk resumed at its page, and after a pass that saw the total fall below what the replica
accounts for (calls deleted). A walk ends with a catch-up (rows updated while it paged moved above it), then drops
the rows it did not see. Rows created before the horizon are outside the replica: neither kept nor counted as
changes. When `pagination.total` falls while a pass pages (deletions pull rows up, past it), the pass runs again.
Each page is committed with the state, so a sync killed at any point resumes there.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from ...api.client import AtomsClient
from ...api.models import LogPage
from ...api.query import API_MAX_LIMIT, LogQuery
from ...store.replica import Replica, RowRecord
from .rows import record_of
from .state import SyncState

QUIET_PAGES = 2
"""Full pages in a row of known, unchanged rows after which a catch-up stops."""
UPDATED_MARGIN = 120.0
"""Seconds: with `updatedAt` in rows, a catch-up stops at a page ending this much before the last pass's newest."""
LIST_STEP = 1e-3
"""Seconds between the change stamps of two rows listed one after the other (`_commit`)."""
REPEATS = 3
"""Times a pass runs again when the total fell while it paged."""

OnPage = Callable[[int, int, int | None], Awaitable[None]]
"""(pages read, rows read, the API's total) after each page."""


@dataclass
class PassReport:
    requests: int = 0
    rows: int = 0
    changed: int = 0
    """Rows new or different from the replica's."""
    deleted: int = 0
    walked: bool = False


class PassRunner:
    """One pass over one organisation's rows; `renew` keeps the lease (False: another process took it over)."""

    def __init__(
        self,
        client: AtomsClient,
        replica: Replica,
        org: str,
        now: Callable[[], float],
        renew: Callable[[], bool],
        on_page: OnPage | None = None,
        page_size: int = API_MAX_LIMIT,
    ) -> None:
        self.client, self.replica, self.org, self.now, self.renew = client, replica, org, now, renew
        self.on_page, self.page_size = on_page, page_size
        self.report = PassReport()
        self.started = now()
        self.total: int | None = None
        """`pagination.total` as the last page read said."""

    async def run(self, state: SyncState, *, full: bool = False, walk: bool = True) -> PassReport:
        """A catch-up, or a walk when one is due; with `walk` off (a question waiting), only the catch-up."""
        due = state.walk_due(self.now(), full)
        if (due and walk) or (not due and await self._catch_up(state) and walk):
            await self._walk(state)
        elif due:
            await self._catch_up(state)
        state.synced_at = self.now()
        self.replica.save_state(self.org, state.saved())
        return self.report

    async def _page(self, page: int) -> LogPage:
        self.report.requests += 1
        result = await self.client.list_logs(LogQuery(page=page, limit=self.page_size, where={"attempt": "all"}))
        self.report.rows += len(result.logs)
        self.total = result.pagination.total if result.pagination.total is not None else self.total
        if self.on_page is not None:
            await self.on_page(self.report.requests, self.report.rows, result.pagination.total)
        return result

    def _full(self, result: LogPage) -> bool:
        """Whether more rows follow this page: `hasMore` when the API says it, else a page of `page_size` rows
        (rows that were not objects count: they were rows)."""
        if result.pagination.has_more is not None:
            return result.pagination.has_more
        return len(result.logs) + result.unreadable >= self.page_size

    def _commit(self, records: list[RowRecord], state: SyncState, page: int) -> None:
        # A row seen to change is stamped so that the order by last update, for rows that do not carry it, is the
        # API's: the later in this pass's list, the earlier the stamp.
        first = (page - 1) * self.page_size
        changed = [self.started - (first + index) * LIST_STEP for index in range(len(records))]
        if not self.renew() or not self.replica.commit_page(
            self.org, records, walk=state.walk, changed=changed, state=state.saved()
        ):
            raise SyncStopped("the lease was lost or the store could not be written")

    def _records(self, result: LogPage, state: SyncState) -> tuple[list[RowRecord], int, int]:
        """(the page's rows to keep, how many of them are new or changed, how many were created before the horizon:
        outside the replica, neither kept nor counted as changes)."""
        records = [record for row in result.logs if (record := record_of(row)) is not None]
        kept = [record for record in records if not 0 < record.created < state.horizon]
        known = self.replica.fingerprints(self.org, [record.call_id for record in kept])
        changed = sum(1 for record in kept if known.get(record.call_id) != record.fingerprint)
        self.report.changed += changed
        return kept, changed, len(records) - len(kept)

    async def _catch_up(self, state: SyncState) -> bool:
        """Page from the top until the rows are known; True when a walk is due (calls were deleted)."""
        for _ in range(REPEATS):
            first_total, total, quiet, page, newest = None, None, 0, 1, state.newest_updated
            while True:
                result = await self._page(page)
                total = result.pagination.total
                first_total = total if first_total is None else first_total
                records, changed, _ = self._records(result, state)
                more = self._full(result)
                quiet = quiet + 1 if more and not changed else 0
                newest = self._newest(newest, records)
                self._commit(records, state, page)
                if quiet >= QUIET_PAGES or not more or self._older_than_last(result, state):
                    break
                page += 1
            if not _fell(first_total, total):
                break
        state.newest_updated = newest
        return self._deleted_since_walk(total, state)

    def _newest(self, newest: float | None, records: list[RowRecord]) -> float | None:
        """The newest `updatedAt` read, never past now (a clock-skewed row must not stop every later catch-up)."""
        times = [r.updated for r in records if r.updated]
        return min(max([newest or 0.0, *times]), self.now() + UPDATED_MARGIN) if times else newest

    def _older_than_last(self, result: LogPage, state: SyncState) -> bool:
        last = result.logs[-1].updated_at if result.logs else None
        return (
            state.newest_updated is not None
            and last is not None
            and (last.timestamp() < state.newest_updated - UPDATED_MARGIN)
        )

    def _deleted_since_walk(self, total: int | None, state: SyncState) -> bool:
        kept = self.replica.count_rows(self.org)
        return None not in (total, kept, state.unlisted) and total - kept < state.unlisted  # type: ignore[operator]

    async def _walk(self, state: SyncState) -> None:
        """Read every page down to the horizon (resuming an interrupted walk at its page), catch up, drop what the
        walk did not see."""
        self.report.walked = True
        if not state.walking:
            state.walk, state.walk_page, state.walk_total, state.walk_skipped = state.walk + 1, 1, None, 0
        reached_end = False
        for _ in range(REPEATS):
            reached_end = await self._walk_pages(state)
            if not state.walking:
                break
        if state.walking:  # the total kept falling: what the walk did not see may still be there
            return
        await self._catch_up(state)
        state.complete, state.walked_at = True, self.now()
        state.reached_end = reached_end and not state.walk_skipped
        self.report.deleted += self.replica.delete_unwalked(self.org, state.walk, state.horizon, state.saved())
        kept = self.replica.count_rows(self.org)
        state.unlisted = self.total - kept if self.total is not None and kept is not None else None
        state.walk_total = None

    async def _walk_pages(self, state: SyncState) -> bool:
        """Page on from `state.walk_page` to the end, or (rows carrying `updatedAt`) to the first page ending with a
        row last updated before the horizon: every row below was too, so was created before it. Without
        `updatedAt` the walk goes to the end: an old call updated lately sorts above newer ones, so no page of old
        calls says the rest are old. True when the list's end was reached. Leaves `walk_page` at 1 when the total
        fell on the way (the walk must start over), else at 0."""
        while True:
            result = await self._page(state.walk_page)
            total = result.pagination.total
            if _fell(state.walk_total, total):
                state.walk_page, state.walk_total = 1, total
                self._commit([], state, 1)
                return False
            records, _, old = self._records(result, state)
            state.walk_skipped += old
            last = result.logs[-1].updated_at if result.logs else None
            end = not self._full(result)
            past_horizon = last is not None and last.timestamp() < state.horizon
            state.walk_total = total if total is not None else state.walk_total
            page, state.walk_page = state.walk_page, 0 if end or past_horizon else state.walk_page + 1
            state.walk_skipped += past_horizon and not end
            self._commit(records, state, page)
            if not state.walk_page:
                return end


class SyncStopped(Exception):
    """The pass could not go on: another process holds the lease now, or the store turned itself off."""


def _fell(before: int | None, after: int | None) -> bool:
    return before is not None and after is not None and after < before
