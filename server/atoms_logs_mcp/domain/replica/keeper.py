"""Keeping one organisation's replica current, and handing it to the questions it covers.

A sync round is a pass over the rows (`sync.py`) and then the queued details (`details.py`), under a lease in the
store so that one process at a time syncs a file that a desktop app and an IDE share, and under a lock so that the
server's background loop and an investigation catching up never page at once. `lister_for` gives an investigation
the replica when it covers the question, after a catch-up when the last pass is older than the interval.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

import anyio

from ...api.errors import AtomsAPIError
from ...api.query import LogQuery
from ...store.replica import Replica
from ..calls import CallReader
from ..clock import WallClock
from .details import DetailReport, OnDetails, fetch_details
from .reads import ReplicaLister
from .state import SyncState
from .sync import OnPage, PassReport, PassRunner, SyncStopped

log = logging.getLogger(__name__)
CATCH_UP_WAIT = 10.0
"""Seconds a question waits for the catch-up of a replica older than the interval before reading it as it is."""
LEASE_SECONDS = 120.0
"""How long a lease holds without renewal: a process killed mid-sync frees the store after this long."""


@dataclass(frozen=True)
class SyncPlan:
    interval: float
    since_days: int
    concurrency: int


@dataclass
class SyncRound:
    rows: PassReport = field(default_factory=PassReport)
    details: DetailReport = field(default_factory=DetailReport)
    held_elsewhere: bool = False
    """Another process holds the lease: it is keeping the replica current."""


class ReplicaKeeper:
    def __init__(self, reader: CallReader, plan: SyncPlan, clock: WallClock, *, enabled: bool) -> None:
        self.reader, self.plan, self.clock = reader, plan, clock
        self.replica = Replica(reader.store)
        self.enabled = enabled and reader.store.db is not None  # a server's store off for a moment comes back
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.rows_lock = anyio.Lock()
        self.rounds = 0
        """Rounds of this process under way (the background loop's and a question's catch-up share the lease)."""
        self.last_error: str | None = None

    def now(self) -> float:
        return self.clock().timestamp()

    def state(self) -> SyncState:
        horizon = (self.clock() - timedelta(days=self.plan.since_days)).timestamp()
        return SyncState.read(self.replica.state(self.reader.org), horizon)

    def _renew(self) -> bool:
        # The machine's own clock, not the answers' (the `now` setting): a lease is between running processes.
        return self.replica.take_lease(self.reader.org, self.holder, time.time(), LEASE_SECONDS)

    def _take(self) -> bool:
        """The lease, also from a process of this machine that died holding it (killed mid-sync): its work is
        committed page by page, so the sync resumes at once rather than after the lease runs out."""
        if self._renew():
            return True
        holder = self.replica.lease_holder(self.reader.org)
        if holder is None or not _dead_here(holder):
            return False
        self.replica.release_lease(self.reader.org, holder)
        return self._renew()

    async def sync(
        self, *, full: bool = False, details: bool = True, walk: bool = True, on_page: OnPage | None = None,
        on_details: OnDetails | None = None,
    ) -> SyncRound:  # fmt: skip
        """One round: the rows (a catch-up only, without `walk`), then (with `details`) every queued detail; nothing
        when another process syncs."""
        result = SyncRound()
        self.rounds += 1
        try:
            async with self.rows_lock:
                if not self._take():
                    result.held_elsewhere = True
                    return result
                runner = PassRunner(self.reader.client, self.replica, self.reader.org, self.now, self._renew, on_page)
                result.rows = await runner.run(self.state(), full=full, walk=walk)
            if details:
                result.details = await fetch_details(
                    self.reader, self.replica, horizon=self.state().horizon, now=self.now,
                    concurrency=self.plan.concurrency, on_batch=on_details, keep_going=self._renew,
                )  # fmt: skip
        finally:
            self.rounds -= 1
            if not self.rounds:  # the last round of this process under way lets the lease go
                self.replica.release_lease(self.reader.org, self.holder)
        return result

    async def run_forever(self) -> None:
        """The server's background sync: a round, then the interval, until cancelled. A failure is logged and the
        next round tries again (the investigations read the API meanwhile, or the replica as it stands). A replica
        synced less than an interval ago (by `sync`, or another process) waits out the rest of it first."""
        await anyio.sleep(max(0.0, self.plan.interval - (self.now() - self.state().synced_at)))
        while True:
            try:
                await self.sync()
                self.last_error = None
            except* Exception as group:  # the API, the lease, odd data: never the server's end; next round retries
                self._failed(group.exceptions[0])
            await anyio.sleep(self.plan.interval)

    def _failed(self, error: BaseException) -> None:
        if not isinstance(error, AtomsAPIError | SyncStopped):
            log.error("replica sync failed", exc_info=error)
        self.last_error = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
        log.warning("replica sync: %s", self.last_error)

    async def lister_for(self, query: LogQuery, *, redacting: bool) -> ReplicaLister | None:
        """The replica, when it covers `query` (caught up first when the last pass is older than the interval and no
        pass is running); None: ask the API."""
        if not self.enabled:
            return None
        state = self.state()
        lister = ReplicaLister(self.replica, self.reader.org, state, self.now, redacting=redacting)
        if not lister.covers(query):
            return None
        if self.now() - state.synced_at > self.plan.interval and not self.rows_lock.locked():
            with anyio.move_on_after(CATCH_UP_WAIT):  # the question waits for a catch-up, never a walk
                try:
                    await self.sync(details=False, walk=False)
                except* (AtomsAPIError, SyncStopped) as group:  # the replica as it stands answers, said as such
                    self._failed(group.exceptions[0])
            lister.state = self.state()
        return lister if self.reader.store.on else None


def _dead_here(holder: str) -> bool:
    """Whether the lease's holder (`host:pid:nonce`) is a process of this machine that no longer runs."""
    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # exists, another user's: alive
        return False
    return False
