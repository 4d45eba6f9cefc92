"""Typed errors raised by the Atoms API client.

    AtomsError
    ├── ConfigurationError            no key configured, or an unusable base URL
    └── AtomsAPIError                 the API answered with an error, or could not be reached
        ├── UnreachableError          no connection: refused, host name not found, TLS failed, connect timed out
        ├── WrongServiceError         what answered is not the Atoms API (HTML page; 404 for a route it has)
        ├── AuthenticationError       401: key missing or wrong
        │   └── PermissionDeniedError 403: the key is valid but may not read this
        ├── NotFoundError             404 (and the agent route's 400 "No agent found")
        ├── BadRequestError           400 / 422: the API rejected the request
        ├── RateLimitedError          429, after the retries; carries `retry_after` seconds
        └── UpstreamUnavailableError  5xx or dropped connection, after the retries
            ├── UnreadableResponseError  a body that is not the API's JSON, after the retries
            └── UpstreamTimeoutError  504, a timed-out attempt, or the overall deadline passed

Every API error keeps the HTTP `status` (None when no response came), a short `upstream_message`
(sanitised, at most 200 characters, the key scrubbed from it), the `request_id` when the API sent
one, and the `url` asked (no query string, no credentials). No message ever contains the API key:
`scrub` removes it wherever it could have been echoed.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_KEY_SHAPED = re.compile(r"\bsk_[A-Za-z0-9_\-]{6,}")


def scrub(text: str, secret: str | None = None, limit: int = 200) -> str:
    """Make an upstream string safe to show: no control characters, no key, bounded length."""
    if secret:
        text = text.replace(secret, "[redacted]")
    text = _KEY_SHAPED.sub("sk_[redacted]", text)
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class AtomsError(Exception):
    """Base class of every error this package raises on purpose."""


class ConfigurationError(AtomsError):
    """The server cannot talk to the API as configured (for example: no API key)."""


class AtomsAPIError(AtomsError):
    """The Atoms API answered with an error or could not be reached."""

    default_message = "The Atoms API request failed"

    def __init__(
        self,
        message: str | None = None,
        *,
        status: int | None = None,
        upstream_message: str | None = None,
        request_id: str | None = None,
        operation: str | None = None,
        retry_after: float | None = None,
        url: str | None = None,
    ) -> None:
        self.status = status
        self.url = url
        self.retry_after = retry_after
        """Seconds the API asked us to wait (`Retry-After`), when it said."""
        self.upstream_message = upstream_message
        self.request_id = request_id
        self.operation = operation
        super().__init__(message or self.default_message)

    def __str__(self) -> str:
        parts = [self.args[0]]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.upstream_message:
            parts.append(f"upstream said: {self.upstream_message}")
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        return "; ".join(parts)


class AuthenticationError(AtomsAPIError):
    default_message = "The Atoms API rejected the API key"
    request_key = False
    """True when the key was the MCP request's own (a team server in passthrough), not the server's setting."""


class PermissionDeniedError(AuthenticationError):
    default_message = "The API key may not read this"


class UnreachableError(AtomsAPIError):
    """No connection could be made. `cause` says why in words (connection refused, host name not found…)."""

    default_message = "Cannot connect to the Atoms API"

    def __init__(self, message: str | None = None, *, address: str, cause: str, **context: object) -> None:
        self.address = address
        self.cause = cause
        super().__init__(message, **context)  # type: ignore[arg-type]


class WrongServiceError(AtomsAPIError):
    """What answered at the base URL is not the Atoms API. `answer` describes what came back."""

    default_message = "The base URL does not point at the Atoms API"

    def __init__(self, message: str | None = None, *, answer: str, **context: object) -> None:
        self.answer = answer
        super().__init__(message, **context)  # type: ignore[arg-type]


class NotFoundError(AtomsAPIError):
    default_message = "Not found"


class BadRequestError(AtomsAPIError):
    default_message = "The Atoms API rejected the request as invalid"


class RateLimitedError(AtomsAPIError):
    default_message = "The Atoms API is rate limiting this key"


class UpstreamUnavailableError(AtomsAPIError):
    default_message = "The Atoms API is unavailable"


class UnreadableResponseError(UpstreamUnavailableError):
    """A body that is not the API's JSON envelope (cut short, not JSON, or an unexpected shape)."""

    default_message = "The Atoms API sent a response that is not its JSON"


class UpstreamTimeoutError(UpstreamUnavailableError):
    default_message = "The Atoms API did not answer in time"
