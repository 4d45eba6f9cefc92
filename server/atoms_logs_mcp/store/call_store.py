"""The call store: finished calls' details, a digest of each for investigations, and their turns, searchable.

Rows are keyed by organisation (a fingerprint of the API key, never the key) and call id. Details are kept
compressed; the least recently read calls go first when the details pass the store's size cap (the replica's
list rows, store/replica.py, are not counted and never evicted). The database is a SQLite file or PostgreSQL
(store/engine.py). Every method is guarded: when the database cannot be used the store turns itself off and says
why once in `notice`; callers then read from the API as if there were no store. A file that fails (corrupt, locked
past the busy timeout, unwritable, disk full) stays off for the rest of the process; a server that fails
(unreachable, restarting) is tried again after `COOL_DOWN`. Nothing here ever fails a tool.
"""

from __future__ import annotations

import json
import logging
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import wraps
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from ..settings_table import env_name
from .engine import TABLES, Engine, Row, StoreRefused, is_server, open_engine, without_password
from .words import WordQuery

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")
EVICT_PASSES = 3
EVICT_TO = 0.9
"""Eviction brings the store to this share of its cap, so it does not run again on the next write."""
EVICT_CHECK_EVERY = 100
"""Calls written between two size checks."""
TOUCH_RESOLUTION = 3600.0
"""Seconds: a call read again within this long of its last recorded read is not written again (eviction only
needs to know roughly when a call was last read, and writing every read would dominate a search)."""
IDS_PER_QUERY = 500
"""Call ids per `IN (...)` list: below SQLite's parameter limit on every build."""
COOL_DOWN = 5.0
"""Seconds a store on a server that failed (PostgreSQL restarting, unreachable) stays off before it is tried again;
meanwhile every answer reads the API."""


@dataclass(frozen=True)
class StoredTurn:
    call_id: str
    index: int
    """1-based position in the call's transcript."""
    role: str | None
    at: float | None
    """Seconds from the call's start, when known."""
    content: str


@dataclass(frozen=True)
class OrgUsage:
    org: str
    calls: int
    bytes: int


