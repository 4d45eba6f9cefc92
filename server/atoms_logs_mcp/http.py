"""Serving MCP over streamable HTTP: loopback by default, DNS-rebinding protection always on."""

from __future__ import annotations

import ipaddress
import sys

import uvicorn
from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette

MCP_PATH = "/mcp"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


def transport_security(host: str) -> TransportSecuritySettings:
    """Only Host and Origin headers naming this server are accepted: a web page on another site,
    even one that resolves its name to 127.0.0.1 (DNS rebinding), is refused."""
    names = list(LOOPBACK_NAMES)
    shown = f"[{host}]" if ":" in host else host
    if shown not in names and not _is_wildcard(host):
        names.append(shown)
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True,
        allowed_hosts=[f"{name}:*" for name in names],
        allowed_origins=[f"{scheme}://{name}:*" for name in names for scheme in ("http", "https")],
    )


def _is_wildcard(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_unspecified
    except ValueError:
        return False


def http_app(server: MCPServer, host: str) -> Starlette:
    return server.streamable_http_app(streamable_http_path=MCP_PATH, transport_security=transport_security(host))


def serve_http(server: MCPServer, *, host: str, port: int) -> None:
    app = http_app(server, host)
    shown = f"[{host}]" if ":" in host else host
    print(f"atoms-logs-mcp: streamable HTTP on http://{shown}:{port}{MCP_PATH}", file=sys.stderr, flush=True)
    if _is_wildcard(host):
        print(
            "atoms-logs-mcp: listening on every interface; only Host headers naming loopback are accepted",
            file=sys.stderr,
            flush=True,
        )
    uvicorn.run(app, host=host, port=port, log_level="warning")
