"""Opening the store's SQLite file: private file modes, WAL for sharing between processes, a versioned schema.

The store is a cache of what the API already holds, so a file written by another schema version is rebuilt,
not migrated: nothing in it is lost that the API cannot send again.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..settings_table import env_name

SCHEMA_VERSION = 3
"""Raise when a table or the digest changes: older files are then emptied and rebuilt."""
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
TABLES = ("turns_fts", "turns", "calls")


def create_private(path: Path) -> None:
    """The folder (0700) and an empty file (0600) if missing: SQLite then keeps the file's mode for its
    -wal and -shm companions. Transcripts and phone numbers are personal data."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    for companion in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if companion.exists() and os.name == "posix":
            os.chmod(companion, 0o600)


class StoreRefused(Exception):
    """The file is a SQLite database this version must not rewrite: a newer release's store, or someone else's."""


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
            _rebuild(connection)
        connection.execute("SELECT count(*) FROM calls").fetchone()
    except BaseException:
        connection.close()
        raise
    create_private(path)  # the -wal and -shm files exist now
    return connection


def _foreign(connection: sqlite3.Connection) -> bool:
    names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    return bool(names - set(TABLES) - {f"turns_fts_{part}" for part in ("data", "idx", "content", "docsize", "config")})


def _rebuild(connection: sqlite3.Connection) -> None:
    connection.execute("BEGIN IMMEDIATE")
    try:
        if connection.execute("PRAGMA user_version").fetchone()[0] != SCHEMA_VERSION:  # another process may have
            for trigger in ("turns_added", "turns_removed"):
                connection.execute(f"DROP TRIGGER IF EXISTS {trigger}")
            for table in TABLES:
                connection.execute(f"DROP TABLE IF EXISTS {table}")
            for statement in SCHEMA:
                connection.execute(statement)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
