"""Resource subscriptions: a client subscribed to a call's log resource (`domain.call_uris`) hears when a watched
live call changes.

In the 2026-07-28 era a client listens with `subscriptions/listen`, which the SDK serves from the server's
event bus (`ctx.notify_resource_updated`). In the 2025-11-25 era it sends `resources/subscribe`, handled
here: the subscribing connection is remembered and sent `notifications/resources/updated` directly.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import anyio
from mcp.server import MCPServer
from mcp.server.context import ServerRequestContext
from mcp.types import EmptyResult, SubscribeRequestParams, UnsubscribeRequestParams

from .context import Ctx

MAX_PER_RESOURCE = 64
"""Subscribed connections kept per resource; past it the oldest is forgotten (a connection that closed
without unsubscribing is otherwise only forgotten when sending to it fails)."""
SEND_WITHIN_S = 1.0
"""A notice that cannot be sent to a connection in this time drops that subscription."""
MAX_RESOURCES = 1024
"""Resources with subscribers kept; past it the longest-held is forgotten."""


def _connection(session: Any) -> Any:
    # The SDK makes a ServerSession per request; the connection under it is what lasts, and what is subscribed.
    return getattr(session, "_connection", session)


class Subscribers:
    """The 2025-era connections subscribed to each resource URI (each with a session to send through)."""

    def __init__(self) -> None:
        self._by_uri: OrderedDict[str, OrderedDict[Any, Any]] = OrderedDict()

    def add(self, uri: str, session: Any) -> None:
        subscribed = self._by_uri.setdefault(uri, OrderedDict())
        self._by_uri.move_to_end(uri)
        while len(self._by_uri) > MAX_RESOURCES:
            self._by_uri.popitem(last=False)
        subscribed[_connection(session)] = session
        subscribed.move_to_end(_connection(session))
        while len(subscribed) > MAX_PER_RESOURCE:
            subscribed.popitem(last=False)

    def remove(self, uri: str, session: Any) -> None:
        subscribed = self._by_uri.get(uri)
        if subscribed is not None:
            subscribed.pop(_connection(session), None)
            if not subscribed:
                del self._by_uri[uri]

    async def updated(self, ctx: Ctx, uri: str) -> None:
        """Tell everyone subscribed to `uri` (in either era) that it changed."""
        await ctx.notify_resource_updated(uri)
        for session in list(self._by_uri.get(uri, {}).values()):
            try:
                with anyio.fail_after(SEND_WITHIN_S):
                    await session.send_resource_updated(uri)
            except Exception:  # a connection that has gone (or is stuck) is forgotten, never a failed tool
                self.remove(uri, session)


def register(server: MCPServer[Any], subscribers: Subscribers) -> None:
    """Serve `resources/subscribe` and `resources/unsubscribe` (2025-11-25 era). Any URI may be subscribed to;
    only the call resources of a watched live call ever change."""

    async def subscribe(ctx: ServerRequestContext[Any], params: SubscribeRequestParams) -> EmptyResult:
        subscribers.add(str(params.uri), ctx.session)
        return EmptyResult()

    async def unsubscribe(ctx: ServerRequestContext[Any], params: UnsubscribeRequestParams) -> EmptyResult:
        subscribers.remove(str(params.uri), ctx.session)
        return EmptyResult()

    lowlevel = server._lowlevel_server  # the SDK registers these two only through the low-level server
    lowlevel.add_request_handler("resources/subscribe", SubscribeRequestParams, subscribe)
    lowlevel.add_request_handler("resources/unsubscribe", UnsubscribeRequestParams, unsubscribe)
