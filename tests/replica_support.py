"""Setting up a replica for tests: a store file of the test's own, synced against a sandbox over loopback HTTP as
`atoms-logs-mcp sync` does (the same keeper), and the settings of a server that reads it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from atoms_logs_mcp.api.client import AtomsClient
from atoms_logs_mcp.domain.calls import CallReader
from atoms_logs_mcp.domain.clock import clock_from
from atoms_logs_mcp.domain.replica.keeper import ReplicaKeeper, SyncPlan, SyncRound
from atoms_logs_mcp.sandbox.serve import SandboxServer
from atoms_logs_mcp.store.call_store import CallStore
from conftest import settings_for

QUIET = 3600.0
"""A sync interval no test reaches: the server answers from the replica as the test synced it, with no request."""


def replica_settings(server: SandboxServer, path: Path, **overrides: Any) -> dict[str, Any]:
    """Overrides for `mcp_client`/`settings_for`: the store at `path`, the replica on."""
    return {"store": str(path), "sync": True, "sync_interval": QUIET, **overrides}


async def sync_once(
    server: SandboxServer, path: Path, *, full: bool = False, details: bool = True, **overrides: Any
) -> SyncRound:
    """One sync round of the store at `path` against `server`, as `atoms-logs-mcp sync` runs it (without the
    details when `details` is off)."""
    settings = settings_for(server, **replica_settings(server, path, **overrides))
    store = CallStore.open(path, settings.store_max_mb * 1024 * 1024)
    try:
        async with AtomsClient(settings) as client:
            clock = clock_from(settings.now)
            reader = CallReader(client, store, wall_clock=clock)
            plan = SyncPlan(settings.sync_interval, settings.sync_since_days, settings.concurrency)
            return await ReplicaKeeper(reader, plan, clock, enabled=True).sync(full=full, details=details)
    finally:
        store.close()
