"""Settings read from the environment, and how the API key is shown (masked, never whole)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

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
    export_dir: str | None = None
    """Where export_logs writes (`ATOMS_EXPORT_DIR`; default a folder in the home directory)."""
    tools: tuple[str, ...] | None = None
    """Only these tools are offered (`ATOMS_TOOLS`, comma-separated names); None offers all."""
    redact_phones: bool = False
    """Mask phone numbers in everything read from the API, keeping the last four digits (`ATOMS_REDACT=phone`)."""

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
        env = os.environ if environ is None else environ
        key = next((env[name].strip() for name in KEY_VARIABLES if env.get(name, "").strip()), None)
        values: dict[str, object] = {
            "api_key": key,
            "base_url": (env.get("ATOMS_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
        }
        if env.get("ATOMS_TIMEOUT"):
            values["timeout"] = float(env["ATOMS_TIMEOUT"])
        if env.get("ATOMS_DEADLINE"):
            values["deadline"] = float(env["ATOMS_DEADLINE"])
        if env.get("ATOMS_TIMEZONE"):
            values["timezone"] = env["ATOMS_TIMEZONE"].strip()
        if env.get("ATOMS_SCAN_CEILING"):
            values["scan_ceiling"] = int(env["ATOMS_SCAN_CEILING"])
        if env.get("ATOMS_SCAN_CONCURRENCY"):
            values["scan_concurrency"] = int(env["ATOMS_SCAN_CONCURRENCY"])
        if env.get("ATOMS_EXPORT_DIR"):
            values["export_dir"] = env["ATOMS_EXPORT_DIR"]
        if env.get("ATOMS_TOOLS", "").strip():
            values["tools"] = tuple(dict.fromkeys(n.strip() for n in env["ATOMS_TOOLS"].split(",") if n.strip()))
        redact = {part.strip().lower() for part in env.get("ATOMS_REDACT", "").split(",") if part.strip()}
        if redact - {"phone", "none", "off"}:
            raise ValueError(f"ATOMS_REDACT takes 'phone' (or nothing), not {sorted(redact)}")
        values["redact_phones"] = "phone" in redact
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def validate(self) -> None:
        """Refuse settings that could only fail later, with a message that says which one (never the key)."""
        if self.api_key is not None and (problem := key_problem(self.api_key)):
            raise ValueError(f"The API key {problem}; copy it again from the Atoms console (keys start with sk_).")
        if not self.base_url.startswith(("https://", "http://")):
            raise ValueError(f"ATOMS_BASE_URL must start with https:// or http://, not {self.base_url[:40]!r}")
        for name in ("timeout", "deadline", "scan_ceiling", "scan_concurrency", "max_attempts"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be more than 0")
