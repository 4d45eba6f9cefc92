"""The replica's tables: every call's list row (as read from the API, leniently, unknown fields kept), each
organisation's sync state and the lease.

Rows in, rows out: what a row means, which rows a question wants and when to sync are the domain's
(`domain/replica/`). Rows are never evicted (the size cap applies to details, `CallStore.evict`). Every method is
guarded like the CallStore's: when the file cannot be used the store turns itself off and callers read the API.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from .call_store import CallStore, chunks, guarded
from .engine import Engine, Reader, Session, StoreUnavailable

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


def _upsert(db: Engine) -> str:
    same = "call_rows.fingerprint = excluded.fingerprint"
    return f"""INSERT INTO call_rows (org, {_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (org, call_id) DO UPDATE SET
    created = excluded.created, updated = excluded.updated, status = excluded.status,
    duration = excluded.duration, latency = excluded.latency, attempt = excluded.attempt, row = excluded.row,
    changed = CASE WHEN {same} THEN call_rows.changed ELSE excluded.changed END,
    detail_tried = CASE WHEN {same} THEN call_rows.detail_tried END,
    fingerprint = excluded.fingerprint, walk = {db.greatest("call_rows.walk", "excluded.walk")}"""  # noqa: S608


def _stale_detail(db: Engine) -> str:
    """A finished row whose detail is not stored for the row as it is now."""
    same = f"c.org = r.org AND c.call_id = r.call_id AND c.fingerprint {db.same} r.fingerprint"
    return f"r.status IN {FINAL} AND NOT EXISTS (SELECT 1 FROM calls c WHERE {same})"  # noqa: S608


class Replica:
    """The replica's tables in the call store's database (sharing its engine and its guard)."""

    def __init__(self, store: CallStore) -> None:
        self.store = store

    @property
    def db(self) -> Engine:
        assert self.store.db is not None
        return self.store.db

    @property
    def on(self) -> bool:
        return self.store.on

    def _rows(self, statement: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self.db.session() as session:
            return session.rows(statement, parameters)

    def _one(self, statement: str, parameters: Sequence[Any] = ()) -> tuple[Any, ...] | None:
        with self.db.session() as session:
            return session.one(statement, parameters)

    # Rows --------------------------------------------------------------------------------------------------

    @guarded(dict)
    def fingerprints(self, org: str, call_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for chunk in chunks(call_ids):
            marks = ",".join("?" * len(chunk))
            statement = f"SELECT call_id, fingerprint FROM call_rows WHERE org = ? AND call_id IN ({marks})"  # noqa: S608
            found.update(self._rows(statement, (org, *chunk)))
        return found

    @guarded(lambda: False)
    def commit_page(
        self, org: str, rows: Sequence[RowRecord], *, walk: int, changed: Sequence[float], state: dict[str, Any]
    ) -> bool:
        """Upsert a page of rows (`changed`: when each is seen to change, if it did) and save the sync state in one
        transaction: a sync killed at any point leaves the state of the last page it committed, with that page's
        rows. False when the store could not write."""
        with self.db.transaction() as session:
            session.run_many(
                _upsert(self.db),
                [
                    (org, r.call_id, r.created, r.updated, when, r.status, r.duration, r.latency, r.attempt,
                     r.fingerprint, r.row, walk)
                    for r, when in zip(rows, changed, strict=True)
                ],
            )  # fmt: skip
            _save_state(session, org, state)
        return True

    @guarded(lambda: 0)
    def delete_unwalked(self, org: str, walk: int, created_from: float, state: dict[str, Any]) -> int:
        """After walk `walk` read every row created from `created_from` on: drop the rows it did not see (deleted
        from the account), with their details, and save the state; how many went."""
        where = "org = ? AND walk < ? AND created >= ?"
        with self.db.transaction() as session:
            gone = [row[0] for row in session.rows(f"SELECT call_id FROM call_rows WHERE {where}",  # noqa: S608
                                                   (org, walk, created_from))]  # fmt: skip
            session.run(f"DELETE FROM call_rows WHERE {where}", (org, walk, created_from))  # noqa: S608
            for call_id in gone:
                session.run("DELETE FROM turns WHERE org = ? AND call_id = ?", (org, call_id))
                session.run("DELETE FROM calls WHERE org = ? AND call_id = ?", (org, call_id))
            _save_state(session, org, state)
        return len(gone)

    def select(self, statement: str, parameters: Sequence[Any]) -> list[tuple[Any, ...]]:
        """A read of `call_rows` (aliased `r`) that the domain wrote (domain/replica/sql.py). A database that cannot
        be read turns the store off and raises StoreUnavailable: no rows would be a false answer."""
        db = self.store.db
        if db is None or not self.store.on:
            raise StoreUnavailable(self.store.notice or "the store is off")
        try:
            found = self._rows(statement, parameters)
        except (*db.errors, OSError) as error:  # type: ignore[misc]
            self.store.turn_off(error)
            raise StoreUnavailable(self.store.notice or "the store is off") from error
        self.store.worked()
        return found

    @guarded(lambda: None)
    def count_rows(self, org: str) -> int | None:
        row = self._one("SELECT count(*) FROM call_rows WHERE org = ?", (org,))
        return int(row[0]) if row else None

    # Details -----------------------------------------------------------------------------------------------

    @guarded(list)
    def detail_queue(
        self, org: str, created_from: float, tried_before: float, limit: int, below: tuple[float, str] | None = None
    ) -> list[tuple[str, str, str, float]]:
        """(call id, row fingerprint, row, created) of finished rows created from `created_from` whose detail is
        missing or was read for an older row, newest first (below `below`, a (created, call id) already passed),
        leaving out those tried after `tried_before` (not settled yet)."""
        stale = f"{_stale_detail(self.db)} AND (r.detail_tried IS NULL OR r.detail_tried < ?)"
        after = " AND (r.created < ? OR (r.created = ? AND r.call_id < ?))" if below else ""
        statement = (
            "SELECT r.call_id, r.fingerprint, r.row, r.created FROM call_rows r "  # noqa: S608
            f"WHERE r.org = ? AND r.created >= ? AND {stale}{after} ORDER BY r.created DESC, r.call_id DESC LIMIT ?"
        )
        keyset = (below[0], below[0], below[1]) if below else ()
        return [tuple(row) for row in self._rows(statement, (org, created_from, tried_before, *keyset, limit))]

    @guarded(lambda: 0)
    def detail_backlog(self, org: str, created_from: float, tried_before: float) -> int:
        """How many details `detail_queue` holds (for a progress line)."""
        statement = (
            "SELECT count(*) FROM call_rows r WHERE r.org = ? AND r.created >= ? "  # noqa: S608
            f"AND {_stale_detail(self.db)} AND (r.detail_tried IS NULL OR r.detail_tried < ?)"
        )
        row = self._one(statement, (org, created_from, tried_before))
        return int(row[0]) if row else 0

    @guarded(lambda: None)
    def mark_tried(self, org: str, call_id: str, now: float) -> None:
        """The call's detail was read but not kept (not settled yet): not read again before a while."""
        with self.db.session() as session:
            session.run("UPDATE call_rows SET detail_tried = ? WHERE org = ? AND call_id = ?", (now, org, call_id))

    @guarded(lambda: ReplicaCounts(0, 0, 0))
    def counts(self, org: str, created_from: float) -> ReplicaCounts:
        row = self._one(
            f"SELECT count(*), coalesce(sum(CASE WHEN r.status IN {FINAL} THEN 1 ELSE 0 END), 0), "  # noqa: S608
            f"coalesce(sum(CASE WHEN {_stale_detail(self.db)} THEN 1 ELSE 0 END), 0) "
            "FROM call_rows r WHERE r.org = ? AND r.created >= ?",
            (org, created_from),
        )
        rows, finished, stale = (int(value) for value in row) if row else (0, 0, 0)
        return ReplicaCounts(rows, finished, finished - stale)

    # Sync state and lease ----------------------------------------------------------------------------------

    @guarded(lambda: None)
    def state(self, org: str) -> dict[str, Any] | None:
        row = self._one("SELECT state FROM sync_state WHERE org = ?", (org,))
        value = json.loads(row[0]) if row else None
        return value if isinstance(value, dict) else None

    @guarded(lambda: None)
    def save_state(self, org: str, state: dict[str, Any]) -> None:
        with self.db.transaction() as session:
            _save_state(session, org, state)

    @guarded(lambda: False)
    def take_lease(self, org: str, holder: str, now: float, seconds: float) -> bool:
        """Hold (or renew) the right to sync `org` for `seconds`; False while another holder's lease runs. On
        PostgreSQL, the organisation's advisory lock (held while the process lives; `seconds` does not apply)."""
        if self.db.locks is not None:
            return self.db.locks.take(org, holder)
        with self.db.transaction() as session:
            row = session.one("SELECT holder, expires FROM sync_lease WHERE org = ?", (org,))
            if row is not None and row[0] != holder and row[1] > now:
                return False
            session.run(
                "INSERT INTO sync_lease (org, holder, expires) VALUES (?, ?, ?) ON CONFLICT (org) DO UPDATE SET "
                "holder = excluded.holder, expires = excluded.expires",
                (org, holder, now + seconds),
            )
        return True

    @guarded(lambda: None)
    def lease_holder(self, org: str) -> str | None:
        if self.db.locks is not None:  # an advisory lock has no holder to name: its process holds it while it lives
            return None
        row = self._one("SELECT holder FROM sync_lease WHERE org = ?", (org,))
        return str(row[0]) if row else None

    @guarded(lambda: None)
    def release_lease(self, org: str, holder: str) -> None:
        if self.db.locks is not None:
            self.db.locks.release(org, holder)
            return
        with self.db.session() as session:
            session.run("DELETE FROM sync_lease WHERE org = ? AND holder = ?", (org, holder))

    @guarded(list)
    def organisations(self) -> list[tuple[str, int, dict[str, Any] | None]]:
        """(organisation, rows, sync state) of every organisation with rows or a sync state."""
        rows = dict(self._rows("SELECT org, count(*) FROM call_rows GROUP BY org"))
        states = dict(self._rows("SELECT org, state FROM sync_state"))
        return [(org, rows.get(org, 0), json.loads(states[org]) if org in states else None)
                for org in sorted(set(rows) | set(states))]  # fmt: skip

    @guarded(lambda: None)
    def reset(self) -> None:
        """Forget every row and sync state (the details stay, as the store's cache): the next sync starts over."""
        with self.db.transaction() as session:
            for table in ("call_rows", "sync_state", "sync_lease"):
                session.run(f"DELETE FROM {table}")  # noqa: S608


def _save_state(session: Session, org: str, state: dict[str, Any]) -> None:
    session.run(
        "INSERT INTO sync_state (org, state) VALUES (?, ?) ON CONFLICT (org) DO UPDATE SET state = excluded.state",
        (org, json.dumps(state)),
    )


class Snapshot:
    """One consistent read of the replica while the sync may write: a read-only connection of its own, inside one
    read transaction. A database that cannot be read turns the store off, and raises StoreUnavailable."""

    def __init__(self, store: CallStore) -> None:
        self.store = store
        self.reader: Reader | None = None
        self._open: Any = None
        self._errors: tuple[type[BaseException], ...] = ()

    def __enter__(self) -> Snapshot:
        if self.store.db is None or not self.store.on:
            raise StoreUnavailable("the store is off")
        self._errors = self.store.db.errors
        try:
            self._open = self.store.db.snapshot()
            self.reader = self._open.__enter__()
        except (*self.store.db.errors, OSError) as error:  # type: ignore[misc]
            self._open = None
            self.store.turn_off(error)
            raise StoreUnavailable(self.store.notice or "the store is off") from error
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._open is not None:
            opened, self._open, self.reader = self._open, None, None
            try:
                opened.__exit__(*exc)
            except Exception as error:
                if exc[0] is not None:  # the failure that ended the read is the one to tell (closing a connection of
                    return  # a pool the failure replaced raises too)
                if not isinstance(error, (*self._errors, OSError, ValueError)):
                    raise
                self.store.turn_off(error)
                raise StoreUnavailable(self.store.notice or "the store is off") from error

    def one(self, statement: str, parameters: Sequence[Any]) -> tuple[Any, ...]:
        assert self.reader is not None
        with self._unavailable_on_failure():
            row = self.reader.one(statement, parameters)
        assert row is not None
        return tuple(row)

    def batches(self, statement: str, parameters: Sequence[Any], size: int) -> Iterator[list[tuple[Any, ...]]]:
        """The rows in batches; a database lost part-way (a PostgreSQL restart) turns the store off and raises
        StoreUnavailable, so the caller reads the question again from the API."""
        assert self.reader is not None
        found = self.reader.batches(statement, parameters, size)
        while True:
            with self._unavailable_on_failure():
                batch = next(found, None)
            if batch is None:
                return
            yield batch

    @contextmanager
    def _unavailable_on_failure(self) -> Iterator[None]:
        assert self.store.db is not None
        try:
            yield
        except (*self.store.db.errors, OSError) as error:  # type: ignore[misc]
            self.store.turn_off(error)
            raise StoreUnavailable(self.store.notice or "the store is off") from error
