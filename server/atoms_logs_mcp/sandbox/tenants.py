"""Tenants: the sandbox serving several organisations at once, each API key its own dataset.

`atoms-logs-mcp sandbox --tenant KEY=DATAFILE` (repeatable) makes each key an account of its own: its calls,
agents, versions, live calls and scheduled changes. Every Atoms API route reads only the account of the request's
key, and a key that names no account gets the API's 401. A /_sandbox control acts on the account its
`Authorization: Bearer KEY` header names, else on the first account. Faults, the large-account mode and the traffic
counters are the sandbox's own, shared by all accounts.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from starlette.requests import Request

from .account_changes import ChangeSchedule
from .live import LiveCalls
from .store import CallStore

if TYPE_CHECKING:
    from .app import SandboxState


@dataclass
class Account:
    """One organisation's data, as its key reads it."""

    store: CallStore
    live_speed: float = 1.0
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        self.live = LiveCalls(self.live_speed, on_change=self.store.forget_matches)
        self.changes = ChangeSchedule(self.store, self.clock)


def bearer_token(request: Request) -> str | None:
    """The token of an `Authorization: Bearer <token>` header (the scheme in any case), else None."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def find_account(accounts: Mapping[str, Account], token: str | None) -> Account | None:
    """The account of `token`, compared in constant time with every key (None for no token or an unknown one)."""
    found = None
    for key, account in accounts.items():
        if token is not None and secrets.compare_digest(token.encode(), key.encode()):
            found = account
    return found


def account_of(request: Request) -> Account:
    """The account a request reads: the one its key named when an API route authenticated it, for a control the
    one its bearer key names, else the first."""
    authenticated = getattr(request.state, "account", None)
    if isinstance(authenticated, Account):
        return authenticated
    state: SandboxState = request.app.state.sandbox
    return find_account(state.accounts, bearer_token(request)) or state.first


def parse_tenant(spec: str) -> tuple[str, str]:
    """`KEY=DATAFILE` as (key, file); ValueError when either is missing."""
    key, sign, path = spec.partition("=")
    if not sign or not key.strip() or not path.strip():
        raise ValueError(f"--tenant wants KEY=DATAFILE, got {spec!r}")
    return key.strip(), path.strip()
