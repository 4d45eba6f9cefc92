"""The HTTP client the Atoms API is read through: one connection pool per server lifetime, with no key in it
(each AtomsClient sends its own key with each request, so one pool serves every key of a team server)."""

from __future__ import annotations

import httpx

from .. import __version__
from ..config import Settings

USER_AGENT = f"atoms-logs-mcp/{__version__} python-httpx/{httpx.__version__}"
Transport = httpx.AsyncBaseTransport
"""The network by default, or (tests, --demo) an app in process."""


def open_pool(settings: Settings, transport: Transport | None = None) -> httpx.AsyncClient:
    """The HTTP client (connection pool) the Atoms API is read through: one per server lifetime."""
    return httpx.AsyncClient(
        base_url=settings.base_url + "/",
        headers={"User-Agent": USER_AGENT, "Accept": "application/json", **settings.extra_headers},
        timeout=httpx.Timeout(settings.timeout),
        limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
        transport=transport,
        follow_redirects=False,
    )
