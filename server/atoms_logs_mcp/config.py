"""Every setting, read from the environment and checked once at start, and how secrets are shown (masked)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from platformdirs import user_cache_path

from .domain.timewindow import zone_named

DEFAULT_BASE_URL = "https://api.smallest.ai/atoms/v1"
_KEY_MIN_LENGTH = 8
_KEY_MAX_LENGTH = 512
KEY_VARIABLES = ("SMALLEST_API_KEY", "ATOMS_API_KEY")


def mask_secret(secret: str | None) -> str:
    """`sk_live_12…ab3f`: enough to tell keys apart, never enough to use one."""
    if not secret:
        return "(not set)"
    if len(secret) < 12:
        return "…" * 3
    return f"{secret[:6]}…{secret[-4:]}"


def key_problem(key: str) -> str | None:
    """What makes `key` unusable as an Atoms key, in words that never quote it; None when it looks right."""
    if any(ch in key for ch in "\"'`\u2018\u2019\u201c\u201d"):
        return "contains a quote character (copied with its quotes?)"
    if any(ch.isspace() for ch in key):
        return "contains a space or line break"
    if not key.isascii() or not key.isprintable():
        return "contains characters that are not plain ASCII letters, digits or punctuation"
    if len(key) < _KEY_MIN_LENGTH:
        return f"is only {len(key)} characters long (cut short?)"
    if len(key) > _KEY_MAX_LENGTH:
        return f"is {len(key)} characters long, more than any key (several values pasted together?)"
    return None


LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
Number = TypeVar("Number", int, float)


class Environment:
    """Environment variables read with a check each: an unusable value names its variable and the form wanted."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def text(self, name: str) -> str | None:
        return self._env.get(name, "").strip() or None

    def number(self, name: str, kind: type[Number], default: Number, form: str) -> Number:
        raw = self.text(name)
        if raw is None:
            return default
        try:
            value = kind(raw)
        except ValueError:
            raise ValueError(f"{name} must be {form}, not {raw[:40]!r}") from None
        if not value > 0 or value != value or value == float("inf"):
            raise ValueError(f"{name} must be more than 0: {form}, not {raw[:40]!r}")
        return value

    def choice(self, name: str, allowed: tuple[str, ...], default: str) -> str:
        raw = self.text(name)
        if raw is None:
            return default
        value = raw.upper() if allowed == LOG_LEVELS else raw.lower()
        if value not in allowed:
            raise ValueError(f"{name} takes one of {', '.join(allowed)}, not {raw[:40]!r}")
        return value

    def zone(self, name: str) -> str:
        """An IANA zone name (letter case forgiven, as for the tools' timezone argument), as tzdata spells it."""
        raw = self.text(name) or "UTC"
        try:
            return str(zone_named(raw).key)
        except ValueError:
            raise ValueError(f"{name} must be an IANA time zone such as Europe/Paris, not {raw[:40]!r}") from None

    def instant(self, name: str) -> datetime | None:
        """An ISO 8601 date-time; one without an offset is UTC."""
        raw = self.text(name)
        if raw is None:
            return None
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"{name} must be an ISO 8601 date-time such as 2026-11-20T12:00:00Z, not {raw[:40]!r}"
            ) from None
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)

    def names(self, name: str) -> tuple[str, ...] | None:
        raw = self.text(name)
        names = tuple(dict.fromkeys(n.strip() for n in (raw or "").split(",") if n.strip()))
        return names or None  # "," names nothing: every tool, as when unset


