"""Every setting, read from the environment and checked once at start, and how secrets are shown (masked).

Which settings there are, their variables, defaults and forms: the table in settings_table.py. Here: what each
kind of row means (read, shown, checked), and the `Settings` the rows fill.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

from platformdirs import user_cache_path

from .domain.timewindow import zone_named
from .settings_table import SETTINGS, Setting, default_of, setting
from .store.engine import TEAM_EXTRA, is_server, without_password

DEFAULT_BASE_URL: str = default_of("base_url")
_KEY_MIN_LENGTH = 8
_KEY_MAX_LENGTH = 512
KEY_VARIABLES = setting("api_key").names


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


Number = TypeVar("Number", int, float)


class Environment:
    """Environment variables read with a check each: an unusable value names its variable and the form wanted.
    Each reader answers None for an unset variable, which leaves the `Settings` default."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._env = env

    def text(self, name: str) -> str | None:
        return self._env.get(name, "").strip() or None

    def number(self, name: str, kind: type[Number], form: str) -> Number | None:
        raw = self.text(name)
        if raw is None:
            return None
        try:
            value = kind(raw)
        except ValueError:
            raise ValueError(f"{name} must be {form}, not {raw[:40]!r}") from None
        if not value > 0 or value != value or value == float("inf"):
            raise ValueError(f"{name} must be more than 0: {form}, not {raw[:40]!r}")
        return value

    def choice(self, name: str, allowed: tuple[str, ...]) -> str | None:
        """One of `allowed`, as it spells it (letter case forgiven)."""
        raw = self.text(name)
        if raw is None:
            return None
        value = {choice.lower(): choice for choice in allowed}.get(raw.lower())
        if value is None:
            raise ValueError(f"{name} takes one of {', '.join(allowed)}, not {raw[:40]!r}")
        return value

    def zone(self, name: str) -> str | None:
        """An IANA zone name (letter case forgiven, as for the tools' timezone argument), as tzdata spells it."""
        raw = self.text(name)
        if raw is None:
            return None
        try:
            return str(zone_named(raw).key)
        except ValueError:
            raise ValueError(f"{name} must be an IANA time zone such as Europe/Paris, not {raw[:40]!r}") from None

    def instant(self, name: str, form: str) -> datetime | None:
        """An ISO 8601 date-time, in UTC; one without an offset is read as UTC."""
        raw = self.text(name)
        if raw is None:
            return None
        try:
            moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{name} must be {form}, not {raw[:40]!r}") from None
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)

    def names(self, name: str) -> tuple[str, ...] | None:
        raw = self.text(name)
        names = tuple(dict.fromkeys(n.strip() for n in (raw or "").split(",") if n.strip()))
        return names or None  # "," names nothing: every tool, as when unset

    def read(self, row: Setting) -> object:
        """The value of one row of the settings table, None when unset; ValueError when unusable."""
        match row.kind:
            case "key":
                return next((value for name in row.names if (value := self.text(name))), None)
            case "url":
                return (self.text(row.env) or row.default).rstrip("/")
            case "seconds":
                return self.number(row.env, float, row.form)
            case "count":
                return self.number(row.env, int, row.form)
            case "zone":
                return self.zone(row.env)
            case "names":
                return self.names(row.env)
            case "switch":
                chosen = self.choice(row.env, row.choices)
                return None if chosen is None else chosen == row.choices[0]
            case "choice":
                return self.choice(row.env, row.choices)
            case "instant":
                return self.instant(row.env, row.form)
            case "store" | "path" | "secret":
                return self.text(row.env)


def log_level(environ: Mapping[str, str]) -> str:
    """The level to log at from the start, before the settings are checked (a wrong value is reported with them,
    and until then the default applies)."""
    row = setting("log_level")
    try:
        return str(Environment(environ).read(row) or row.default)
    except ValueError:
        return str(row.default)


