"""The replica's tables: every call's list row (as read from the API, leniently, unknown fields kept), each
organisation's sync state and the lease.

Rows in, rows out: what a row means, which rows a question wants and when to sync are the domain's
(`domain/replica/`). Rows are never evicted (the size cap applies to details, `CallStore.evict`). Every method is
guarded like the CallStore's: when the file cannot be used the store turns itself off and callers read the API.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .call_store import CallStore, chunks, guarded, transaction
from .database import BUSY_TIMEOUT_MS

FINAL = ("completed", "failed", "no_answer", "cancelled")
"""Statuses whose detail no longer changes once settled: the ones the sync fetches details of."""


@dataclass(frozen=True)
class RowRecord:
    """One list row as the replica keeps it: the row as read (JSON) and what SQL filters and orders on."""

    call_id: str
    created: float
    """Epoch seconds; 0 when the row has no readable creation time (it then falls in no window)."""
    updated: float | None
    status: str | None
    duration: float | None
    latency: float | None
    attempt: int | None
    fingerprint: str
    row: str


@dataclass(frozen=True)
class ReplicaCounts:
    rows: int
    finished: int
    """Rows in a final status (the ones with a detail to fetch)."""
    details: int
    """Finished rows whose detail is stored for the row as it is now."""


_COLUMNS = "call_id, created, updated, changed, status, duration, latency, attempt, fingerprint, row, walk"
_UPSERT = f"""INSERT INTO call_rows (org, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (org, call_id) DO UPDATE SET
    created = excluded.created, updated = excluded.updated, status = excluded.status,
    duration = excluded.duration, latency = excluded.latency, attempt = excluded.attempt, row = excluded.row,
    changed = CASE WHEN fingerprint = excluded.fingerprint THEN changed ELSE excluded.changed END,
    detail_tried = CASE WHEN fingerprint = excluded.fingerprint THEN detail_tried END,
    fingerprint = excluded.fingerprint, walk = max(walk, excluded.walk)"""  # noqa: S608
_STALE_DETAIL = """r.status IN ('completed', 'failed', 'no_answer', 'cancelled') AND NOT EXISTS (
    SELECT 1 FROM calls c WHERE c.org = r.org AND c.call_id = r.call_id AND c.fingerprint IS r.fingerprint)"""
"""A finished row whose detail is not stored for the row as it is now."""


class Replica:
    """The replica's tables in the call store's file (sharing its connection and its guard)."""

    def __init__(self, store: CallStore) -> None:
        self.store = store

    @property
    def connection(self) -> Any:
        return self.store.connection

    @property
    def on(self) -> bool:
        return self.store.on

    # Rows --------------------------------------------------------------------------------------------------

    @guarded(dict)
    def fingerprints(self, org: str, call_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in chunks(call_ids):
            marks = ",".join("?" * len(chunk))
            statement = f"SELECT call_id, fingerprint FROM call_rows WHERE org = ? AND call_id IN ({marks})"  # noqa: S608
            found.update(self.connection.execute(statement, (org, *chunk)).fetchall())
        return found

    @guarded(lambda: False)
    def commit_page(
        self, org: str, rows: Sequence[RowRecord], *, walk: int, changed: Sequence[float], state: dict[str, Any]
    ) -> bool:
        """Upsert a page of rows (`changed`: when each is seen to change, if it did) and save the sync state in one
        transaction: a sync killed at any point leaves the state of the last page it committed, with that page's
        rows. False when the store could not write."""
        with transaction(self.connection):
            self.connection.executemany(
                _UPSERT,
                [
                    (org, r.call_id, r.created, r.updated, when, r.status, r.duration, r.latency, r.attempt,
                     r.fingerprint, r.row, walk)
                    for r, when in zip(rows, changed, strict=True)
                ],
            )  # fmt: skip
            self._save_state(org, state)
        return True

    @guarded(lambda: 0)
    def delete_unwalked(self, org: str, walk: int, created_from: float, state: dict[str, Any]) -> int:
        """After walk `walk` read every row created from `created_from` on: drop the rows it did not see (deleted
        from the account), with their details, and save the state; how many went."""
        where = "org = ? AND walk < ? AND created >= ?"
        with transaction(self.connection):
            gone = [row[0] for row in self.connection.execute(f"SELECT call_id FROM call_rows WHERE {where}",  # noqa: S608
                                                              (org, walk, created_from))]  # fmt: skip
            self.connection.execute(f"DELETE FROM call_rows WHERE {where}", (org, walk, created_from))  # noqa: S608
            for call_id in gone:
                self.connection.execute("DELETE FROM turns WHERE org = ? AND call_id = ?", (org, call_id))
                self.connection.execute("DELETE FROM calls WHERE org = ? AND call_id = ?", (org, call_id))
            self._save_state(org, state)
        return len(gone)

    @guarded(list)
    def select(self, statement: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        """A read of `call_rows` (aliased `r`) that the domain wrote (domain/replica/sql.py)."""
        return list(self.connection.execute(statement, tuple(parameters)).fetchall())

    @guarded(lambda: None)
    def count_rows(self, org: str) -> int | None:
        return int(self.connection.execute("SELECT count(*) FROM call_rows WHERE org = ?", (org,)).fetchone()[0])

    # Details -----------------------------------------------------------------------------------------------

    @guarded(list)
    def detail_queue(
        self, org: str, created_from: float, tried_before: float, limit: int, below: tuple[float, str] | None = None
    ) -> list[tuple[str, str, str, float]]:
        """(call id, row fingerprint, row, created) of finished rows created from `created_from` whose detail is
        missing or was read for an older row, newest first (below `below`, a (created, call id) already passed),
        leaving out those tried after `tried_before` (not settled yet)."""
        stale = f"{_STALE_DETAIL} AND (r.detail_tried IS NULL OR r.detail_tried < ?)"
        after = " AND (r.created < ? OR (r.created = ? AND r.call_id < ?))" if below else ""
        statement = (
            "SELECT r.call_id, r.fingerprint, r.row, r.created FROM call_rows r "  # noqa: S608
            f"WHERE r.org = ? AND r.created >= ? AND {stale}{after} ORDER BY r.created DESC, r.call_id DESC LIMIT ?"
        )
        keyset = (below[0], below[0], below[1]) if below else ()
        return list(self.connection.execute(statement, (org, created_from, tried_before, *keyset, limit)).fetchall())

    @guarded(lambda: 0)
    def detail_backlog(self, org: str, created_from: float, tried_before: float) -> int:
        """How many details `detail_queue` holds (for a progress line)."""
        statement = (
            "SELECT count(*) FROM call_rows r WHERE r.org = ? AND r.created >= ? "  # noqa: S608
            f"AND {_STALE_DETAIL} AND (r.detail_tried IS NULL OR r.detail_tried < ?)"
        )
        return int(self.connection.execute(statement, (org, created_from, tried_before)).fetchone()[0])

    @guarded(lambda: None)
    def mark_tried(self, org: str, call_id: str, now: float) -> None:
        """The call's detail was read but not kept (not settled yet): not read again before a while."""
        statement = "UPDATE call_rows SET detail_tried = ? WHERE org = ? AND call_id = ?"
        self.connection.execute(statement, (now, org, call_id))

    @guarded(lambda: ReplicaCounts(0, 0, 0))
    def counts(self, org: str, created_from: float) -> ReplicaCounts:
        rows, finished, stale = self.connection.execute(
            f"SELECT count(*), coalesce(sum(r.status IN {FINAL}), 0), coalesce(sum({_STALE_DETAIL}), 0) "  # noqa: S608
            "FROM call_rows r WHERE r.org = ? AND r.created >= ?",
            (org, created_from),
        ).fetchone()
        return ReplicaCounts(rows, finished, finished - stale)

    # Sync state and lease ----------------------------------------------------------------------------------

    @guarded(lambda: None)
    def state(self, org: str) -> dict[str, Any] | None:
        row = self.connection.execute("SELECT state FROM sync_state WHERE org = ?", (org,)).fetchone()
        value = json.loads(row[0]) if row else None
        return value if isinstance(value, dict) else None

    @guarded(lambda: None)
    def save_state(self, org: str, state: dict[str, Any]) -> None:
        with transaction(self.connection):
            self._save_state(org, state)

    def _save_state(self, org: str, state: dict[str, Any]) -> None:
        self.connection.execute("INSERT OR REPLACE INTO sync_state VALUES (?, ?)", (org, json.dumps(state)))

    @guarded(lambda: False)
    def take_lease(self, org: str, holder: str, now: float, seconds: float) -> bool:
        """Hold (or renew) the right to sync `org` for `seconds`; False while another holder's lease runs."""
        with transaction(self.connection):
            row = self.connection.execute("SELECT holder, expires FROM sync_lease WHERE org = ?", (org,)).fetchone()
            if row is not None and row[0] != holder and row[1] > now:
                return False
            self.connection.execute("INSERT OR REPLACE INTO sync_lease VALUES (?, ?, ?)", (org, holder, now + seconds))
        return True

    @guarded(lambda: None)
    def lease_holder(self, org: str) -> str | None:
        row = self.connection.execute("SELECT holder FROM sync_lease WHERE org = ?", (org,)).fetchone()
        return str(row[0]) if row else None

    @guarded(lambda: None)
    def release_lease(self, org: str, holder: str) -> None:
        self.connection.execute("DELETE FROM sync_lease WHERE org = ? AND holder = ?", (org, holder))

    @guarded(list)
    def organisations(self) -> list[tuple[str, int, dict[str, Any] | None]]:
        """(organisation, rows, sync state) of every organisation with rows or a sync state."""
        rows = dict(self.connection.execute("SELECT org, count(*) FROM call_rows GROUP BY org").fetchall())
        states = dict(self.connection.execute("SELECT org, state FROM sync_state").fetchall())
        return [(org, rows.get(org, 0), json.loads(states[org]) if org in states else None)
                for org in sorted(set(rows) | set(states))]  # fmt: skip

    @guarded(lambda: None)
    def reset(self) -> None:
        """Forget every row and sync state (the details stay, as the store's cache): the next sync starts over."""
        with transaction(self.connection):
            for table in ("call_rows", "sync_state", "sync_lease"):
                self.connection.execute(f"DELETE FROM {table}")  # noqa: S608


class Snapshot:
    """One consistent read of the replica while the sync may write: a read-only connection of its own, inside one
    read transaction (WAL keeps what it began with). A file that cannot be read turns the store off."""

    def __init__(self, store: CallStore) -> None:
        self.store = store
        self.connection: sqlite3.Connection | None = None

    def __enter__(self) -> Snapshot:
        if self.store.path is None or not self.store.on:
            raise sqlite3.OperationalError("the store is off")
        try:
            uri = f"{self.store.path.resolve().as_uri()}?mode=ro"
            self.connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
            self.connection.execute("BEGIN")
        except sqlite3.Error as error:
            self.__exit__()
            self.store.turn_off(error)
            raise
        return self

    def __exit__(self, *_: object) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def one(self, statement: str, parameters: Sequence[Any]) -> tuple[Any, ...]:
        assert self.connection is not None
        return tuple(self.connection.execute(statement, tuple(parameters)).fetchone())

    def batches(self, statement: str, parameters: Sequence[Any], size: int) -> Iterator[list[tuple[Any, ...]]]:
        assert self.connection is not None
        cursor = self.connection.execute(statement, tuple(parameters))
        while rows := cursor.fetchmany(size):
            yield rows
