"""Ways to run the sandbox: over real loopback HTTP (in a thread, or in the foreground) or in-process."""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.request
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import uvicorn

from ..settings_table import env_name
from .app import API_PREFIX, DEFAULT_SANDBOX_KEY, SandboxState, create_app
from .data import generate
from .faults import FaultConfig
from .large_account import LargeAccount
from .store import CallStore
from .tenants import parse_tenant


def load_store(
    data: str | Path | None = None,
    calls: int = 500,
    seed: int = 7,
    end: datetime | None = None,
    serve_updated_at: bool | None = None,
) -> CallStore:
    """The dataset file when given, else a generated organisation whose newest calls are near `end` (now).
    `serve_updated_at=False`: rows without `updatedAt` (the list still ordered by it; store.py)."""
    if data is not None:
        return CallStore.from_file(data, serve_updated_at=serve_updated_at)
    return CallStore.from_dataset(generate(calls=calls, seed=seed, end=end), serve_updated_at=serve_updated_at)


def load_tenants(specs: Sequence[str], serve_updated_at: bool | None = None) -> dict[str, CallStore]:
    """Each `KEY=DATAFILE` as that key's own store (tenants.py); ValueError on a malformed or repeated key."""
    tenants: dict[str, CallStore] = {}
    for spec in specs:
        key, path = parse_tenant(spec)
        if key in tenants:
            raise ValueError(f"--tenant {key[:6]}…: the same key twice")
        tenants[key] = CallStore.from_file(path, serve_updated_at=serve_updated_at)
    return tenants


class _QuietDrops(logging.Filter):
    """uvicorn reports each injected dropped connection as an error; they are on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "without completing response" not in record.getMessage()


logging.getLogger("uvicorn.error").addFilter(_QuietDrops())


class BackgroundServer:
    """An ASGI app under uvicorn on loopback, in a background thread. A context manager."""

    def __init__(self, app: Any, *, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_level="warning",
            lifespan="auto",
            timeout_keep_alive=30,
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="uvicorn-background", daemon=True)
        self.host = host
        self.port = port

    @property
    def root_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> Self:
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the server did not start on {self.host}:{self.port}")
            time.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


class SandboxServer(BackgroundServer):
    """The sandbox on loopback in a background thread. `base_url` is the Atoms API base (…/atoms/v1);
    `root_url` serves the /_sandbox controls."""

    def __init__(
        self,
        store: CallStore | Mapping[str, CallStore],
        *,
        api_key: str = DEFAULT_SANDBOX_KEY,
        faults: FaultConfig | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        live_speed: float = 1.0,
        large_account: LargeAccount | bool = False,
    ) -> None:
        """`store`: one organisation's calls, read with `api_key`, or each key's own (tenants.py). `large_account`:
        True for the large-account mode at its defaults, or its settings (large_account.py)."""
        mode = LargeAccount(on=True) if large_account is True else large_account or None
        app = create_app(store, api_key=api_key, faults=faults, live_speed=live_speed, large_account=mode)
        super().__init__(app, host=host, port=port)
        self.api_key = self.state.api_key

    @property
    def state(self) -> SandboxState:
        return self.app.state.sandbox  # type: ignore[no-any-return]

    @property
    def base_url(self) -> str:
        return self.root_url + API_PREFIX

    # Controls, as any HTTP client would use them -------------------------------------------------

    def _control(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - our own loopback URL
            self.root_url + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - our own loopback URL
            return json.loads(response.read())

    def set_faults(self, **changes: Any) -> dict[str, Any]:
        return self._control("POST", "/_sandbox/faults", changes)  # type: ignore[no-any-return]

    def stats(self) -> dict[str, Any]:
        return self._control("GET", "/_sandbox/stats")  # type: ignore[no-any-return]

    def reset_stats(self) -> None:
        self._control("POST", "/_sandbox/stats/reset", {})

    def live(self) -> dict[str, Any]:
        """The live calls: speed, which have ended, and each frame sent with its wall-clock time."""
        return self._control("GET", "/_sandbox/live")  # type: ignore[no-any-return]

    def set_versioning(self, mode: str) -> None:
        """ "v2" (the branch model, the default) or "v1" (an account before the migration)."""
        self._control("POST", "/_sandbox/versioning", {"mode": mode})

    def reset_live(self, **settings: Any) -> None:
        """Every live call afresh (nothing heard yet), at `speed=` when given."""
        self._control("POST", "/_sandbox/live", settings)

    def set_large_account(self, on: bool = True, **settings: float) -> dict[str, Any]:
        """The large-account mode on or off; `ms_per_1000_calls=`, `gateway_timeout_s=`, `timeout_wait_s=`."""
        return self._control("POST", "/_sandbox/large-account", {"on": on, **settings})  # type: ignore[no-any-return]

    def put_calls(
        self, calls: list[dict[str, Any]], *, delete: list[str] | None = None, after_list_requests: int = 0
    ) -> dict[str, Any]:
        """Add or replace calls by callId (and delete `delete`), now or after that many more list pages."""
        body = {"calls": calls, "delete": delete or [], "after_list_requests": after_list_requests}
        return self._control("POST", "/_sandbox/calls", body)  # type: ignore[no-any-return]

    def delete_calls(self, call_ids: list[str], *, after_list_requests: int = 0) -> dict[str, Any]:
        body = {"callIds": call_ids, "after_list_requests": after_list_requests}
        return self._control("DELETE", "/_sandbox/calls", body)  # type: ignore[no-any-return]

    def calls_state(self) -> dict[str, Any]:
        """`{"calls": N, "pending": scheduled changes not applied yet}`."""
        return self._control("GET", "/_sandbox/calls")  # type: ignore[no-any-return]


def serve_forever(
    accounts: Mapping[str, CallStore],
    *,
    host: str,
    port: int,
    faults: FaultConfig,
    live_speed: float = 1.0,
    large_account: LargeAccount | None = None,
) -> None:
    """`atoms-logs-mcp sandbox`: serve each key its store (tenants.py) in the foreground until interrupted."""
    app = create_app(accounts, faults=faults, live_speed=live_speed, large_account=large_account)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)

    original_startup = server.startup

    async def startup(sockets: Any = None) -> None:
        await original_startup(sockets)
        bound = server.servers[0].sockets[0].getsockname()[1] if server.servers else port
        shown = f"[{host}]" if ":" in host else host
        for key, store in accounts.items():
            calls, agents = len(store.calls), len(store.agents)
            print(f"Atoms sandbox: {calls} calls, {agents} agents, API key: {key}", flush=True)
        print(f"  {env_name('base_url')}=http://{shown}:{bound}{API_PREFIX}", flush=True)
        print(f"  controls: http://{shown}:{bound}/_sandbox/stats, /_sandbox/faults", flush=True)
        if large_account and large_account.on:
            print(f"  large account: createdAt scans answer 504 past {large_account.gateway_timeout_s:g} s", flush=True)

    server.startup = startup  # type: ignore[method-assign]
    server.run()