@dataclass(frozen=True, repr=False)
class Settings:
    """Everything the client needs to reach the Atoms API.

    The settings an environment variable sets take their defaults from the rows of `SETTINGS` (settings_table.py
    describes each); the others are for code and tests. `repr` is hand-written so that a settings object printed
    in a traceback or log shows the key masked.
    """

    api_key: str | None = default_of("api_key")
    base_url: str = default_of("base_url")
    timeout: float = default_of("timeout")
    deadline: float = default_of("deadline")
    max_attempts: int = 4
    backoff_initial: float = 0.25
    """Seconds before the first retry; doubles per attempt, plus up to as much again of jitter."""
    backoff_max: float = 4.0
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    timezone: str = default_of("timezone")
    scan_ceiling: int = default_of("scan_ceiling")
    scan_concurrency: int = default_of("scan_concurrency")
    store: str | None = default_of("store")
    """A file path, `off`, or None for the platform's per-user cache folder."""
    store_max_mb: int = default_of("store_max_mb")
    concurrency: int = default_of("concurrency")
    deep_ceiling: int = default_of("deep_ceiling")
    sync: bool = default_of("sync")
    sync_interval: float = default_of("sync_interval")
    sync_since_days: int = default_of("sync_since_days")
    export_dir: str | None = default_of("export_dir")
    tools: tuple[str, ...] | None = default_of("tools")
    """None offers every tool."""
    redact_phones: bool = default_of("redact_phones")
    log_level: str = default_of("log_level")
    auth_token: str | None = default_of("auth_token")
    auth_mode: str = default_of("auth_mode")
    key_ttl: float = default_of("key_ttl")
    key_max_in_flight: int = default_of("key_max_in_flight")
    now: datetime | None = default_of("now")  # noqa: RUF009 (None: datetimes are immutable anyway)
    """Where the server's clock starts (`domain.clock`); None: the system clock."""

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
        allowed form (and never shows a key). An override that is not None wins over the environment."""
        env = Environment(os.environ if environ is None else environ)
        values = {row.attribute: value for row in SETTINGS if (value := env.read(row)) is not None}
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    @property
    def export_path(self) -> Path:
        """The export folder: `export_dir` (absolute, or from ~), else the table's default. Not created here."""
        return Path(self.export_dir or setting("export_dir").shown_default).expanduser()

    @property
    def store_location(self) -> Path | str | None:
        """The call store: a PostgreSQL URL, else its file (`store_path`); None when `off`."""
        if self.store is not None and is_server(self.store.strip()):
            return self.store.strip()
        return self.store_path

    @property
    def store_path(self) -> Path | None:
        """The call store's file: `store`, else calls.sqlite3 in the per-user cache folder; None when `off` or a
        PostgreSQL URL (`store_location`)."""
        if self.store is not None and self.store.strip().lower() in ("off", "none", "0", "false"):
            return None
        if self.store is not None and is_server(self.store.strip()):
            return None
        if self.store:
            return Path(self.store).expanduser()
        return user_cache_path("atoms-logs-mcp", appauthor=False) / "calls.sqlite3"

    def in_effect(self) -> list[tuple[str, str]]:
        """Every setting of the table and its value, for `check` (the key and the HTTP token masked)."""
        return [(row.label or row.env, _shown(self, row)) for row in SETTINGS]

    def validate(self) -> None:
        """Refuse settings that could only fail later, with a message that says which one (never the key)."""
        for row in SETTINGS:
            if problem := _problem(self, row):
                raise ValueError(problem)
        if self.max_attempts <= 0:
            raise ValueError("max_attempts must be more than 0")


def _shown(settings: Settings, row: Setting) -> str:
    """One setting's value as `check` lists it."""
    value = getattr(settings, row.attribute)
    match row.kind:
        case "key" | "secret":
            return mask_secret(value)
        case "seconds":
            return f"{value:g} s"
        case "store":
            location = settings.store_location
            return without_password(location) if isinstance(location, str) else str(location or "off")
        case "switch":
            return row.choices[0] if value else row.choices[-1] if row.default else f"({row.shown_default})"
        case "names":
            return ", ".join(value) if value else f"({row.shown_default})"
        case "path":
            return str(value or f"(default: {row.shown_default})")
        case "instant":
            return value.isoformat() if value else f"({row.shown_default})"
    return str(value)


def _problem(settings: Settings, row: Setting) -> str | None:
    """What makes one setting's value unusable, in words that name it (and never quote the key); None when fine."""
    value = getattr(settings, row.attribute)
    match row.kind:
        case "key" if value is not None and (problem := key_problem(value)):
            return f"The API key {problem}; copy it again from the Atoms console (keys start with sk_)."
        case "url" if not value.startswith(("https://", "http://")):
            return f"{row.env} must start with https:// or http://, not {value[:40]!r}"
        case "seconds" | "count" if value <= 0:
            return f"{row.attribute} must be more than 0"
        case "path" if value and not Path(value).expanduser().is_absolute():
            # A server's working directory is whatever its host chose, so a relative folder is a guess.
            return f"{row.env} must be an absolute path (or start with ~), not {value!r}."
        case "store" if (path := settings.store_path) is not None and not path.is_absolute():
            return (
                f"{row.env} must be an absolute path (or start with ~), a postgresql:// URL, or off; not "
                f"{without_password(value)!r}."
            )
        case "store" if isinstance(settings.store_location, str) and not _have_psycopg():
            return f"{row.env} names a PostgreSQL database, which needs the psycopg driver: {TEAM_EXTRA}."
    return None


def _have_psycopg() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("psycopg", "psycopg_pool"))
