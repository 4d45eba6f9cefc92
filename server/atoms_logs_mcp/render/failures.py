"""What the model reads when something fails: one clear sentence and a hint it can act on.

Messages are fixed text written here plus values we control (status, seconds, request id); no
upstream message is forwarded, since it is untrusted and could carry anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from ..api.errors import (
    AtomsError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitedError,
    UnreachableError,
    UnreadableResponseError,
    UpstreamTimeoutError,
    UpstreamUnavailableError,
    WrongServiceError,
)
from ..settings_table import default_of, env_name, key_names, setting
from .untrusted import clean, clip

KEY_HINT = (
    f"Set {key_names()} to a key from the Atoms console (keys start with sk_) in the "
    "MCP server's environment, then restart it; or run the server with --demo to use the built-in sandbox."
)
REQUEST_KEY_HINT = (
    "This server reads with each user's own key: set your MCP client's Authorization header to "
    "`Bearer <key>` with a key from the Atoms console of the organisation that owns the calls (keys start with sk_)."
)
BASE_URL_HINT = (
    f"Check {env_name('base_url')} in the MCP server's environment: it must be the Atoms API's address, ending in "
    f"/atoms/v1 (the default, {default_of('base_url')}, is right for most accounts); then restart the server."
)
CALL_ID_HINT = "Call ids look like CALL-1737000000000-abc123; list_logs and search_by_call_ids find them."


def _request_id(error: AtomsError) -> str:
    request_id = getattr(error, "request_id", None)
    return f" (request id {clean(request_id)})" if request_id else ""


def explain(error: AtomsError, *, subject: str | None = None, slow_query: bool = False) -> str:
    """The model-facing message for a client error. `subject` names what was asked for."""
    status = getattr(error, "status", None)
    code = f" (HTTP {status})" if status else ""
    asked = getattr(error, "url", None)
    url = f" ({clean(asked)})" if asked else ""
    match error:
        case ConfigurationError():
            return f"No Atoms API key is configured. {KEY_HINT}"
        case UnreachableError():
            return f"Cannot connect to the Atoms API at {clean(error.address)}: {error.cause}. {BASE_URL_HINT}"
        case WrongServiceError():
            return f"What answered{url} is not the Atoms API: it sent {clean(error.answer)}. {BASE_URL_HINT}"
        case PermissionDeniedError() if error.request_key:
            return (
                f"The Atoms API accepted the key this request sent but it may not read this{code}"
                f"{_request_id(error)}: {REQUEST_KEY_HINT}"
            )
        case AuthenticationError() if error.request_key:
            return f"The Atoms API rejected the API key this request sent{code}. {REQUEST_KEY_HINT}"
        case PermissionDeniedError():
            return (
                f"The API key was accepted but may not read this{code}{_request_id(error)}: it belongs to another "
                "organisation or lacks access to conversation logs. Use a key from the Atoms console of the "
                f"organisation that owns these calls ({' or '.join(setting('api_key').names)}), then restart the "
                "server."
            )
        case AuthenticationError():
            return f"The Atoms API rejected the API key{code}. {KEY_HINT}"
        case NotFoundError():
            what = subject or "That item"
            hint = CALL_ID_HINT if "call" in what.lower() else "list_agents shows the agents that exist."
            return f"{what} was not found in this Atoms organisation{code}. Check the id. {hint}"
        case RateLimitedError(retry_after=wait) if wait is not None:
            return f"The Atoms API is rate limiting this key{code}. Retry after {max(1, math.ceil(wait))} s."
        case RateLimitedError():
            return f"The Atoms API is rate limiting this key{code}. Wait a minute before retrying."
        case UpstreamTimeoutError() if slow_query:
            return (
                f"The Atoms API could not scan that window on this account{code}{_request_id(error)}: date filters "
                "and sorting by creation time scan the whole history, which times out on large accounts. The local "
                f"replica answers such windows: run `atoms-logs-mcp sync` once (the server then keeps it current; "
                f"{env_name('sync')}=on), or retry with a narrower since/until window or without since/until."
            )
        case UpstreamTimeoutError():
            return f"The Atoms API did not answer in time{code}{_request_id(error)}. Try again in a moment."
        case UnreadableResponseError():
            return (
                f"The Atoms API{url} sent {str(error.args[0]).removeprefix('The Atoms API sent ')} instead of its "
                f"JSON{code}{_request_id(error)}, on every attempt. If this persists, the address may not be the "
                f"Atoms API. {BASE_URL_HINT}"
            )
        case UpstreamUnavailableError():
            return f"The Atoms API is unavailable right now{code}{_request_id(error)}. Try again in a minute."
        case BadRequestError():
            return (
                f"The Atoms API rejected the request as invalid{code}{_request_id(error)}. Check the arguments "
                "against the tool's input schema."
            )
        case _:
            return f"The Atoms API request failed{code}{_request_id(error)}."


def describe_invalid_arguments(error: ValidationError, limit: int = 5) -> str:
    """Pydantic's argument errors as short lines that name the argument, the rule and (clipped) the value."""
    problems: list[str] = []
    for item in error.errors()[:limit]:
        where = ".".join(str(part) for part in item["loc"]) or "arguments"
        got = _shown(item.get("input"))
        if item["type"] == "string_pattern_mismatch" and "CALL" in str(item.get("ctx", {}).get("pattern", "")):
            problems.append(f"{where}: {got} is not a call id. {CALL_ID_HINT}")
            continue
        message = item["msg"]
        if item["type"] == "missing":
            problems.append(f"{where}: required")
            continue
        problems.append(f"{where}: {message} (got {got})")
    more = len(error.errors()) - limit
    if more > 0:
        problems.append(f"and {more} more")
    return "Invalid arguments. " + "; ".join(p.rstrip(".") for p in problems) + ". Fix them and call again."


def _shown(value: Any) -> str:
    if isinstance(value, str):
        return repr(clip(clean(value), 60))
    if isinstance(value, Sequence | dict) and len(value) > 5:
        return f"a {type(value).__name__} of {len(value)} items"
    return clip(clean(repr(value)), 80)
