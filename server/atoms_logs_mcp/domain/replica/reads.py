"""Reading the replica as the API would answer: a page of `GET /conversation` (`list_logs`), or a whole window
streamed in batches (`stream`), the filters applied in SQL (`sql.py`). `covers` says whether a question can be
answered here: the replica holds every call of its window."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import anyio
import anyio.lowlevel

from ...api.client import AtomsClient
from ...api.models import CallRow, LogPage, Pagination, SearchResult, read_row
from ...api.query import LogQuery
from ...api.redact import redact
from ...store.replica import Replica, Snapshot
from .rows import row_of
from .sql import order_of, where_of
from .state import SyncState

BATCH = 2000
"""Rows read per statement while streaming a window."""


@dataclass(frozen=True)
class Freshness:
    """What an answer read from the replica says of it."""

    rows: int
    """Calls the replica holds from its horizon on."""
    finished: int
    details: int
    """Finished calls whose transcript and events are local."""
    age: float
    """Seconds since the last sync pass ended."""

    @property
    def fetching(self) -> int:
        return self.finished - self.details


class ReplicaLister:
    """One organisation's replica, answering like the API's list."""

    def __init__(
        self,
        replica: Replica,
        org: str,
        state: SyncState,
        now: Callable[[], float],
        *,
        redacting: bool,
    ) -> None:
        """A store that fails while read raises StoreUnavailable (`store.replica`): the tool reads the question
        again from the API (`tools.sources.read_either`), never answers an empty page."""
        self.replica, self.org, self.state, self.now, self.redacting = replica, org, state, now, redacting

    def covers(self, query: LogQuery) -> bool:
        """Whether every call `query` asks for is in the replica: a complete walk reached the window's start."""
        if not self.state.complete:
            return False
        if query.since is None:
            return self.state.reached_end
        return self.state.reached_end or query.since.timestamp() >= self.state.horizon

    def freshness(self) -> Freshness:
        counts = self.replica.counts(self.org, self.state.horizon)
        return Freshness(counts.rows, counts.finished, counts.details, max(0.0, self.now() - self.state.synced_at))

    async def list_logs(self, query: LogQuery) -> LogPage:
        """One page, as `GET /conversation` answers it."""
        where, parameters = where_of(self.org, query, self.replica.db)
        count = self.count(query)
        limit, page = max(1, query.limit), max(1, query.page)
        found = self.replica.select(
            f"SELECT r.row FROM call_rows r WHERE {where} ORDER BY {order_of(query)} LIMIT ? OFFSET ?",  # noqa: S608
            [*parameters, limit, (page - 1) * limit],
        )
        logs = [self._row(text) for (text,) in found]
        pages = -(-count // limit)
        pagination = Pagination(total=count, page=page, limit=limit, has_more=page < pages, total_pages=pages)
        return LogPage.model_construct(logs=logs, pagination=pagination)  # rows already read: not validated again

    async def search(self, call_ids: Sequence[str]) -> SearchResult:
        """The calls among `call_ids` the replica holds, as `POST /conversation/search` answers (unknown ids absent)."""
        marks = ",".join("?" * len(call_ids))
        found = self.replica.select(
            f"SELECT r.row FROM call_rows r WHERE r.org = ? AND r.call_id IN ({marks})",  # noqa: S608
            [self.org, *call_ids],
        )
        return SearchResult.model_construct(logs=[self._row(text) for (text,) in found], total=len(found))

    def count(self, query: LogQuery) -> int:
        where, parameters = where_of(self.org, query, self.replica.db)
        found = self.replica.select(f"SELECT count(*) FROM call_rows r WHERE {where}", parameters)  # noqa: S608
        return int(found[0][0]) if found else 0

    @asynccontextmanager
    async def window(self, query: LogQuery, ceiling: int) -> AsyncIterator[tuple[int, AsyncIterator[list[CallRow]]]]:
        """(calls `query` keeps, those calls in its order up to `ceiling` in batches) from one snapshot: the count
        and the rows agree while the sync writes, and memory stays flat."""
        where, parameters = where_of(self.org, query, self.replica.db)
        with Snapshot(self.replica.store) as snapshot:
            (total,) = snapshot.one(f"SELECT count(*) FROM call_rows r WHERE {where}", parameters)  # noqa: S608
            statement = f"SELECT r.row FROM call_rows r WHERE {where} ORDER BY {order_of(query)} LIMIT ?"  # noqa: S608

            async def batches() -> AsyncIterator[list[CallRow]]:
                for found in snapshot.batches(statement, [*parameters, ceiling], BATCH):
                    yield [self._row(text) for (text,) in found]
                    await anyio.lowlevel.checkpoint()  # let the server's other requests run between batches

            yield int(total), batches()

    def _row(self, text: str) -> CallRow:
        """A kept row as the settings in effect show it (phone numbers masked when redacting, whatever the setting
        was when it was synced)."""
        return read_row(redact(json.loads(text))) if self.redacting else row_of(text)


Lister = AtomsClient | ReplicaLister
"""What a window is read from: the API, or the replica answering as it would."""
