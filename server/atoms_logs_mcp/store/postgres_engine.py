"""The store in PostgreSQL, shared by a team server's replicas: a connection pool (psycopg 3, the `team` extra),
the tables of postgres_schema.py, the transcripts' words in a `tsvector` (GIN) for search, and advisory locks for
the sync. Imported only when the store's setting is a PostgreSQL URL: the desktop bundles do not ship psycopg.

The index holds the words of store/words.py, the FTS5 tokenizer's words, given to `array_to_tsvector` as they are
(no parser, no stemming, no stop words): PostgreSQL's own parsers split otherwise ("3.14", "e-mail" and URLs
are one token to them) and would miss turns FTS5 finds. Without word positions a phrase asks for its words
anywhere in the turn; the search (domain/transcript_hits.py) checks every turn found against the query itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from .engine import Engine, Reader, Row, StoreRefused, without_password
from .postgres_locks import AdvisoryLocks
from .postgres_schema import prepare
from .words import WordQuery, words

POOL_SIZE = 10
"""Connections a server replica holds at most (each tool call borrows one per statement or transaction)."""
WAIT = 3.0
"""Seconds a statement waits for a connection before the store counts as unreachable (and the tool reads the API)."""
CONNECT_TIMEOUT = 3
LEXEME_CHARS = 400
"""Longer words are indexed by their first this many characters (PostgreSQL's lexemes stop under 2 KB), and
searched by that prefix."""
VECTOR_BYTES = 900_000
"""A turn whose distinct words pass this (a tsvector stops under 1 MB) is kept without an index entry: every search
then checks it."""
_UPPER, _LOWER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"


def _statement(statement: str) -> str:
    """`?` placeholders as psycopg's `%s` (the store's SQL holds no other `?` and no `%`)."""
    return statement.replace("%", "%%").replace("?", "%s")


def _values(parameters: Sequence[Any]) -> tuple[Any, ...]:
    """PostgreSQL's text cannot hold NUL: it is dropped from every text value, in writes and reads alike."""
    return tuple(value.replace("\x00", "") if isinstance(value, str) else value for value in parameters)


