"""Serving MCP over streamable HTTP: loopback by default, DNS-rebinding protection always on, and one of two
ways to authenticate.

- token (the default): the bearer token guards this endpoint only. The Atoms API key is the server's own
  configuration: nothing in an MCP client's request (its Authorization header included) is ever sent on.
- passthrough (a team server, `team`): each request's `Authorization: Bearer` IS its user's Atoms key, read
  with for that request alone. The MCP authorization spec discourages passing a client's token on to another
  service; here the token was issued by that service for exactly this use, the server holds no key of its own, and
  every answer is what the user's key may read at the Atoms API itself. The deployment must terminate TLS in
  front of it (the key crosses the network). It is served stateless: any replica can serve any request.
"""

from __future__ import annotations

import hmac
import ipaddress
import sys
from collections.abc import Sequence
from types import FrameType

import uvicorn
from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from .settings_table import env_name
from .team.health import Health
from .team.health import routes as health_routes
from .team.logs import SERVING

MCP_PATH = "/mcp"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
NO_KEY_MESSAGE = (
    "This MCP server reads calls with your own Atoms API key: send Authorization: Bearer <your Atoms API key>."
)


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
    """Why serving on `host` is refused: beyond loopback, with no token, unless the risk is accepted explicitly.
    (Passthrough is authenticated: each request brings the Atoms key it reads with; serve never asks.)"""
    if _is_loopback(host) or token or accept_risk:
        return None
    return (
        f"refusing to serve beyond loopback ({host}) without a token: anyone who can reach the port could read "
        f"your calls. Set --auth-token (or {env_name('auth_token')}), bind to 127.0.0.1, or pass --insecure-no-auth "
        "to accept the risk."
    )


def _bearer(scope: Scope) -> bytes | None:
    """The credentials of `Authorization: Bearer <credentials>` (the scheme in any case, RFC 9110), else None."""
    given = dict(scope.get("headers") or []).get(b"authorization", b"")
    scheme, _, credentials = given.strip().partition(b" ")
    return credentials.strip() if scheme.lower() == b"bearer" and credentials.strip() else None


async def _unauthorized(message: str, scope: Scope, receive: Receive, send: Send) -> None:
    response = JSONResponse(
        {"error": "unauthorized", "message": message},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer realm="atoms-logs-mcp"'},
    )
    await response(scope, receive, send)


class BearerTokenGate:
    """Requires `Authorization: Bearer <token>` on every HTTP request; the token is compared in constant time."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._expected = token.strip().encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not hmac.compare_digest(_bearer(scope) or b"", self._expected):
            await _unauthorized("This MCP endpoint needs Authorization: Bearer <token>.", scope, receive, send)
            return
        await self.app(scope, receive, send)


class PassthroughGate:
    """Requires `Authorization: Bearer <Atoms key>` on every MCP request of a team server; the key itself is
    judged by the Atoms API (an unknown key gets the API's 401, named as such in the tool's answer)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        on_mcp = scope["type"] == "http" and scope.get("path", "").rstrip("/") == MCP_PATH
        if on_mcp and _bearer(scope) is None:
            await _unauthorized(NO_KEY_MESSAGE, scope, receive, send)
            return
        await self.app(scope, receive, send)


def http_app(
    server: MCPServer,
    host: str,
    *,
    auth_token: str | None = None,
    extra_hosts: Sequence[str] = (),
    passthrough: bool = False,
    health: Health | None = None,
) -> ASGIApp:
    for path, handler in health_routes(health or Health()).items():
        server.custom_route(path, methods=["GET"], include_in_schema=False)(handler)
    app = server.streamable_http_app(
        streamable_http_path=MCP_PATH,
        transport_security=transport_security(host, extra_hosts),
        stateless_http=passthrough,
    )
    if passthrough:
        app.add_middleware(PassthroughGate)
    elif auth_token:
        app.add_middleware(BearerTokenGate, token=auth_token)
    return app


class DrainingServer(uvicorn.Server):
    """uvicorn's server, which on SIGTERM/SIGINT first tells the readiness probe, then stops accepting and lets
    the requests in flight finish within `timeout_graceful_shutdown`."""

    def __init__(self, config: uvicorn.Config, health: Health) -> None:
        super().__init__(config)
        self.health = health

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.health.draining = True
        super().handle_exit(sig, frame)


def serve_http(
    server: MCPServer,
    *,
    host: str,
    port: int,
    auth_token: str | None = None,
    extra_hosts: Sequence[str] = (),
    passthrough: bool = False,
    health: Health | None = None,
    grace: float = 60.0,
) -> None:
    """Serve until SIGTERM or SIGINT, then finish what is in flight within `grace` seconds."""
    health = health or Health()
    app = http_app(server, host, auth_token=auth_token, extra_hosts=extra_hosts, passthrough=passthrough, health=health)
    shown = f"[{host}]" if ":" in host else host
    guard = (
        "each request's bearer token is its user's Atoms key (passthrough)"
        if passthrough
        else "a bearer token is required"
        if auth_token
        else "no token required (set --auth-token to require one)"
    )
    said = [f"streamable HTTP on http://{shown}:{port}{MCP_PATH}; {guard}"]
    if not _is_loopback(host):
        said.append(
            f"listening beyond loopback ({host}); accepted Host names: {', '.join((*LOOPBACK_NAMES, *extra_hosts))}"
        )
    for line in said:  # a team server logs JSON lines only
        if passthrough:
            SERVING.info(line)
        else:
            print(f"atoms-logs-mcp: {line}", file=sys.stderr, flush=True)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        timeout_graceful_shutdown=int(grace) + 1,
        log_config=None if passthrough else uvicorn.config.LOGGING_CONFIG,  # None: its loggers reach the root's
    )
    DrainingServer(config, health).run()


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