@dataclass(frozen=True, repr=False)
class Settings:
    """Everything the client needs to reach the Atoms API.

    `repr` is hand-written so that a settings object printed in a traceback or log shows the key masked.
    """

    api_key: str | None = None
    base_url: str = DEFAULT_BASE_URL
    timeout: float = 15.0
    """Seconds for one HTTP attempt (connect, read, write, pool)."""
    deadline: float = 45.0
    """Seconds for one client operation, retries and back-off included."""
    max_attempts: int = 4
    backoff_initial: float = 0.25
    """Seconds before the first retry; doubles per attempt, plus up to as much again of jitter."""
    backoff_max: float = 4.0
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    timezone: str = "UTC"
    """Zone for since/until words and day/hour groups (`ATOMS_TIMEZONE`)."""
    scan_ceiling: int = 20_000
    """Most calls summarize_logs and export_logs read (`ATOMS_SCAN_CEILING`)."""
    scan_concurrency: int = 4
    """List requests in flight at once while scanning a window (`ATOMS_SCAN_CONCURRENCY`)."""
    store: str | None = None
    """The call store (`ATOMS_STORE`): a file path, `off`, or None for the platform's per-user cache folder."""
    store_max_mb: int = 500
    """Size cap of the call store in MB (`ATOMS_STORE_MAX_MB`); the least recently read calls go first."""
    concurrency: int = 8
    """Call details read at once by the investigations (`ATOMS_CONCURRENCY`); fewer while the API says 429."""
    deep_ceiling: int = 2000
    """Most calls one investigation reads in full (`ATOMS_DEEP_CEILING`)."""
    export_dir: str | None = None
    """Where export_logs writes (`ATOMS_EXPORT_DIR`; default a folder in the home directory)."""
    tools: tuple[str, ...] | None = None
    """Only these tools are offered (`ATOMS_TOOLS`, comma-separated names); None offers all."""
    redact_phones: bool = False
    """Mask phone numbers in everything read from the API, keeping the last four digits (`ATOMS_REDACT=phone`)."""
    log_level: str = "WARNING"
    """What the server logs to stderr (`ATOMS_LOG_LEVEL`)."""
    auth_token: str | None = None
    """The bearer token the HTTP transport requires (`ATOMS_MCP_AUTH_TOKEN`, or --auth-token)."""
    now: datetime | None = None
    """Answer as if the time were this instant when the server starts; the clock runs on from it (`ATOMS_NOW`:
    reproducing an answer of the past, and tests on data of a fixed date). None: the system clock."""

    def __repr__(self) -> str:
        return (
            f"Settings(api_key={mask_secret(self.api_key)!r}, base_url={self.base_url!r}, "
            f"timeout={self.timeout}, deadline={self.deadline}, max_attempts={self.max_attempts}, "
            f"timezone={self.timezone!r}, redact_phones={self.redact_phones})"
        )

    __str__ = __repr__

    @property
    def masked_key(self) -> str:
        return mask_secret(self.api_key)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: object) -> Settings:
        """Every setting, read and checked once at start; ValueError names the variable, the problem and the
        allowed form (and never shows a key)."""
        env = Environment(os.environ if environ is None else environ)
        values: dict[str, object] = {
            "api_key": next((env.text(name) for name in KEY_VARIABLES if env.text(name)), None),
            "base_url": (env.text("ATOMS_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
            "timeout": env.number("ATOMS_TIMEOUT", float, 15.0, "seconds per HTTP attempt, e.g. 15"),
            "deadline": env.number("ATOMS_DEADLINE", float, 45.0, "seconds per operation, e.g. 45"),
            "timezone": env.zone("ATOMS_TIMEZONE"),
            "scan_ceiling": env.number("ATOMS_SCAN_CEILING", int, 20_000, "a whole number of calls, e.g. 20000"),
            "scan_concurrency": env.number("ATOMS_SCAN_CONCURRENCY", int, 4, "a whole number of requests, e.g. 4"),
            "store": env.text("ATOMS_STORE"),
            "store_max_mb": env.number("ATOMS_STORE_MAX_MB", int, 500, "a whole number of megabytes, e.g. 500"),
            "concurrency": env.number("ATOMS_CONCURRENCY", int, 8, "a whole number of requests, e.g. 8"),
            "deep_ceiling": env.number("ATOMS_DEEP_CEILING", int, 2000, "a whole number of calls, e.g. 2000"),
            "export_dir": env.text("ATOMS_EXPORT_DIR"),
            "tools": env.names("ATOMS_TOOLS"),
            "redact_phones": env.choice("ATOMS_REDACT", ("phone", "none", "off"), "") == "phone",
            "log_level": env.choice("ATOMS_LOG_LEVEL", LOG_LEVELS, "WARNING"),
            "auth_token": env.text("ATOMS_MCP_AUTH_TOKEN"),
            "now": env.instant("ATOMS_NOW"),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    @property
    def export_path(self) -> Path:
        """The export folder: ATOMS_EXPORT_DIR (absolute, or from ~), else ~/atoms-logs-exports. Not created here."""
        return Path(self.export_dir).expanduser() if self.export_dir else Path.home() / "atoms-logs-exports"

    @property
    def store_path(self) -> Path | None:
        """The call store's file: ATOMS_STORE, else calls.sqlite3 in the per-user cache folder; None when `off`."""
        if self.store is not None and self.store.strip().lower() in ("off", "none", "0", "false"):
            return None
        if self.store:
            return Path(self.store).expanduser()
        return user_cache_path("atoms-logs-mcp", appauthor=False) / "calls.sqlite3"

    def in_effect(self) -> list[tuple[str, str]]:
        """Every setting and its value, for `check` (the key and the HTTP token masked)."""
        return [
            ("API key", self.masked_key),
            ("ATOMS_BASE_URL", self.base_url),
            ("ATOMS_TIMEOUT", f"{self.timeout:g} s"),
            ("ATOMS_DEADLINE", f"{self.deadline:g} s"),
            ("ATOMS_TIMEZONE", self.timezone),
            ("ATOMS_SCAN_CEILING", str(self.scan_ceiling)),
            ("ATOMS_SCAN_CONCURRENCY", str(self.scan_concurrency)),
            ("ATOMS_STORE", str(self.store_path or "off")),
            ("ATOMS_STORE_MAX_MB", str(self.store_max_mb)),
            ("ATOMS_CONCURRENCY", str(self.concurrency)),
            ("ATOMS_DEEP_CEILING", str(self.deep_ceiling)),
            ("ATOMS_EXPORT_DIR", self.export_dir or "(default: ~/atoms-logs-exports)"),
            ("ATOMS_TOOLS", ", ".join(self.tools) if self.tools else "(all)"),
            ("ATOMS_REDACT", "phone" if self.redact_phones else "(off)"),
            ("ATOMS_LOG_LEVEL", self.log_level),
            ("ATOMS_MCP_AUTH_TOKEN", mask_secret(self.auth_token)),
            ("ATOMS_NOW", self.now.isoformat() if self.now else "(the system clock)"),
        ]

    def validate(self) -> None:
        """Refuse settings that could only fail later, with a message that says which one (never the key)."""
        if self.api_key is not None and (problem := key_problem(self.api_key)):
            raise ValueError(f"The API key {problem}; copy it again from the Atoms console (keys start with sk_).")
        if not self.base_url.startswith(("https://", "http://")):
            raise ValueError(f"ATOMS_BASE_URL must start with https:// or http://, not {self.base_url[:40]!r}")
        if self.export_dir and not Path(self.export_dir).expanduser().is_absolute():
            # A server's working directory is whatever its host chose, so a relative folder is a guess.
            raise ValueError(f"ATOMS_EXPORT_DIR must be an absolute path (or start with ~), not {self.export_dir!r}.")
        if (path := self.store_path) is not None and not path.is_absolute():
            raise ValueError(f"ATOMS_STORE must be an absolute path (or start with ~), or off; not {self.store!r}.")
        for name in (
            "timeout",
            "deadline",
            "scan_ceiling",
            "scan_concurrency",
            "max_attempts",
            "concurrency",
            "deep_ceiling",
            "store_max_mb",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be more than 0")