class PostgresSession:
    def __init__(self, connection: psycopg.Connection[Any]) -> None:
        self.connection = connection

    def rows(self, statement: str, parameters: Sequence[Any] = ()) -> list[Row]:
        return self.connection.execute(_statement(statement), _values(parameters)).fetchall()

    def one(self, statement: str, parameters: Sequence[Any] = ()) -> Row | None:
        return self.connection.execute(_statement(statement), _values(parameters)).fetchone()

    def run(self, statement: str, parameters: Sequence[Any] = ()) -> None:
        self.connection.execute(_statement(statement), _values(parameters))

    def run_many(self, statement: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(_statement(statement), [_values(row) for row in rows])

    def batches(self, statement: str, parameters: Sequence[Any], size: int) -> Iterator[list[Row]]:
        """A cursor of the transaction: rows fetched `size` at a time (it ends with the transaction, so a reader
        that stops early leaves nothing open)."""
        self.run(f"DECLARE window_rows NO SCROLL CURSOR FOR {statement}", parameters)
        while rows := self.connection.execute(f"FETCH {int(size)} FROM window_rows").fetchall():
            yield rows


class _Unreachable(BaseException):
    """PostgreSQL does not answer a new connection: raised out of the pool's check, which tries again on any
    Exception (and then waits for a connection), and turned into psycopg's OperationalError."""


class PostgresEngine(Engine):
    errors = (psycopg.Error,)
    lasting = False
    same = "IS NOT DISTINCT FROM"

    def __init__(self, url: str) -> None:
        self.where = without_password(url)
        self.url = url
        self.prepared, self.suspect = False, False
        try:
            self.pool = self._pool()
        except psycopg.Error as error:  # a URL psycopg cannot read: said without its password
            raise StoreRefused(f"its URL cannot be used: {self.scrub(str(error))}") from None
        self.locks: AdvisoryLocks = AdvisoryLocks(url, CONNECT_TIMEOUT)

    def _pool(self) -> ConnectionPool[psycopg.Connection[Any]]:
        pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            self.url,
            min_size=1,
            max_size=POOL_SIZE,
            kwargs={"autocommit": True, "cursor_factory": psycopg.ClientCursor, "connect_timeout": CONNECT_TIMEOUT},
            check=self._check,
            timeout=WAIT,
            name="atoms-store",
            open=False,
        )
        pool.open(wait=False)
        return pool

    def reset(self) -> None:
        """A new pool: the old one, after failing to connect, waits longer and longer between its attempts, and
        would keep the store off for that long after PostgreSQL is back."""
        old, self.pool = self.pool, self._pool()
        self.suspect = True
        old.close(timeout=0)

    def _check(self, connection: psycopg.Connection[Any]) -> None:
        """A pooled connection is checked before it is lent; when it is broken, whether PostgreSQL answers at all.
        The pool would otherwise wait for a new connection as long as its timeout (and for ever on a machine whose
        clock is moved by libfaketime, which its timed waits do not survive)."""
        try:
            ConnectionPool.check_connection(connection)
        except psycopg.Error:
            self._probe()
            raise

    def _probe(self) -> None:
        try:
            psycopg.connect(self.url, connect_timeout=CONNECT_TIMEOUT).close()
        except psycopg.Error as error:
            raise _Unreachable(self.scrub(str(error).splitlines()[0] if str(error) else "no answer")) from None

    def _borrow(self) -> psycopg.Connection[Any]:
        try:
            if self.suspect:  # after a failure: ask PostgreSQL itself before waiting on the new pool
                self._probe()
            connection = self.pool.getconn()
        except _Unreachable as error:
            raise psycopg.OperationalError(f"PostgreSQL does not answer: {error}") from None
        self.suspect = False
        return connection

    @contextmanager
    def session(self) -> Iterator[PostgresSession]:
        connection = self._borrow()
        try:
            if not self.prepared:
                prepare(connection)
                self.prepared = True
            yield PostgresSession(connection)
        finally:
            self.pool.putconn(connection)

    @contextmanager
    def transaction(self) -> Iterator[PostgresSession]:
        with self.session() as session, session.connection.transaction():
            yield session

    @contextmanager
    def snapshot(self) -> Iterator[Reader]:
        with self.session() as session, session.connection.transaction():
            session.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield session

    def greatest(self, a: str, b: str) -> str:
        return f"greatest({a}, {b})"

    def json_string(self, column: str, name: str) -> str:
        field = _literal(name)
        return f"(CASE WHEN json_typeof({column}::json -> {field}) = 'string' THEN {column}::json ->> {field} END)"

    def json_text(self, column: str, name: str) -> str:
        value = f"{column}::json ->> {_literal(name)}"
        return (
            f"(CASE json_typeof({column}::json -> {_literal(name)}) WHEN 'boolean' THEN "
            f"(CASE WHEN {value} = 'true' THEN '1' ELSE '0' END) ELSE {value} END)"
        )

    def position(self, haystack: str, needle: str) -> str:
        return f"strpos({haystack}, {needle})"

    def lower(self, text: str) -> str:
        return f"translate({text}, '{_UPPER}', '{_LOWER}')"

    def turn_insert(self) -> str:
        return (
            "INSERT INTO turns (org, call_id, idx, role, at, content, words) "
            "VALUES (?, ?, ?, ?, ?, ?, array_to_tsvector(?::text[]))"
        )

    def turn_values(self, org: str, call_id: str, turn: Sequence[Any]) -> tuple[Any, ...]:
        return (org, call_id, *turn, lexemes(str(turn[-1])))

    def text_match(self, query: WordQuery) -> tuple[str, str, list[Any]]:
        return "turns t", "(t.words IS NULL OR t.words @@ ?::tsquery)", [tsquery(query)]

    def used_bytes(self, session: Any) -> int:
        """The calls' own sizes and about the rows' (what the size cap bounds, measured as SQLite measures it
        after a vacuum: PostgreSQL gives deleted rows' space back in its own time)."""
        (calls,) = session.one("SELECT coalesce(sum(size), 0) FROM calls")
        (rows,) = session.one("SELECT coalesce(sum(length(row)), 0) + 160 * count(*) FROM call_rows")
        return int(calls) + int(rows)

    def scrub(self, text: str) -> str:
        text = text.replace(self.url, self.where)
        try:
            password = conninfo_to_dict(self.url).get("password")
        except psycopg.Error:
            password = None
        return text.replace(str(password), "***") if password else text

    def close(self) -> None:
        """Close every connection; the pool's threads are told to stop and not waited for (they are daemons, and a
        timed wait for them does not return on a machine whose clock libfaketime moves)."""
        self.locks.close()
        self.pool.close(timeout=0)


def lexemes(text: str) -> list[str] | None:
    """The turn's distinct words as the index keeps them; None when too many to index."""
    found = sorted({word[:LEXEME_CHARS] for word in words(text)})
    return found if sum(len(word.encode()) + 8 for word in found) < VECTOR_BYTES else None


def tsquery(query: WordQuery) -> str:
    """`query` as a tsquery of quoted lexemes (read as they are, no parser): every word of a phrase anywhere."""
    return " & ".join(
        "(" + " | ".join("(" + " & ".join(_lexeme(word) for phrase in alternative for word in phrase) + ")"
                         for alternative in group) + ")"
        for group in query
    )  # fmt: skip


def _lexeme(word: str) -> str:
    quoted = "'" + word[:LEXEME_CHARS].replace("\\", "\\\\").replace("'", "''") + "'"
    return quoted + ":*" if len(word) > LEXEME_CHARS else quoted


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
