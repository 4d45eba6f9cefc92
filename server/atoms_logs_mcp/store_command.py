"""`atoms-logs-mcp store [clear]`: where the call store is, how big; per organisation the calls of its replica, the
details local and the last sync; emptying it (the sync then starts over)."""

from __future__ import annotations

import sqlite3
import sys
from datetime import UTC, datetime
from pathlib import Path

from .config import Settings
from .domain.clock import clock_from
from .domain.replica.state import SyncState
from .render.replica import ago
from .settings_table import env_name
from .store.call_store import CallStore
from .store.engine import without_password
from .store.replica import Replica


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def run_store_command(action: str) -> int:
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"atoms-logs-mcp: {error}", file=sys.stderr)
        return 2
    location = settings.store_location
    if location is None:
        print(f"The call store is off ({env_name('store')}=off).")
        return 0
    if action == "clear":
        return _clear(location, settings.store_max_mb)
    shown = without_password(location) if isinstance(location, str) else location
    print(f"Call store: {shown}")
    if isinstance(location, Path) and not location.exists():
        print("Not created yet: the first investigation creates it.")
        return 0
    store = CallStore.open(location, settings.store_max_mb * 1024 * 1024)
    if not store.on:
        print(store.notice)
        return 1
    _show(store, location, settings)
    return 0


def _show(store: CallStore, location: Path | str, settings: Settings) -> None:
    usage = {org.org: org for org in store.usage()}
    replicas = {org: (rows, SyncState.read(state, 0.0)) for org, rows, state in Replica(store).organisations()}
    size = _size(location) if isinstance(location, Path) else store.used_bytes()
    where = "on disk" if isinstance(location, Path) else "in the database (details and rows)"
    print(f"Size {where}: {size / 1e6:.1f} MB; details capped at {settings.store_max_mb} MB "
          f"({env_name('store_max_mb')})")  # fmt: skip
    rows, details = sum(rows for rows, _ in replicas.values()), sum(org.calls for org in usage.values())
    print(f"Calls: {rows} in the replica; details local: {details}")
    for org in sorted(set(usage) | set(replicas)):
        print(f"Organisation {org} (a fingerprint of its API key):")
        kept = usage.get(org)
        rows, state = replicas.get(org, (0, None))
        print(f"  calls in the replica: {rows}; details local: {kept.calls if kept else 0} "
              f"({(kept.bytes if kept else 0) / 1e6:.1f} MB)")  # fmt: skip
        print(f"  {_last_sync(state, settings)}")
    store.close()
    if not usage and not replicas:
        print("Empty: `atoms-logs-mcp sync`, or the server while it runs, fills it.")


def _last_sync(state: SyncState | None, settings: Settings) -> str:
    if state is None or not state.synced_at:
        return "never synced"
    now = clock_from(settings.now)().timestamp()
    reach = "the whole history" if state.reached_end else f"calls created since {_day(state.horizon)}"
    walk = "" if state.complete else "; the first walk is not finished (the next sync resumes it)"
    return f"last sync {ago(max(0.0, now - state.synced_at))}, covering {reach}{walk}"


def _day(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).date().isoformat()


def _clear(location: Path | str, max_mb: int) -> int:
    """Empty the store; a file that is not a database at all (corrupt) is deleted instead. A store in use by another
    process that does not free it, a newer release's store or someone else's database is left alone."""
    shown = without_password(location) if isinstance(location, str) else location
    if isinstance(location, Path) and not location.exists():
        print(f"Nothing to clear: {location} does not exist.")
        return 0
    store = CallStore.open(location, max_mb * 1024 * 1024)
    if store.on:
        store.clear()
        if store.error is not None:  # clearing failed (another process holds the file): the store turned itself off
            print(f"Not cleared: {store.notice}", file=sys.stderr)
            store.close()
            return 1
        store.close()
    elif isinstance(location, Path) and type(store.error) is sqlite3.DatabaseError:  # "not a database", "malformed"
        for file in (location, Path(f"{location}-wal"), Path(f"{location}-shm")):
            file.unlink(missing_ok=True)
    else:
        print(f"Not cleared: {store.notice}", file=sys.stderr)
        return 1
    print(f"Cleared the call store at {shown}.")
    return 0
