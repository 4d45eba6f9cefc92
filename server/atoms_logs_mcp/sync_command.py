"""`atoms-logs-mcp sync [--full]`: bring the account's replica in the call store up to date once, then exit.

On a terminal a progress line shows the pages and calls listed and the details read, with an estimate of the time
left; elsewhere (a cron job, a log) only the closing summary is printed.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

import anyio

from .api.client import AtomsClient
from .api.errors import AtomsError
from .config import Settings
from .domain.calls import CallReader
from .domain.clock import clock_from
from .domain.replica.keeper import ReplicaKeeper, SyncPlan, SyncRound
from .domain.replica.sync import SyncStopped
from .render.failures import explain
from .settings_table import env_name, key_names
from .store.call_store import CallStore


class ProgressLine:
    """One line rewritten in place on a terminal: pages, calls, details, time left."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.on = stream, stream.isatty()
        self.pages = self.rows = self.details = 0
        self.total: int | None = None
        self.queued: int | None = None
        self.started = time.monotonic()

    async def page(self, pages: int, rows: int, total: int | None) -> None:
        self.pages, self.rows, self.total = pages, rows, total
        self.draw()

    async def batch(self, read: int, queued: int) -> None:
        self.details, self.queued = read, queued
        self.draw()

    def draw(self) -> None:
        if not self.on:
            return
        calls = f"{self.rows}/{self.total}" if self.total is not None else str(self.rows)
        line = f"pages {self.pages} · calls {calls} · details {self.details}"
        if self.queued:
            rate = self.details / max(time.monotonic() - self.started, 1e-3)
            line += f" ({self.queued}+ queued, about {self.queued / rate / 60:.0f} min left)" if rate else ""
        self.stream.write("\r" + line.ljust(78)[:120])
        self.stream.flush()

    def done(self) -> None:
        if self.on:
            self.stream.write("\n")


def run_sync_command(full: bool, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"atoms-logs-mcp: {error}", file=err)
        return 2
    if not settings.api_key:
        print(f"atoms-logs-mcp: no Atoms API key. Set {key_names()}.", file=err)
        return 2
    if settings.store_location is None:
        print(f"atoms-logs-mcp: the call store is off ({env_name('store')}=off); the replica lives in it.", file=err)
        return 2
    store = CallStore.open(settings.store_location, settings.store_max_mb * 1024 * 1024)
    if not store.on:
        print(f"atoms-logs-mcp: {store.notice}", file=err)
        return 1
    try:
        return anyio.run(_sync, settings, store, full, out, err)
    finally:
        store.close()


async def _sync(settings: Settings, store: CallStore, full: bool, out: TextIO, err: TextIO) -> int:
    clock = clock_from(settings.now)
    progress = ProgressLine(err)
    async with AtomsClient(settings) as client:
        reader = CallReader(client, store, wall_clock=clock)
        plan = SyncPlan(settings.sync_interval, settings.sync_since_days, settings.concurrency)
        keeper = ReplicaKeeper(reader, plan, clock, enabled=True)
        failure: list[str] = []
        try:
            result = await keeper.sync(full=full, on_page=progress.page, on_details=progress.batch)
        except* AtomsError as group:
            failure += [explain(error) for error in group.exceptions if isinstance(error, AtomsError)]
        except* SyncStopped as group:
            failure += [f"{group.exceptions[0]}; what was read is kept, and the next sync goes on from there"]
        progress.done()
        if failure:
            print(f"atoms-logs-mcp: sync stopped: {failure[0]}", file=err)
            return 1
        if result.held_elsewhere:
            print("Another process is syncing this store now (the server, or another `sync`); it keeps the "
                  "replica current. Try again when it is done.", file=out)  # fmt: skip
            return 0
        print(summary(result, keeper), file=out)
    return 0


def summary(result: SyncRound, keeper: ReplicaKeeper) -> str:
    rows, details = result.rows, result.details
    lister = keeper.replica
    counts = lister.counts(keeper.reader.org, keeper.state().horizon)
    lines = [
        f"Listed {rows.rows} rows in {rows.requests} requests: {rows.changed} new or changed, {rows.deleted} deleted"
        + (" (a walk of the whole list)" if rows.walked else "") + ".",
        f"Details: {details.kept} read and kept"
        + (f", {details.failed} could not be read (tried again on the next sync)" if details.failed else "")
        + (f"; stopped near the store's size cap ({env_name('store_max_mb')})" if details.stopped_at_cap else "")
        + ".",
        f"The replica holds {counts.rows} calls; transcripts local for {counts.details} of the {counts.finished} "
        "finished.",
    ]  # fmt: skip
    return "\n".join(lines)
