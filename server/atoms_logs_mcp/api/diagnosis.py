"""What a failed request tells: why a connection failed, what came back instead of the API's JSON, and how
long the API asked us to wait. Words and numbers only; the client decides what to raise."""

from __future__ import annotations

import email.utils
import math
import time
from typing import Any

import httpx


def connect_failure(error: httpx.TransportError) -> str:
    """Why a connection failed, in words: the OS's reason is in the exception chain."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 8:
        chain.append(current)
        current = current.__cause__ or current.__context__
    text = " ".join(f"{type(e).__name__} {e}" for e in chain).lower()
    if isinstance(error, httpx.ConnectTimeout) or "timed out" in text:
        return "connection timed out"
    if "refused" in text:
        return "connection refused (nothing is listening there)"
    if "gaierror" in text or "name or service not known" in text or "nodename nor servname" in text:
        return "host name not found"
    if "ssl" in text or "certificate" in text or "tls" in text:
        return "TLS handshake failed"
    return "connection failed"


def address(url: httpx.URL) -> str:
    port = url.port or (443 if url.scheme == "https" else 80)
    return f"{url.host}:{port}"


def describe_body(response: httpx.Response) -> str:
    """What came back instead of the API's JSON, in a few words (never the body itself)."""
    kind = response.headers.get("content-type", "").split(";")[0].strip() or "no content type"
    start = response.content[:200].lstrip().lower()
    if "html" in kind or start.startswith((b"<!doctype", b"<html")):
        return f"an HTML page ({kind}, {len(response.content):,} bytes)"
    if not response.content:
        return "an empty body"
    return f"a body that is not JSON ({kind}, {len(response.content):,} bytes)"


def parse_retry_after(response: httpx.Response, body: Any = None) -> float | None:
    """Seconds to wait, from `retry-after-ms`, `Retry-After` (seconds or HTTP date) or the 429 body."""
    headers = response.headers
    if value := headers.get("retry-after-ms"):
        try:
            return max(0.0, float(value) / 1000)
        except ValueError:
            pass
    if value := headers.get("retry-after"):
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - time.time())
        except (ValueError, TypeError):
            pass
    if isinstance(body, dict) and isinstance(body.get("rateLimit"), dict):
        seconds = body["rateLimit"].get("retryAfterSec")
        if isinstance(seconds, int | float) and math.isfinite(seconds):
            return max(0.0, float(seconds))
    return None
