"""Admitting one tool call of a team server: its key's in-flight limit, the deadline, and its log line.

The limit is per key and per server replica (`key_max_in_flight`): each replica counts only what it serves. A call
past it is refused at once with a tool error, inside a 200 response: a 429 or 503 would make nginx try the next
replica, which serves the same key. The deadline bounds the whole call and cancels its upstream work (watch_call's
listening time, which its caller chose, comes on top).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
from mcp.server.mcpserver.exceptions import ToolError

from ..settings_table import env_name
from .logs import REQUESTS
from .tenants import MissingKey, Tenants

REQUEST_ID_HEADER = "x-request-id"
WATCH_MAX_S = 120.0
"""watch_call listens up to this long (its `seconds`) on top of the work the deadline bounds."""


class TooManyInFlight(ToolError):
    pass


@asynccontextmanager
async def admitted(tool: str, context: Any) -> AsyncIterator[None]:
    """Run one tool call of a passthrough server within its key's limit and the deadline, and log it."""
    tenants: Tenants = context.request_context.lifespan_context
    headers = context.headers or {}
    request_id = _request_id(headers)
    started, outcome, fingerprint = time.perf_counter(), "error", None
    try:
        try:
            tenant = tenants.tenant_for(headers)
        except MissingKey as error:
            raise ToolError(str(error)) from None
        fingerprint = tenant.fingerprint
        limit = tenants.settings.key_max_in_flight
        if tenant.in_flight >= limit:
            outcome = "refused"
            raise TooManyInFlight(
                f"too many requests in flight for this key: {limit} at once on this server "
                f"({env_name('key_max_in_flight')}); wait for one to finish and ask again."
            )
        tenant.in_flight += 1
        try:
            with anyio.fail_after(tenants.settings.deadline + (WATCH_MAX_S if tool == "watch_call" else 0)):
                yield
            outcome = "ok"
            tenants.vouch(tenant)
        except TimeoutError:
            outcome = "deadline"
            raise ToolError(
                f"{tool} took longer than {tenants.settings.deadline:g} s ({env_name('deadline')}) and was "
                "stopped, its requests to the API cancelled; ask for a narrower window."
            ) from None
        finally:
            tenant.in_flight -= 1
    except ToolError:
        if outcome == "error":
            outcome = "tool_error"
        raise
    finally:
        REQUESTS.info(
            "tool call",
            extra={
                "request_id": request_id,
                "key": fingerprint,
                "tool": tool,
                "took_ms": round((time.perf_counter() - started) * 1000, 1),
                "outcome": outcome,
            },
        )


def _request_id(headers: Any) -> str:
    given = str(headers.get(REQUEST_ID_HEADER, ""))[:64]
    return given if given.isprintable() and given else uuid.uuid4().hex
