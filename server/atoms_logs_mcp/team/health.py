"""Whether a server replica is alive (`/healthz`) and ready for requests (`/readyz`), for the proxy or orchestrator
in front of a team server.

Ready means: not draining (a SIGTERM was received), the store answers, and the Atoms API answers HTTP at all (any
status: a 401 without a key is an answer). The API check is remembered a few seconds, so probes every second do
not each reach it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse

from ..store.call_store import CallStore

API_CHECK_KEEP_S = 5.0
API_CHECK_TIMEOUT_S = 3.0


@dataclass
class Health:
    draining: bool = False
    store: CallStore | None = None
    pool: httpx.AsyncClient | None = None
    _api_checked: tuple[float, str | None] = field(default=(float("-inf"), None))

    def attach(self, store: CallStore, pool: httpx.AsyncClient) -> None:
        """The store and connection pool the server's lifespan opened."""
        self.store, self.pool = store, pool

    async def problems(self) -> list[str]:
        if self.store is None or self.pool is None:
            return ["starting"]
        found = ["draining: stopping after the calls in flight"] if self.draining else []
        if self.store.notice and not self.store.on:  # it failed and is not tried yet (a store turned off by the
            found.append(f"store unavailable: {self.store.notice}")  # settings is no problem)
        if api := await self._api_problem():
            found.append(api)
        return found

    async def _api_problem(self) -> str | None:
        at, problem = self._api_checked
        if time.monotonic() - at < API_CHECK_KEEP_S:
            return problem
        assert self.pool is not None
        try:
            await self.pool.get("conversation", params={"limit": "1"}, timeout=API_CHECK_TIMEOUT_S)
            problem = None
        except httpx.HTTPError as error:
            problem = f"Atoms API unreachable ({type(error).__name__})"
        self._api_checked = (time.monotonic(), problem)
        return problem


def routes(health: Health) -> dict[str, object]:
    """The two probe handlers by path."""

    async def alive(_: Request) -> JSONResponse:
        return JSONResponse({"status": "alive"})

    async def ready(_: Request) -> JSONResponse:
        problems = await health.problems()
        return JSONResponse(
            {"status": "not ready" if problems else "ready", "problems": problems}, status_code=503 if problems else 200
        )

    return {"/healthz": alive, "/readyz": ready}
