"""Turning what a model passes as `since`/`until` into an exact moment."""

from __future__ import annotations

from datetime import UTC, datetime

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def parse_moment(text: str) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is taken as UTC."""
    value = text.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text[:40]!r} is not an ISO 8601 time; use e.g. 2026-11-20T09:30:00Z or 2026-11-20"
        ) from None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    if not EARLIEST <= moment <= LATEST:
        raise ValueError(f"{text[:40]!r} is outside the years 2000-2100")
    return moment
