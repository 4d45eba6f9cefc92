"""The settings table: every environment variable the server reads, named here and nowhere else.

One row per setting: the variable, the `Settings` attribute it fills, its kind (how the text is read and
checked: `ACCEPTED` says it in words, config.py does it), its default and one line for people. `Settings` (its
defaults, `from_env`, `validate`), `check`'s listing, `atoms-logs-mcp settings` and docs/CONFIGURATION.md
all come from these rows; any other module that names a variable in a message asks `env_name` for it.
Standard library only, so that every layer may import it.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal[
    "key", "url", "seconds", "count", "zone", "store", "path", "names", "switch", "choice", "secret", "instant"
]
"""How a row's text is read and checked: `ACCEPTED` says it for people, config.py's `Environment.read` does it."""

ACCEPTED: dict[str, str] = {
    "key": "8 to 512 printable ASCII characters, no spaces or quotes",
    "url": "an http:// or https:// address (a trailing / is dropped)",
    "seconds": "a number of seconds more than 0",
    "count": "a whole number more than 0",
    "zone": "an IANA time zone such as Europe/Paris (letter case forgiven)",
    "store": "an absolute file path (or from ~), a postgresql:// URL (shown without its password), or off",
    "path": "an absolute path (or from ~)",
    "names": "comma-separated names; none means all",
    "switch": "one of {choices} (letter case forgiven; the first turns it on)",
    "choice": "one of {choices} (letter case forgiven)",
    "secret": "text (masked when shown)",
    "instant": "an ISO 8601 date-time, UTC when it has no offset",
}
"""What each kind of row accepts, in words (the `settings` command and docs/CONFIGURATION.md); {choices} are the
row's choices."""


@dataclass(frozen=True)
class Setting:
    env: str
    """The environment variable (the first one read, for the key)."""
    attribute: str
    """The `Settings` attribute it fills."""
    kind: Kind
    default: Any
    """The `Settings` default: what an unset variable means."""
    description: str
    """One line for people (`atoms-logs-mcp settings`, docs/CONFIGURATION.md)."""
    form: str = ""
    """The value wanted, as errors quote it: "seconds per HTTP attempt, e.g. 15" (seconds and count)."""
    choices: tuple[str, ...] = ()
    """The values allowed (switch and choice)."""
    also: tuple[str, ...] = ()
    """Further variables read when `env` is unset (the key)."""
    label: str = ""
    """The name `check` lists it under, when not `env`."""
    default_text: str = ""
    """The default as people read it, when `default` is None or not what it means."""
    http_only: bool = False
    """Read only when serving over HTTP: a stdio client (server.json's entry, the bundle) is not offered it."""

    @property
    def names(self) -> tuple[str, ...]:
        return (self.env, *self.also)

    @property
    def accepted(self) -> str:
        """The values it accepts, in words: its kind's, with its choices."""
        return ACCEPTED[self.kind].format(choices=", ".join(self.choices))

    @property
    def shown_default(self) -> str:
        if self.default_text:
            return self.default_text
        return f"{self.default:g}" if isinstance(self.default, float) else str(self.default)


