"""The database under the call store: SQLite (a file of this user's) or PostgreSQL (a team server's replicas sharing
one database). The store's classes (call_store.py, replica.py) write their SQL once, with `?` placeholders and the
standard forms both engines take (`INSERT ... ON CONFLICT ... DO UPDATE`); what differs is asked of the engine:
a few SQL spellings, the full-text index, the bytes in use, the sync's lock, and what a failure means (a file that
fails keeps failing; a server that fails may be back in a moment).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, Protocol

from .words import WordQuery

POSTGRES_SCHEMES = ("postgresql://", "postgres://")
TEAM_EXTRA = "pip install 'atoms-logs-mcp[team]'"
TABLES = ("turns", "calls", "call_rows", "sync_state", "sync_lease")
"""The store's tables, in an order that deletes dependents first."""

Row = tuple[Any, ...]


class StoreRefused(Exception):
    """A database this version must not rewrite: a newer release's store, someone else's, or one it cannot reach
    for want of a driver."""


class StoreUnavailable(Exception):
    """A read of the replica could not begin: the store is off, or its database failed (the store turned off)."""


class Session(Protocol):
    """Statements on one connection (in a transaction, or each committed alone)."""

    def rows(self, statement: str, parameters: Sequence[Any] = ()) -> list[Row]: ...
    def one(self, statement: str, parameters: Sequence[Any] = ()) -> Row | None: ...
    def run(self, statement: str, parameters: Sequence[Any] = ()) -> None: ...
    def run_many(self, statement: str, rows: Iterable[Sequence[Any]]) -> None: ...


class Reader(Protocol):
    """One consistent read while others write (store/replica.py's `Snapshot`)."""

    def one(self, statement: str, parameters: Sequence[Any] = ()) -> Row | None: ...
    def batches(self, statement: str, parameters: Sequence[Any], size: int) -> Iterator[list[Row]]: ...


class Locks(Protocol):
    """Locks the database holds for a process while it lives (PostgreSQL's advisory locks): one process at a time
    syncs an organisation, and a process that dies lets go at once."""

    def take(self, key: str, holder: str) -> bool: ...
    def release(self, key: str, holder: str) -> None: ...
    def close(self) -> None: ...


class Engine(ABC):
    """One database, and the SQL spellings that differ between engines."""

    where: str
    """The database as a person is shown it: a file's path, or a URL without its password."""
    errors: tuple[type[BaseException], ...]
    """What the driver raises when the database cannot be used."""
    lasting: bool
    """Whether a failure lasts (a corrupt or locked file): the store then stays off for the process. A server's
    failure (restarting, unreachable) is tried again after a cool-down."""
    locks: Locks | None = None
    same: str = "IS"
    """`a <same> b`: equal, or both NULL."""

    @abstractmethod
    def session(self) -> AbstractContextManager[Session]:
        """A connection whose statements each commit alone."""

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Session]:
        """A connection in one write transaction (one writer at a time), committed on leaving, else rolled back."""

    @abstractmethod
    def snapshot(self) -> AbstractContextManager[Reader]:
        """A read-only connection in one read transaction: what it reads does not change while it is open."""

    @abstractmethod
    def greatest(self, a: str, b: str) -> str: ...

    @abstractmethod
    def json_string(self, column: str, name: str) -> str:
        """The top-level field `name` of the JSON object in `column` when it is a string, else NULL."""

    @abstractmethod
    def json_text(self, column: str, name: str) -> str:
        """The field `name` as SQLite's `json_extract` gives it, as text (numbers as written, true/false as 1/0)."""

    @abstractmethod
    def position(self, haystack: str, needle: str) -> str:
        """Where `needle` is first found in `haystack`, from 1; 0 when it is not."""

    def lower(self, text: str) -> str:
        """`text` with A-Z made a-z, and nothing else changed (SQLite's `lower` without ICU)."""
        return f"lower({text})"

    @abstractmethod
    def turn_insert(self) -> str:
        """INSERT of one turn: (org, call_id, idx, role, at, content) and what the index needs of it."""

    @abstractmethod
    def turn_values(self, org: str, call_id: str, turn: Sequence[Any]) -> tuple[Any, ...]: ...

    @abstractmethod
    def text_match(self, query: WordQuery) -> tuple[str, str, list[Any]]:
        """(FROM clause naming turns `t`, WHERE condition, parameters): the turns the index finds for `query`."""

    @abstractmethod
    def used_bytes(self, session: Session) -> int:
        """Bytes the store's data take (what the size cap is held against, with the replica's rows left out)."""

    def compact(self, session: Session, *, full: bool = False) -> None:  # noqa: B027 - most engines need nothing
        """After calls were dropped: give the space back (`full`: all of it, after everything was)."""

    def close(self) -> None:  # noqa: B027
        """Let go of every connection."""

    def reset(self) -> None:  # noqa: B027
        """After a failure: drop every connection, so that the next statement connects afresh."""

    def scrub(self, text: str) -> str:
        """`text` (an error's message) without any secret of the database's setting."""
        return text


def is_server(location: str | Path) -> bool:
    """Whether the store's setting names a PostgreSQL database rather than a file."""
    return isinstance(location, str) and location.lower().startswith(POSTGRES_SCHEMES)


def without_password(url: str) -> str:
    """The URL as shown to a person: its password (in the authority or a `password=` parameter) left out."""
    url = re.sub(r"^([a-zA-Z][a-zA-Z0-9+.-]*://[^:/?#@]*):[^@/?#]*@", r"\1:***@", url)
    return re.sub(r"(?i)([?&]password=)[^&#]*", r"\1***", url)


def open_engine(location: str | Path) -> Engine:
    """The engine of the store's setting: a PostgreSQL URL, else a file path. Raises the engine's errors, OSError
    or StoreRefused when it cannot be used."""
    if is_server(location):
        try:
            from .postgres_engine import PostgresEngine
        except ImportError as error:
            raise StoreRefused(
                f"a PostgreSQL store needs the psycopg driver, which is not installed ({TEAM_EXTRA})"
            ) from error
        return PostgresEngine(str(location))
    from .sqlite_engine import SqliteEngine

    return SqliteEngine(Path(location))
