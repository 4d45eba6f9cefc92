"""Each user's key and what it reads, held in memory for `key_ttl` after its last request, never on disk.

In passthrough mode every request carries its user's own Atoms key. The first request of a key opens that key's
context (an Atoms client on the server's one connection pool, its caches, its kept windows and watches, its
replica's background sync); later requests of the key reuse it. A key idle past the TTL is forgotten: its sync is
cancelled and its context dropped. Contexts are found by the key's fingerprint, so nothing one key read is ever
handed to a request of another (the store splits rows by the same fingerprint).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import anyio
from anyio.abc import TaskGroup

from ..config import Settings
from ..domain.calls import key_fingerprint
from ..tools.context import AppContext

SWEEP_EVERY_S = 30.0


class MissingKey(Exception):
    """A request without `Authorization: Bearer <Atoms key>` (the HTTP gate answers these before any tool runs)."""


def bearer_of(headers: Mapping[str, str] | None) -> str:
    """The Atoms key a request carries as `Authorization: Bearer <key>` (the scheme in any case)."""
    given = (headers or {}).get("authorization", "")
    scheme, _, credentials = given.strip().partition(" ")
    if scheme.lower() != "bearer" or not credentials.strip():
        raise MissingKey("this server reads calls with each user's own Atoms key: send Authorization: Bearer <key>")
    return credentials.strip()


@dataclass
class Tenant:
    fingerprint: str
    context: AppContext
    sync: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    last_used: float = 0.0
    in_flight: int = 0
    syncing: bool = False


class Tenants:
    """The keys seen lately, each with its context. `context_for` is what `tools.context.state` asks."""

    def __init__(
        self,
        settings: Settings,
        build: Callable[[Settings], AppContext],
        background: TaskGroup,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self._build = build
        self._background = background
        self._clock = clock
        self._by_fingerprint: dict[str, Tenant] = {}

    def context_for(self, headers: Mapping[str, str] | None) -> AppContext:
        return self.tenant_for(headers).context

    def tenant_for(self, headers: Mapping[str, str] | None) -> Tenant:
        key = bearer_of(headers)
        fingerprint = key_fingerprint(key)
        tenant = self._by_fingerprint.get(fingerprint)
        if tenant is None:
            tenant = Tenant(fingerprint, self._build(replace(self.settings, api_key=key)))
            self._by_fingerprint[fingerprint] = tenant
        tenant.last_used = self._clock()
        return tenant

    def vouch(self, tenant: Tenant) -> None:
        """A call of this key was answered: the API knows the key, so its replica starts syncing (a string the API
        refuses never costs a background sync)."""
        if not tenant.syncing and tenant.context.replica.enabled and tenant.fingerprint in self._by_fingerprint:
            tenant.syncing = True
            self._background.start_soon(self._keep_syncing, tenant)

    def __len__(self) -> int:
        return len(self._by_fingerprint)

    def forget_idle(self) -> int:
        """Drop the keys idle past the TTL with nothing in flight; how many went."""
        limit = self._clock() - self.settings.key_ttl
        idle = [t for t in self._by_fingerprint.values() if t.last_used < limit and t.in_flight == 0]
        for tenant in idle:
            tenant.sync.cancel()
            del self._by_fingerprint[tenant.fingerprint]
        return len(idle)

    async def sweep_forever(self) -> None:
        while True:
            await anyio.sleep(min(SWEEP_EVERY_S, self.settings.key_ttl / 4))
            self.forget_idle()

    async def _keep_syncing(self, tenant: Tenant) -> None:
        with tenant.sync:
            await tenant.context.replica.run_forever()
