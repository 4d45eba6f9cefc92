"""One sync pass of the list rows, as the spec recommends for polling: the default order (by last update, newest
first, index-backed), every attempt (`callAttemptFilter=all`), the ids already seen tracked; never `sortBy=createdAt`,
`dateFrom` or `dateTo`, which scan the whole history and answer 504 on large accounts.

Every pass starts at page 1 (offsets shift between runs) and upserts rows by call id, so an update during paging
only pushes rows down (a duplicate, never a gap). A *catch-up* stops after two full pages in a row whose rows are
all known and unchanged (the spec's row need not carry `updatedAt`); when rows do carry it, at the first page whose
last row is older than the previous pass's newest update less a margin. A *walk* reads down to the horizon (two
pages of rows created before it) or the end: the first sync, one a day, an interrupted walk resumed at its page,
and after a pass that saw the total fall below the replica (calls deleted). A walk ends with a catch-up (rows
updated while it paged moved above it), then drops the rows it did not see. When `pagination.total` falls while a
pass pages (deletions pull rows up, past it), the pass runs again. Each page is committed with the state, so a sync
killed at any point resumes there.
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
OLD_PAGES = 2
"""Pages in a row of rows created before the horizon after which a walk stops."""
UPDATED_MARGIN = 120.0
"""Seconds: with `updatedAt` in rows, a catch-up stops at a page ending this much before the last pass's newest."""
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
        self.total: int | None = None
        """`pagination.total` as the last page read said."""

    async def run(self, state: SyncState, *, full: bool = False) -> PassReport:
        if state.walk_due(self.now(), full) or await self._catch_up(state):
            await self._walk(state)
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

    def _commit(self, records: list[RowRecord], state: SyncState) -> None:
        if not self.renew() or not self.replica.commit_page(
            self.org, records, walk=state.walk, now=self.now(), state=state.saved()
        ):
            raise SyncStopped("the lease was lost or the store could not be written")

    def _records(self, result: LogPage) -> tuple[list[RowRecord], int]:
        """The page's rows to keep, and how many of them are new or changed."""
        records = [record for row in result.logs if (record := record_of(row)) is not None]
        known = self.replica.fingerprints(self.org, [record.call_id for record in records])
        changed = sum(1 for record in records if known.get(record.call_id) != record.fingerprint)
        self.report.changed += changed
        return records, changed

    async def _catch_up(self, state: SyncState) -> bool:
        """Page from the top until the rows are known; True when a walk is due (calls were deleted)."""
        for _ in range(REPEATS):
            first_total, total, quiet, page, newest = None, None, 0, 1, state.newest_updated
            while True:
                result = await self._page(page)
                total = result.pagination.total
                first_total = total if first_total is None else first_total
                records, changed = self._records(result)
                full = len(result.logs) >= self.page_size
                quiet = quiet + 1 if full and not changed else 0
                newest = max([newest or 0.0, *(r.updated for r in records if r.updated)]) or None
                self._commit(records, state)
                if quiet >= QUIET_PAGES or not full or self._older_than_last(records, state):
                    break
                page += 1
            if not _fell(first_total, total):
                break
        state.newest_updated = newest
        return self._deleted_since_walk(total, state)

    def _older_than_last(self, records: list[RowRecord], state: SyncState) -> bool:
        last = records[-1].updated if records else None
        return state.newest_updated is not None and last is not None and last < state.newest_updated - UPDATED_MARGIN

    def _deleted_since_walk(self, total: int | None, state: SyncState) -> bool:
        kept = self.replica.count_rows(self.org)
        return None not in (total, kept, state.unlisted) and total - kept < state.unlisted  # type: ignore[operator]

    async def _walk(self, state: SyncState) -> None:
        """Read every page down to the horizon (resuming an interrupted walk at its page), catch up, drop what the
        walk did not see."""
        self.report.walked = True
        if not state.walking:
            state.walk, state.walk_page, state.walk_total = state.walk + 1, 1, None
        reached_end = False
        for _ in range(REPEATS):
            reached_end = await self._walk_pages(state)
            if not state.walking:
                break
        if state.walking:  # the total kept falling: what the walk did not see may still be there
            return
        await self._catch_up(state)
        state.complete, state.reached_end, state.walked_at = True, reached_end, self.now()
        # Without updatedAt in the rows, a walk that stopped at the horizon cannot be sure that no row created after
        # it lies below (an old call updated lately sorts above a newer one): only a walk to the end drops rows.
        sure = reached_end or state.newest_updated is not None
        if sure:
            self.report.deleted += self.replica.delete_unwalked(self.org, state.walk, state.horizon, state.saved())
        kept = self.replica.count_rows(self.org)
        state.unlisted = self.total - kept if sure and self.total is not None and kept is not None else None
        state.walk_total = None

    async def _walk_pages(self, state: SyncState) -> bool:
        """Page on from `state.walk_page`; True when the list's end was reached. Leaves `walk_page` at 1 when the
        total fell on the way (the walk must start over), else at 0."""
        old = 0
        while True:
            result = await self._page(state.walk_page)
            total = result.pagination.total
            if _fell(state.walk_total, total):
                state.walk_page, state.walk_total = 1, total
                self._commit([], state)
                return False
            records, _ = self._records(result)
            old = old + 1 if records and all(r.created < state.horizon for r in records) else 0
            end = len(result.logs) < self.page_size or result.pagination.has_more is False
            state.walk_total = total if total is not None else state.walk_total
            state.walk_page = 0 if end or old >= OLD_PAGES else state.walk_page + 1
            self._commit(records, state)
            if not state.walk_page:
                return end


class SyncStopped(Exception):
    """The pass could not go on: another process holds the lease now, or the store turned itself off."""


def _fell(before: int | None, after: int | None) -> bool:
    return before is not None and after is not None and after < before