SETTINGS: tuple[Setting, ...] = (
    Setting("SMALLEST_API_KEY", "api_key", "key", None, "The Atoms API key, from the Atoms console (keys start "
            "with sk_); the first variable set wins. Only ever shown masked.", also=("ATOMS_API_KEY",),
            label="API key", default_text="none"),
    Setting("ATOMS_BASE_URL", "base_url", "url", "https://api.smallest.ai/atoms/v1",
            "The Atoms API's address, ending in /atoms/v1."),
    Setting("ATOMS_TIMEOUT", "timeout", "seconds", 15.0, "Seconds for one HTTP attempt (connect, read, write, "
            "pool).", form="seconds per HTTP attempt, e.g. 15"),
    Setting("ATOMS_DEADLINE", "deadline", "seconds", 45.0, "Seconds for one client operation, retries and "
            "back-off included.", form="seconds per operation, e.g. 45"),
    Setting("ATOMS_TIMEZONE", "timezone", "zone", "UTC", "IANA zone for since/until words and day/hour groups."),
    Setting("ATOMS_SCAN_CEILING", "scan_ceiling", "count", 20_000, "Most calls summarize_logs and export_logs "
            "read.", form="a whole number of calls, e.g. 20000"),
    Setting("ATOMS_SCAN_CONCURRENCY", "scan_concurrency", "count", 4, "List requests in flight at once while "
            "scanning a window.", form="a whole number of requests, e.g. 4"),
    Setting("ATOMS_STORE", "store", "store", None, "The call store: an absolute file path (or from ~), "
            "a PostgreSQL URL (postgresql://..., the team extra), or off.",
            default_text="calls.sqlite3 in the per-user cache folder"),
    Setting("ATOMS_STORE_MAX_MB", "store_max_mb", "count", 2000, "Size cap of the calls' details in the store, "
            "in MB (about 7 KB a call); the least recently read go first, the sync stops fetching near it. The "
            "replica's list rows (about 2.5 KB a call) are not counted.", form="a whole number of megabytes, e.g. "
            "2000"),
    Setting("ATOMS_CONCURRENCY", "concurrency", "count", 8, "Call details read at once by the investigations; "
            "fewer while the API answers 429.", form="a whole number of requests, e.g. 8"),
    Setting("ATOMS_DEEP_CEILING", "deep_ceiling", "count", 2000, "Most calls one investigation reads in full.",
            form="a whole number of calls, e.g. 2000"),
    Setting("ATOMS_SYNC", "sync", "switch", True, "on: while the server runs, keep a replica of the account in "
            "the call store (every call's list row, then finished calls' details), which investigations read at "
            "full coverage; off: read every answer from the API.", choices=("on", "off"), default_text="on"),
    Setting("ATOMS_SYNC_INTERVAL", "sync_interval", "seconds", 60.0, "Seconds between two catch-up passes of the "
            "replica.", form="seconds between passes, e.g. 60"),
    Setting("ATOMS_SYNC_SINCE", "sync_since_days", "count", 90, "Days back the replica reaches: the first sync "
            "reads calls created in the last this many days.", form="a whole number of days, e.g. 90"),
    Setting("ATOMS_EXPORT_DIR", "export_dir", "path", None, "Where export_logs writes: an absolute path (or "
            "from ~).", default_text="~/atoms-logs-exports"),
    Setting("ATOMS_TOOLS", "tools", "names", None, "Only these tools are offered (comma-separated names).",
            default_text="all"),
    Setting("ATOMS_REDACT", "redact_phones", "switch", False, "phone: mask phone numbers in everything read "
            "from the API, keeping the last four digits (as --redact phone does).", choices=("phone", "none",
            "off"), default_text="off"),
    Setting("ATOMS_LOG_LEVEL", "log_level", "choice", "WARNING", "What the server logs to stderr.",
            choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")),
    Setting("ATOMS_MCP_AUTH_TOKEN", "auth_token", "secret", None, "The bearer token the HTTP transport "
            "requires (or --auth-token). Only ever shown masked.", default_text="none", http_only=True),
    Setting("ATOMS_MCP_AUTH_MODE", "auth_mode", "choice", "token", "HTTP only. token: one server-wide Atoms key, "
            "and the token above guards the endpoint; passthrough: each request's `Authorization: Bearer` is that "
            "user's own Atoms key (a team server; --auth-mode).", choices=("token", "passthrough"), http_only=True),
    Setting("ATOMS_KEY_TTL", "key_ttl", "seconds", 900.0, "Passthrough: seconds a user's key is held in memory "
            "after its last request (its replica keeps syncing meanwhile); never written anywhere.",
            form="seconds, e.g. 900", http_only=True),
    Setting("ATOMS_KEY_MAX_IN_FLIGHT", "key_max_in_flight", "count", 10, "Passthrough: tool calls in flight at "
            "once for one key on one server replica; the next is refused at once.", form="a whole number of "
            "calls, e.g. 10", http_only=True),
    Setting("ATOMS_NOW", "now", "instant", None, "Answer as if the server started at this instant (ISO 8601, "
            "e.g. 2026-11-20T12:00:00Z); its clock runs on from there. For reproducing an answer of the past, "
            "and tests on data of a fixed date.", form="an ISO 8601 date-time such as 2026-11-20T12:00:00Z",
            default_text="the system clock"),
)  # fmt: skip


def setting(attribute: str) -> Setting:
    """The row that fills `Settings.<attribute>`; KeyError for an attribute no variable sets."""
    for row in SETTINGS:
        if row.attribute == attribute:
            return row
    raise KeyError(attribute)


def env_name(attribute: str) -> str:
    """The environment variable of `Settings.<attribute>`, for messages that tell people which one to set."""
    return setting(attribute).env


def key_names() -> str:
    """Where the key is read from, for messages: its first variable, then the others as "(or ...)"."""
    first, *others = setting("api_key").names
    return f"{first} (or {' or '.join(others)})" if others else first


def default_of(attribute: str) -> Any:
    """The default of `Settings.<attribute>`: the row's, so that the dataclass and the table cannot differ."""
    return setting(attribute).default


def settings_help(width: int = 100) -> str:
    """Every setting for `atoms-logs-mcp settings`: its variables and default on one line, the description and the
    values accepted indented below."""
    heading = (
        "Settings: environment variables, read and checked at start (an empty one counts as unset); "
        "`atoms-logs-mcp check` lists those in effect."
    )
    lines = textwrap.wrap(heading, width, break_on_hyphens=False)
    for row in SETTINGS:
        lines.append(f"  {' or '.join(row.names)}  (default: {row.shown_default})")
        text = f"{row.description} Accepts {row.accepted}."
        lines.extend(textwrap.wrap(text, width, initial_indent=" " * 6, subsequent_indent=" " * 6))
    return "\n".join(lines)
