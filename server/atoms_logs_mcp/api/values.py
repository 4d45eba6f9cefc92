"""Single values as the live API sends them: numbers as numbers or numeric strings, times as ISO strings or epoch
seconds (or milliseconds), booleans as booleans or the text true/false, objects as objects or JSON strings."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

_EPOCH_MS_FROM = 1e11
"""Epoch values above this are milliseconds (1e11 seconds is the year 5138)."""


def number(value: Any) -> float | None:
    """A finite number from a number or a numeric string; None for anything else (booleans included)."""
    kind = type(value)  # the common cases first: this runs for every number of every row
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is int:
        try:
            return float(value)
        except OverflowError:
            return None
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, str):
            value = float(value.strip())
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value)
    except (ValueError, OverflowError):  # not a number, or an integer too large for a float
        pass
    return None


def moment(value: Any) -> datetime | None:
    """A time from an ISO 8601 string or epoch seconds (or milliseconds), as a number or a string."""
    seconds = number(value)
    if seconds is not None:
        seconds = seconds / 1000 if abs(seconds) > _EPOCH_MS_FROM else seconds
        try:
            return datetime.fromtimestamp(seconds, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def json_object(value: Any) -> dict[str, Any]:
    """An object sent as an object or as a JSON string; {} for anything else."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return {}
    return value if isinstance(value, dict) else {}


def flag(value: Any) -> bool | None:
    """A boolean sent as a boolean or as the text true/false."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return None