def guarded(default: Callable[[], Any]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        @wraps(method)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            owner = args[0]
            store: CallStore = owner if isinstance(owner, CallStore) else owner.store  # type: ignore[attr-defined]
            if not store.on or store.db is None:
                return default()  # type: ignore[no-any-return]
            try:
                result = method(*args, **kwargs)
            except (*store.db.errors, OSError, zlib.error, ValueError, StoreRefused) as error:  # type: ignore[misc]
                store.turn_off(error)
                return default()  # type: ignore[no-any-return]
            store.worked()
            return result

        return run

    return decorate


class CallStore:
    """One database shared by every server process of this user (a SQLite file) or of a team server (PostgreSQL);
    `CallStore.off()` is a store of nothing."""

    def __init__(self, db: Engine | None, max_bytes: int, where: str | None = None) -> None:
        self.db = db
        self.max_bytes = max_bytes
        self.where = where if where is not None else db.where if db is not None else None
        """The database as a person is shown it (a path, or a URL without its password)."""
        self.touch_resolution = TOUCH_RESOLUTION
        self.error: BaseException | None = None
        """What turned the store off, if anything did."""
        self.notice: str | None = None
        """Why the store was turned off, once it had to be (said in answers); None while it works or is off."""
        self.resume_at = 0.0
        """`time.monotonic()` from which a server store that failed is tried again."""
        self._writes = 0

    @classmethod
    def open(cls, location: str | Path, max_bytes: int) -> CallStore:
        """The store at `location` (a file path or a PostgreSQL URL), brought under its cap; a store of nothing,
        with its `notice`, if it cannot be used (a server that cannot be reached yet is tried again later)."""
        where = without_password(str(location)) if is_server(location) else str(location)
        try:
            store = cls(open_engine(location), max_bytes, where)
        except (OSError, StoreRefused, Exception) as error:  # the engine's errors: its driver is imported in it
            store = cls(None, max_bytes, where)
            store.turn_off(error)
            return store
        store.evict()
        return store

    @classmethod
    def off(cls) -> CallStore:
        return cls(None, 0, None)

    @property
    def on(self) -> bool:
        return self.db is not None and time.monotonic() >= self.resume_at

    @property
    def path(self) -> Path | None:
        """The store's file, when it is one."""
        return Path(self.where) if self.where and self.db is not None and self.db.lasting else None

    def turn_off(self, error: BaseException) -> None:
        """Off for good (a file; a database refused), or until `COOL_DOWN` has passed (a server)."""
        self.error = error
        text = self.db.scrub(str(error)) if self.db is not None else str(error)
        reason = text.splitlines()[0][:160] if text.strip() else type(error).__name__
        if self.db is not None and not self.db.lasting and not isinstance(error, StoreRefused):
            self.resume_at = time.monotonic() + COOL_DOWN
            self.db.reset()
            self.notice = (
                f"The call store at {self.where} could not be reached ({reason}), so this answer read every call "
                f"from the API; the store is tried again in a few seconds."
            )
            log.warning("call store unreachable, tried again in %.0f s: %s", COOL_DOWN, reason)
            return
        self.notice = (
            f"The call store at {self.where} could not be used ({reason}), so this answer read every call from "
            f"the API. `atoms-logs-mcp store clear` rebuilds it; {env_name('store')}=off turns it off."
        )
        log.warning("call store off: %s", reason)
        self.close()

    def worked(self) -> None:
        """A statement succeeded: a server store that had failed is back, and answers say nothing of it."""
        if self.error is not None and self.db is not None and not self.db.lasting:
            self.error, self.notice = None, None
            log.warning("call store reachable again")

    def close(self) -> None:
        if self.db is not None:
            db, self.db = self.db, None
            try:
                db.close()
            except Exception:  # closing what failed: nothing more to do
                log.debug("closing the store failed", exc_info=True)

    # Reading ---------------------------------------------------------------------------------------------

    @guarded(dict)
    def digests(self, org: str, call_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The digests of the calls among `call_ids` that are stored (and marks them read now)."""
        found: dict[str, dict[str, Any]] = {}
        for chunk in chunks(call_ids):
            marks = ",".join("?" * len(chunk))
            statement = f"SELECT call_id, digest FROM calls WHERE org = ? AND call_id IN ({marks})"  # noqa: S608
            rows = self._sql(statement, org, *chunk)
            found.update((call_id, json.loads(digest)) for call_id, digest in rows)
        self._touch(org, list(found))
        return found

    @guarded(set)
    def stored_ids(self, org: str, call_ids: Sequence[str]) -> set[str]:
        """Which of `call_ids` are stored (not a read: only the calls whose digest or detail is read count as read)."""
        found: set[str] = set()
        for chunk in chunks(call_ids):
            marks = ",".join("?" * len(chunk))
            statement = f"SELECT call_id FROM calls WHERE org = ? AND call_id IN ({marks})"  # noqa: S608
            found.update(row[0] for row in self._sql(statement, org, *chunk))
        return found

    @guarded(dict)
    def heads(self, org: str, call_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """What a list of calls shows of each stored call among `call_ids` (id, created, status, agent id and name),
        without reading its digest (and marks them read now)."""
        found: dict[str, dict[str, Any]] = {}
        columns = ("call_id", "created", "status", "agent_id", "agent_name")
        for chunk in chunks(call_ids):
            marks = ",".join("?" * len(chunk))
            statement = f"SELECT {', '.join(columns)} FROM calls WHERE org = ? AND call_id IN ({marks})"  # noqa: S608
            found.update((row[0], dict(zip(columns, row, strict=True))) for row in self._sql(statement, org, *chunk))
        self._touch(org, list(found))
        return found

    @guarded(lambda: None)
    def detail(self, org: str, call_id: str) -> dict[str, Any] | None:
        rows = self._sql("SELECT detail FROM calls WHERE org = ? AND call_id = ?", org, call_id)
        if not rows:
            return None
        self._touch(org, [call_id])
        value = json.loads(zlib.decompress(rows[0][0]))
        return value if isinstance(value, dict) else None

    @guarded(list)
    def matching_turns(
        self, org: str, call_ids: Sequence[str], match: WordQuery | None
    ) -> list[tuple[StoredTurn, StoredTurn | None]]:
        """Turns of the calls among `call_ids` that the full-text index finds for `match` (every turn of them when it
        is None; the index may find more than `match` says, store/words.py), each with the turn before it (the
        previous turn with text), in call and turn order."""
        if match is not None:
            assert self.db is not None
            wanted = set(call_ids)
            source, condition, parameters = self.db.text_match(match)
            found = self._turns(source, f"{condition} AND t.org = ?", *parameters, org)
            return [row for row in found if row[0].call_id in wanted]
        rows = []
        for chunk in chunks(call_ids):
            rows += self._turns("turns t", f"t.org = ? AND t.call_id IN ({','.join('?' * len(chunk))})", org, *chunk)
        return sorted(rows, key=lambda row: (row[0].call_id, row[0].index))

    def _turns(self, source: str, where: str, *parameters: Any) -> list[tuple[StoredTurn, StoredTurn | None]]:
        rows = self._sql(
            f"SELECT t.call_id, t.idx, t.role, t.at, t.content, p.idx, p.role, p.at, p.content FROM {source} "  # noqa: S608
            "LEFT JOIN turns p ON p.org = t.org AND p.call_id = t.call_id AND p.idx = ("
            "  SELECT max(idx) FROM turns WHERE org = t.org AND call_id = t.call_id AND idx < t.idx) "
            f"WHERE {where} ORDER BY t.call_id, t.idx",
            *parameters,
        )
        return [(StoredTurn(*row[:5]), StoredTurn(row[0], *row[5:]) if row[5] is not None else None) for row in rows]

    @guarded(list)
    def usage(self) -> list[OrgUsage]:
        rows = self._sql("SELECT org, count(*), sum(size) FROM calls GROUP BY org ORDER BY count(*) DESC")
        return [OrgUsage(org, int(calls), int(size or 0)) for org, calls, size in rows]

    # Writing ---------------------------------------------------------------------------------------------

    @guarded(lambda: None)
    def put(
        self,
        org: str,
        call_id: str,
        *,
        created: str | None,
        status: str | None,
        agent: tuple[str | None, str | None] = (None, None),
        detail: dict[str, Any],
        digest: dict[str, Any],
        turns: Sequence[tuple[int, str | None, float | None, str]],
        fingerprint: str | None = None,
    ) -> None:
        """Keep one finished call (replacing what was kept for it); `agent` is its (id, name); `fingerprint`, the
        replica row's it was read for (store/replica.py): by default the row's the replica holds now."""
        blob = zlib.compress(json.dumps(detail, separators=(",", ":"), default=str).encode(), 6)
        digest_text = json.dumps(digest, separators=(",", ":"), default=str)
        size = len(blob) + len(digest_text) + sum(len(content) for *_, content in turns)
        assert self.db is not None
        with self.db.transaction() as session:  # the call's row first: a second writer of this call waits here
            session.run(_PUT, (org, call_id, created, status, *agent, blob, digest_text, size, time.time(), fingerprint,
                               org, call_id))  # fmt: skip
            session.run("DELETE FROM turns WHERE org = ? AND call_id = ?", (org, call_id))
            session.run_many(self.db.turn_insert(), [self.db.turn_values(org, call_id, turn) for turn in turns])
        self._writes += 1
        if self._writes % EVICT_CHECK_EVERY == 0:
            self.evict()

    def evict(self) -> int:
        """While the file's used pages pass the cap (a few passes at most), drop the least recently read calls;
        how many went."""
        dropped = 0
        for _ in range(EVICT_PASSES):
            if self.detail_bytes() <= self.max_bytes or not self.on:
                break
            dropped += self._evict_once()
        return dropped

    @guarded(lambda: 0)
    def _evict_once(self) -> int:
        """Drop the least recently read calls, as many as bring the calls' own size down by the share the file is
        over (and a tenth more), then rebuild the full-text index and give the freed pages back to the file system."""
        used = max(1, self.detail_bytes())
        assert self.db is not None
        keep = int(self._sql("SELECT coalesce(sum(size), 0) FROM calls")[0][0]) * self.max_bytes / used * EVICT_TO
        dropped = []
        for org, call_id, size in self._sql("SELECT org, call_id, size FROM calls ORDER BY read_at DESC"):
            keep -= size
            if keep < 0:
                dropped.append((org, call_id))
        with self.db.transaction() as session:
            for org, call_id in dropped:
                session.run("DELETE FROM turns WHERE org = ? AND call_id = ?", (org, call_id))
                session.run("DELETE FROM calls WHERE org = ? AND call_id = ?", (org, call_id))
        with self.db.session() as session:
            self.db.compact(session)
        return len(dropped)

    @guarded(lambda: 0)
    def used_bytes(self) -> int:
        """Bytes of the database in use (free pages left by deletions aside)."""
        assert self.db is not None
        with self.db.session() as session:
            return self.db.used_bytes(session)

    @guarded(lambda: 0)
    def detail_bytes(self) -> int:
        """Bytes the details take (with their digests, turns and index): what the size cap bounds. The replica's
        rows are left out (about their text and index entries): they are never evicted."""
        return max(0, self.used_bytes() - self.rows_bytes())

    @guarded(lambda: 0)
    def rows_bytes(self) -> int:
        """About the bytes the replica's rows take: their text and index entries (a pass over every row)."""
        (rows,) = self._sql("SELECT coalesce(sum(length(row)), 0) + 160 * count(*) FROM call_rows")[0]
        return int(rows)

    @guarded(lambda: None)
    def clear(self) -> None:
        assert self.db is not None
        with self.db.transaction() as session:
            for table in TABLES:
                session.run(f"DELETE FROM {table}")  # noqa: S608
        with self.db.session() as session:
            self.db.compact(session, full=True)

    # ------------------------------------------------------------------------------------------------------

    def _sql(self, statement: str, *parameters: Any) -> list[Row]:
        assert self.db is not None
        with self.db.session() as session:
            return session.rows(statement, parameters)

    def _touch(self, org: str, call_ids: list[str]) -> None:
        if not call_ids:
            return
        assert self.db is not None
        now = time.time()
        with self.db.transaction() as session:
            for chunk in chunks(call_ids):
                marks = ",".join("?" * len(chunk))
                statement = f"UPDATE calls SET read_at = ? WHERE org = ? AND read_at < ? AND call_id IN ({marks})"  # noqa: S608
                session.run(statement, (now, org, now - self.touch_resolution, *chunk))


_PUT = """INSERT INTO calls
    (org, call_id, created, status, agent_id, agent_name, detail, digest, size, read_at, fingerprint)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, coalesce(?, (SELECT fingerprint FROM call_rows WHERE org = ? AND call_id = ?)))
ON CONFLICT (org, call_id) DO UPDATE SET created = excluded.created, status = excluded.status,
    agent_id = excluded.agent_id, agent_name = excluded.agent_name, detail = excluded.detail,
    digest = excluded.digest, size = excluded.size, read_at = excluded.read_at, fingerprint = excluded.fingerprint"""


def chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), IDS_PER_QUERY):
        yield values[start : start + IDS_PER_QUERY]
