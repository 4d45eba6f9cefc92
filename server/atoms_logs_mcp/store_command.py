"""`atoms-logs-mcp store [clear]`: where the call store is, how big, how many calls per organisation; emptying it."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from .config import Settings
from .settings_table import env_name
from .store.call_store import CallStore


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists())


def run_store_command(action: str) -> int:
    try:
        settings = Settings.from_env()
    except ValueError as error:
        print(f"atoms-logs-mcp: {error}", file=sys.stderr)
        return 2
    path = settings.store_path
    if path is None:
        print(f"The call store is off ({env_name('store')}=off).")
        return 0
    if action == "clear":
        return _clear(path, settings.store_max_mb)
    print(f"Call store: {path}")
    if not path.exists():
        print("Not created yet: the first investigation creates it.")
        return 0
    store = CallStore.open(path, settings.store_max_mb * 1024 * 1024)
    if not store.on:
        print(store.notice)
        return 1
    usage = store.usage()
    store.close()
    print(f"Size on disk: {_size(path) / 1e6:.1f} MB of {settings.store_max_mb} MB ({env_name('store_max_mb')})")
    print(f"Calls: {sum(u.calls for u in usage)}")
    for org in usage:
        print(f"  organisation {org.org} (a fingerprint of its API key): {org.calls} calls, {org.bytes / 1e6:.1f} MB")
    return 0


def _clear(path: Path, max_mb: int) -> int:
    """Empty the store; a file that is not a database at all (corrupt) is deleted instead. A store in use by another
    process that does not free it, a newer release's store or someone else's database is left alone."""
    if not path.exists():
        print(f"Nothing to clear: {path} does not exist.")
        return 0
    store = CallStore.open(path, max_mb * 1024 * 1024)
    if store.on:
        store.clear()
        if not store.on:  # clearing failed (another process holds the file): the store turned itself off
            print(f"Not cleared: {store.notice}", file=sys.stderr)
            return 1
        store.close()
    elif type(store.error) is sqlite3.DatabaseError:  # "file is not a database", "malformed": nothing to keep
        for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            file.unlink(missing_ok=True)
    else:
        print(f"Not cleared: {store.notice}", file=sys.stderr)
        return 1
    print(f"Cleared the call store at {path}.")
    return 0
