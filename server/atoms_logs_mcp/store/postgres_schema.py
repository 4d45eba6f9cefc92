"""The store's tables in PostgreSQL: the same tables and columns as the SQLite file (store/database.py), with the
transcripts' words in a `tsvector` column under a GIN index instead of FTS5, and a versioned schema.

The version is a row of `schema_version`; a newer schema reached by the steps of `MIGRATIONS`, one per version,
inside one transaction under an advisory lock (the replicas of a team server start together). A newer release's
schema is refused, like a newer SQLite file. Schema 4 is the first one PostgreSQL holds.
"""

from __future__ import annotations

from typing import Any

from .database import SCHEMA_VERSION
from .engine import TABLES, StoreRefused

FIRST_VERSION = 4
SCHEMA = (
    """CREATE TABLE calls (
    org text NOT NULL,
    call_id text NOT NULL,
    created text,
    status text,
    agent_id text,
    agent_name text,
    detail bytea NOT NULL,
    digest text NOT NULL,
    size bigint NOT NULL,
    read_at double precision NOT NULL,
    fingerprint text,
    PRIMARY KEY (org, call_id)
)""",
    "CREATE INDEX calls_read_at ON calls (read_at)",
    """CREATE TABLE turns (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org text NOT NULL,
    call_id text NOT NULL,
    idx integer NOT NULL,
    role text,
    at double precision,
    content text NOT NULL,
    words tsvector
)""",
    "CREATE INDEX turns_call ON turns (org, call_id, idx)",
    "CREATE INDEX turns_words ON turns USING gin (words)",
    """CREATE TABLE call_rows (
    org text NOT NULL,
    call_id text NOT NULL,
    created double precision NOT NULL,
    updated double precision,
    changed double precision NOT NULL,
    status text,
    duration double precision,
    latency double precision,
    attempt numeric,
    fingerprint text NOT NULL,
    row text NOT NULL,
    walk integer NOT NULL DEFAULT 0,
    detail_tried double precision,
    UNIQUE (org, call_id)
)""",
    "CREATE INDEX call_rows_created ON call_rows (org, created, call_id)",
    "CREATE INDEX call_rows_updated ON call_rows (org, (coalesce(updated, changed)), call_id)",
    "CREATE TABLE sync_state (org text PRIMARY KEY, state text NOT NULL)",
    "CREATE TABLE sync_lease (org text PRIMARY KEY, holder text NOT NULL, expires double precision NOT NULL)",
    "CREATE TABLE schema_version (version integer NOT NULL)",
)
MIGRATIONS: dict[int, tuple[str, ...]] = {}
"""Statements taking the database from the key's schema to the next (none yet: 4 is the first)."""
MIGRATION_LOCK = "atoms-logs-mcp schema"


def prepare(connection: Any) -> None:
    """Create the tables, or bring them to `SCHEMA_VERSION`; StoreRefused when they are not ours to change.
    `connection` is a psycopg connection in autocommit mode."""
    with connection.transaction():
        connection.execute("SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))", (MIGRATION_LOCK,))
        if connection.execute("SELECT to_regclass('schema_version')").fetchone()[0] is None:
            _create(connection)
            return
        row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
        version = int(row[0]) if row and row[0] is not None else 0
        if version > SCHEMA_VERSION:
            raise StoreRefused(f"a newer atoms-logs-mcp wrote it (schema {version}; this one reads {SCHEMA_VERSION})")
        if version < FIRST_VERSION:
            raise StoreRefused(f"its schema_version table says {version}, which no atoms-logs-mcp wrote")
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step]:
                connection.execute(statement)
        if version != SCHEMA_VERSION:
            connection.execute("UPDATE schema_version SET version = %s", (SCHEMA_VERSION,))


def _create(connection: Any) -> None:
    found = [t for t in TABLES if connection.execute("SELECT to_regclass(%s)", (t,)).fetchone()[0] is not None]
    if found:
        raise StoreRefused(
            f"it holds tables named like the store's ({', '.join(found)}) but no schema_version: point the store "
            "at a database (or a schema, with options=-csearch_path=...) of its own"
        )
    for statement in SCHEMA:
        connection.execute(statement)
    connection.execute("INSERT INTO schema_version VALUES (%s)", (SCHEMA_VERSION,))
