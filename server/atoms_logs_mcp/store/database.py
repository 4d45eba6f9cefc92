"""Opening the store's SQLite file: private file modes, WAL for sharing between processes, a versioned schema.

From schema 4 on the store holds a replica of the account (every call's list row and the sync's place), which
takes hours to read again on a large account: a newer schema is reached by the migrations in `MIGRATIONS`,
one step per version, never by emptying the file. Files of schema 1 and 2 held only a cache of details and are
rebuilt.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..settings_table import env_name
from .engine import StoreRefused

SCHEMA_VERSION = 4
"""Raise with a new entry in `MIGRATIONS` when a table changes."""
FIRST_MIGRATED = 3
"""The oldest schema migrated rather than rebuilt."""
BUSY_TIMEOUT_MS = 5000
"""How long a write waits for another process (a desktop app and an IDE sharing the file) before giving up."""

SCHEMA = (
    """CREATE TABLE calls (
    org TEXT NOT NULL,
    call_id TEXT NOT NULL,
    created TEXT,
    status TEXT,
    agent_id TEXT,
    agent_name TEXT,
    detail BLOB NOT NULL,
    digest TEXT NOT NULL,
    size INTEGER NOT NULL,
    read_at REAL NOT NULL,
    PRIMARY KEY (org, call_id)
) WITHOUT ROWID""",
    """CREATE INDEX calls_read_at ON calls (read_at)""",
    """CREATE TABLE turns (
    id INTEGER PRIMARY KEY,
    org TEXT NOT NULL,
    call_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    role TEXT,
    at REAL,
    content TEXT NOT NULL
)""",
    """CREATE INDEX turns_call ON turns (org, call_id, idx)""",
    """CREATE VIRTUAL TABLE turns_fts USING fts5(
    content, content='turns', content_rowid='id', tokenize="unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
)""",
    """CREATE TRIGGER turns_added AFTER INSERT ON turns BEGIN
    INSERT INTO turns_fts (rowid, content) VALUES (new.id, new.content);
END""",
    """CREATE TRIGGER turns_removed AFTER DELETE ON turns BEGIN
    INSERT INTO turns_fts (turns_fts, rowid, content) VALUES ('delete', old.id, old.content);
END""",
)
REPLICA = (
    """CREATE TABLE call_rows (
    org TEXT NOT NULL,
    call_id TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL,
    changed REAL NOT NULL,
    status TEXT,
    duration REAL,
    latency REAL,
    attempt INTEGER,
    fingerprint TEXT NOT NULL,
    row TEXT NOT NULL,
    walk INTEGER NOT NULL DEFAULT 0,
    detail_tried REAL,
    UNIQUE (org, call_id)
)""",
    """CREATE INDEX call_rows_created ON call_rows (org, created, call_id)""",
    """CREATE INDEX call_rows_updated ON call_rows (org, coalesce(updated, changed), call_id)""",
    """CREATE TABLE sync_state (org TEXT PRIMARY KEY, state TEXT NOT NULL)""",
    """CREATE TABLE sync_lease (org TEXT PRIMARY KEY, holder TEXT NOT NULL, expires REAL NOT NULL)""",
    """ALTER TABLE calls ADD COLUMN fingerprint TEXT""",
)
"""Schema 4: the replica (list rows as sent, with what SQL filters and orders on), each organisation's sync
state (JSON) and the lease that lets one process at a time sync it; the fingerprint of the list row a stored
detail was read for, so a changed row fetches its detail again."""
MIGRATIONS: dict[int, tuple[str, ...]] = {3: REPLICA}
"""Statements taking a file from the key's schema to the next."""
TABLES = ("turns_fts", "turns", "calls", "call_rows", "sync_state", "sync_lease")


def create_private(path: Path) -> None:
    """The folder (0700) and an empty file (0600) if missing: SQLite then keeps the file's mode for its
    -wal and -shm companions. Transcripts and phone numbers are personal data."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for companion in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if companion.exists() and os.name == "posix":
            os.chmod(companion, 0o600)


def open_database(path: Path) -> sqlite3.Connection:
    """The store at `path`, created, or rebuilt when an older release wrote it.

    Raises sqlite3.Error or OSError when the file cannot be used (corrupt, locked, unwritable), StoreRefused
    when it is not ours to rewrite.
    """
    create_private(path)
    connection = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreRefused(f"a newer atoms-logs-mcp wrote it (schema {version}; this one reads {SCHEMA_VERSION})")
        if version == 0 and _foreign(connection):
            raise StoreRefused(
                f"it is a SQLite database of something else; point {env_name('store')} at a file of its own"
            )
        if connection.execute("PRAGMA page_count").fetchone()[0] == 0:  # a new file: let eviction shrink it
            connection.execute("PRAGMA auto_vacuum = INCREMENTAL")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA synchronous = NORMAL")
        if version != SCHEMA_VERSION:
            _upgrade(connection)
        connection.execute("SELECT count(*) FROM calls").fetchone()
    except BaseException:
        connection.close()
        raise
    create_private(path)  # the -wal and -shm files exist now
    return connection


def _foreign(connection: sqlite3.Connection) -> bool:
    names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return bool(names - set(TABLES) - {f"turns_fts_{part}" for part in ("data", "idx", "content", "docsize", "config")})


def _upgrade(connection: sqlite3.Connection) -> None:
    """Bring the file to `SCHEMA_VERSION`: migrated step by step from `FIRST_MIGRATED` on, else rebuilt. One
    transaction, and the version is read again inside it: another process may have upgraded the file already."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
        if version < FIRST_MIGRATED:
            _rebuild(connection)
        else:
            for step in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[step]:
                    connection.execute(statement)
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def _rebuild(connection: sqlite3.Connection) -> None:
    """Drop every table and create the current schema (inside the caller's transaction)."""
    for trigger in ("turns_added", "turns_removed"):
        connection.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    for table in TABLES:
        connection.execute(f"DROP TABLE IF EXISTS {table}")
    for statement in SCHEMA:
        connection.execute(statement)
    for statement in REPLICA:
        connection.execute(statement)
