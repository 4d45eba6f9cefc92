"""The store in a SQLite file of this user's (store/database.py opens and migrates it): one connection for the
process, WAL so that a desktop app and an IDE share the file, FTS5 for the transcripts."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .database import BUSY_TIMEOUT_MS, open_database
from .engine import Engine, Reader, Row
from .words import WordQuery


class SqliteSession:
    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    def rows(self, statement: str, parameters: Sequence[Any] = ()) -> list[Row]:
        return self.connection.execute(statement, tuple(parameters)).fetchall()

    def one(self, statement: str, parameters: Sequence[Any] = ()) -> Row | None:
        row = self.connection.execute(statement, tuple(parameters)).fetchone()
        return tuple(row) if row is not None else None

    def run(self, statement: str, parameters: Sequence[Any] = ()) -> None:
        self.connection.execute(statement, tuple(parameters))

    def run_many(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        self.connection.executemany(statement, rows)

    def batches(self, statement: str, parameters: Sequence[Any], size: int) -> Iterator[list[Row]]:
        cursor = self.connection.execute(statement, tuple(parameters))
        while rows := cursor.fetchmany(size):
            yield rows


class SqliteEngine(Engine):
    errors = (sqlite3.Error,)
    lasting = True

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path)
        self.connection = SqliteSession(open_database(path))

    @contextmanager
    def session(self) -> Iterator[SqliteSession]:
        yield self.connection

    @contextmanager
    def transaction(self) -> Iterator[SqliteSession]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on error): one writer at a time across processes."""
        self.connection.run("BEGIN IMMEDIATE")
        try:
            yield self.connection
        except BaseException:
            self.connection.run("ROLLBACK")
            raise
        self.connection.run("COMMIT")

    @contextmanager
    def snapshot(self) -> Iterator[Reader]:
        """A read-only connection of its own inside one read transaction (WAL keeps what it began with)."""
        uri = f"{self.path.resolve().as_uri()}?mode=ro"
        connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            connection.execute("BEGIN")
            yield SqliteSession(connection)
        finally:
            connection.close()

    def greatest(self, a: str, b: str) -> str:
        return f"max({a}, {b})"

    def json_string(self, column: str, name: str) -> str:
        return f"json_extract({column}, '$.\"{name}\"')"

    def json_text(self, column: str, name: str) -> str:
        return f"json_extract({column}, '$.\"{name}\"')"

    def position(self, haystack: str, needle: str) -> str:
        return f"instr({haystack}, {needle})"

    def turn_insert(self) -> str:
        return "INSERT INTO turns (org, call_id, idx, role, at, content) VALUES (?, ?, ?, ?, ?, ?)"

    def turn_values(self, org: str, call_id: str, turn: Sequence[Any]) -> tuple[Any, ...]:
        return (org, call_id, *turn)

    def text_match(self, query: WordQuery) -> tuple[str, str, list[Any]]:
        """FTS5 (the triggers of store/database.py index each turn): phrases as FTS5 phrases."""
        expression = " AND ".join(
            "(" + " OR ".join("(" + " AND ".join(_quoted(" ".join(p)) for p in alternative) + ")"
                              for alternative in group) + ")"
            for group in query
        )  # fmt: skip
        return "turns_fts JOIN turns t ON t.id = turns_fts.rowid", "turns_fts MATCH ?", [expression]

    def used_bytes(self, session: Any) -> int:
        """Bytes of the file in use (free pages left by deletions aside)."""
        (pages,), (free,), (size,) = (
            session.rows(f"PRAGMA {name}")[0] for name in ("page_count", "freelist_count", "page_size")
        )
        return int((pages - free) * size)

    def compact(self, session: Any, *, full: bool = False) -> None:
        """Rebuild the full-text index, then give the freed pages back to the file system."""
        session.run("INSERT INTO turns_fts (turns_fts) VALUES ('optimize')")
        if full:
            session.run("VACUUM")
            return
        session.run("PRAGMA incremental_vacuum")
        session.run("PRAGMA wal_checkpoint(TRUNCATE)")

    def close(self) -> None:
        self.connection.connection.close()


def _quoted(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'
