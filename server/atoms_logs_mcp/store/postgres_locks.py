"""The sync's lock on PostgreSQL: an advisory lock per organisation (`pg_try_advisory_lock`, keyed by a hash of the
schema and the organisation), held on a connection of its own for as long as the sync runs. Whoever holds it syncs
the organisation's rows and details; the other server replicas read. A process that dies, or loses its connection
when PostgreSQL restarts, lets go at once (no lease to wait out)."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import psycopg

log = logging.getLogger(__name__)
_KEY = "hashtextextended(current_schema() || ':' || %s, 0)"
"""The lock's number: the organisation's, in the schema's namespace (two stores in one database never meet)."""


class AdvisoryLocks:
    def __init__(self, url: str, connect_timeout: int) -> None:
        self.url, self.connect_timeout = url, connect_timeout
        self.held: dict[str, tuple[str, psycopg.Connection[Any]]] = {}
        """Key -> (holder, the connection holding its lock)."""

    def take(self, key: str, holder: str) -> bool:
        """Take `key`'s lock for `holder`, or confirm it still holds it; False while another holds it, or when the
        connection holding it was lost (PostgreSQL restarted: the lock went with it)."""
        if key in self.held:
            owner, connection = self.held[key]
            if owner != holder:
                return False
            try:
                connection.execute("SELECT 1")
            except psycopg.Error:
                self.release(key, holder)
                return False
            return True
        connection = psycopg.connect(self.url, autocommit=True, connect_timeout=self.connect_timeout)
        try:
            row = connection.execute(f"SELECT pg_try_advisory_lock({_KEY})", (key,)).fetchone()
        except BaseException:
            connection.close()
            raise
        if not row or not row[0]:
            connection.close()
            return False
        self.held[key] = (holder, connection)
        return True

    def release(self, key: str, holder: str) -> None:
        """Let `key`'s lock go if `holder` holds it (at once: closing its connection would, a moment later)."""
        if key in self.held and self.held[key][0] == holder:
            _, connection = self.held.pop(key)
            with contextlib.suppress(psycopg.Error):
                connection.execute(f"SELECT pg_advisory_unlock({_KEY})", (key,))
            with contextlib.suppress(psycopg.Error):
                connection.close()

    def close(self) -> None:
        for key, (holder, _) in list(self.held.items()):
            self.release(key, holder)
