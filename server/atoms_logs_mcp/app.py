"""Builds the MCP server: one Atoms API client for the server's lifetime, then every tool, resource, prompt
and completion, each registered by its own module in `tools/`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import anyio
import httpx

from . import __version__
from .api.agent_versions import AgentVersions
from .api.client import AtomsClient
from .api.pool import Transport, open_pool
from .config import Settings
from .domain.calls import CallReader
from .domain.clock import WallClock, clock_from
from .domain.live_watch import RecentWatches
from .domain.lookup import AgentDirectory
from .domain.replica.keeper import ReplicaKeeper, SyncPlan
from .domain.version_names import VersionCatalogs
from .settings_table import env_name
from .store.call_store import CallStore
from .team.admission import admitted
from .team.health import Health
from .team.tenants import Tenants
from .tools import (
    analyze_calls,
    compare_calls,
    completions,
    diff_agent_versions,
    export_logs,
    get_agent,
    get_log,
    list_agents,
    list_logs,
    prompts,
    resources,
    search_by_call_ids,
    search_transcripts,
    subscriptions,
    summarize_logs,
    watch_call,
)
from .tools.apps import extension
from .tools.context import AppContext
from .tools.instructions import INSTRUCTIONS
from .tools.lean_server import AtomsMCPServer
from .tools.subscriptions import Subscribers

TOOLS: dict[str, Callable[[Any], None]] = {
    "list_logs": list_logs.register,
    "summarize_logs": summarize_logs.register,
    "list_agents": list_agents.register,
    "get_log": get_log.register,
    "search_by_call_ids": search_by_call_ids.register,
    "export_logs": export_logs.register,
    "search_transcripts": search_transcripts.register,
    "analyze_calls": analyze_calls.register,
    "compare_calls": compare_calls.register,
    "watch_call": watch_call.register,
    "get_agent": get_agent.register,
    "diff_agent_versions": diff_agent_versions.register,
}


SERVER_SIDE_FILES = ("export_logs",)
"""Tools whose answer is a file on the server's disk: a team server's users cannot reach it, so it does not offer
them."""


def sync_plan(settings: Settings) -> SyncPlan:
    return SyncPlan(settings.sync_interval, settings.sync_since_days, settings.concurrency)


def open_context(
    settings: Settings, pool: httpx.AsyncClient, store: CallStore, subscribers: Subscribers, clock: WallClock
) -> AppContext:
    """What the requests of one key read: its client on the shared pool, its caches and its replica's keeper."""
    client = AtomsClient(settings, pool=pool)
    agents, versions = AgentDirectory(client), AgentVersions(client)
    calls = CallReader(client, store, wall_clock=clock)
    catalogs = VersionCatalogs(versions, agents)
    replica = ReplicaKeeper(calls, sync_plan(settings), clock, enabled=settings.sync and bool(settings.api_key))
    return AppContext(settings, client, agents, calls, versions, subscribers, RecentWatches(), clock, catalogs, replica)


def _lifespan(
    settings: Settings,
    transport: Transport | None,
    health: Health | None,
    live: list[AppContext],
    subscribers: Subscribers,
) -> Callable[[Any], AbstractAsyncContextManager[AppContext | Tenants]]:
    """What the server opens once for its lifetime: the store, the connection pool, the background tasks; then
    the one context (a key from the settings) or each key's (`Tenants`, passthrough)."""
    clock = clock_from(settings.now)

    @asynccontextmanager
    async def lifespan(_: Any) -> AsyncIterator[AppContext | Tenants]:
        location = settings.store_location
        store = CallStore.open(location, settings.store_max_mb * 1024 * 1024) if location else CallStore.off()
        try:
            async with open_pool(settings, transport) as pool, anyio.create_task_group() as background:

                def build(keyed: Settings) -> AppContext:
                    return open_context(keyed, pool, store, subscribers, clock)

                if health is not None:
                    health.attach(store, pool)
                if settings.auth_mode == "passthrough":
                    tenants = Tenants(settings, build, background)
                    background.start_soon(tenants.sweep_forever)
                    yield tenants
                else:
                    state = build(settings)
                    if state.replica.enabled:
                        background.start_soon(state.replica.run_forever)
                    live.append(state)
                    try:
                        yield state
                    finally:
                        live.remove(state)
                background.cancel_scope.cancel()
        finally:
            store.close()

    return lifespan


def create_server(
    settings: Settings, *, transport: Transport | None = None, health: Health | None = None
) -> AtomsMCPServer:
    """The server, reading the API described by `settings` (through `transport` when given, e.g. in-process).
    `settings.tools` (its variable: settings_table.py) narrows the tools offered; ValueError names an unknown one.
    With `settings.auth_mode` passthrough each request reads with its own key (`team`), else with the settings'.
    `health`, when given, is told the store and connection pool the lifespan opens (the HTTP probes read it)."""
    unknown = sorted(set(settings.tools or ()) - set(TOOLS))
    if unknown:
        raise ValueError(f"{env_name('tools')} names no tool {', '.join(unknown)}; the tools are: {', '.join(TOOLS)}")
    team = settings.auth_mode == "passthrough"
    live: list[AppContext] = []  # the open lifespans: completions get no request context of their own
    subscribers = subscriptions.Subscribers()  # shared by every session

    server = AtomsMCPServer(
        "atoms-logs",
        title="Atoms conversation logs",
        instructions=INSTRUCTIONS,
        version=__version__,
        lifespan=_lifespan(settings, transport, health, live, subscribers),
        log_level="WARNING",
        extensions=[extension(settings.tools or TOOLS)],
    )
    for name, register in TOOLS.items():
        if (settings.tools is None or name in settings.tools) and not (team and name in SERVER_SIDE_FILES):
            register(server)
    resources.register(server)
    if team:  # stateless: no session to hold a subscription, nor a stream to send its updates on
        server.admission = admitted
    else:
        subscriptions.register(server, subscribers)
    prompts.register(server)
    completions.register(server, live)
    return server
