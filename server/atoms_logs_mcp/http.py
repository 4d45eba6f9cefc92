"""Serving MCP over streamable HTTP: loopback by default, DNS-rebinding protection always on, and an
optional bearer token.

The token guards this endpoint only. The Atoms API key is the server's own configuration: nothing in
an MCP client's request (its Authorization header included) is ever read as, or sent on as, that key.
"""

from __future__ import annotations

import hmac
import ipaddress
import sys
from collections.abc import Sequence

import uvicorn
from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .settings_table import env_name

MCP_PATH = "/mcp"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def transport_security(host: str, extra_hosts: Sequence[str] = ()) -> TransportSecuritySettings:
    """Only Host and Origin headers naming this server are accepted: a web page on another site,
    even one that resolves its name to 127.0.0.1 (DNS rebinding), is refused."""
    names = list(LOOPBACK_NAMES)
    for name in (host, *extra_hosts):
        shown = f"[{name}]" if ":" in name and not name.startswith("[") else name
        if shown not in names and not _is_wildcard(name):
            names.append(shown)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"{name}:*" for name in names] + [name for name in names if name not in LOOPBACK_NAMES],
        allowed_origins=[f"{scheme}://{name}:*" for name in names for scheme in ("http", "https")]
        + [f"{scheme}://{name}" for name in names for scheme in ("http", "https")],
    )


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def exposure_problem(host: str, token: str | None, accept_risk: bool) -> str | None:
    """Why serving on `host` is refused: beyond loopback, with no token, unless the risk is accepted explicitly."""
    if _is_loopback(host) or token or accept_risk:
        return None
    return (
        f"refusing to serve beyond loopback ({host}) without a token: anyone who can reach the port could read "
        f"your calls. Set --auth-token (or {env_name('auth_token')}), bind to 127.0.0.1, or pass --insecure-no-auth "
        "to accept the risk."
    )


class BearerTokenGate:
    """Requires `Authorization: Bearer <token>` on every HTTP request (the scheme in any case, RFC 9110);
    the token is compared in constant time."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._expected = token.strip().encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            scheme, _, credentials = given.strip().partition(b" ")
            if not (scheme.lower() == b"bearer" and hmac.compare_digest(credentials.strip(), self._expected)):
                response = JSONResponse(
                    {"error": "unauthorized", "message": "This MCP endpoint needs Authorization: Bearer <token>."},
                    status_code=401,
                    headers={"WWW-Authenticate": 'Bearer realm="atoms-logs-mcp"'},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def http_app(
    server: MCPServer, host: str, *, auth_token: str | None = None, extra_hosts: Sequence[str] = ()
) -> ASGIApp:
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH, transport_security=transport_security(host, extra_hosts)
    )
    if auth_token:
        app.add_middleware(BearerTokenGate, token=auth_token)
    return app


def serve_http(
    server: MCPServer, *, host: str, port: int, auth_token: str | None = None, extra_hosts: Sequence[str] = ()
) -> None:
    app = http_app(server, host, auth_token=auth_token, extra_hosts=extra_hosts)
    shown = f"[{host}]" if ":" in host else host
    guard = "a bearer token is required" if auth_token else "no token required (set --auth-token to require one)"
    print(f"atoms-logs-mcp: streamable HTTP on http://{shown}:{port}{MCP_PATH}; {guard}", file=sys.stderr, flush=True)
    if not _is_loopback(host):
        print(
            f"atoms-logs-mcp: listening beyond loopback ({host}); accepted Host names: "
            f"{', '.join((*LOOPBACK_NAMES, *extra_hosts))}",
            file=sys.stderr,
            flush=True,
        )
    uvicorn.run(app, host=host, port=port, log_level="warning")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
