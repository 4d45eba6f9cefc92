"""Small, consistent formats for times, durations, money and names in model-facing text."""

from __future__ import annotations

from datetime import UTC, datetime

from ..api.values import moment

CHANNELS = {"telephony_inbound": "inbound", "telephony_outbound": "outbound", "webcall": "web"}


def when(moment: datetime | None) -> str:
    """`2026-11-19 21:37:05Z`: UTC to the second."""
    if moment is None:
        return "-"
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def minute_utc(iso: str | None) -> str:
    """`2026-11-19 06:52 UTC` from an ISO time with any offset (one without is UTC); `?` when unreadable."""
    at = moment(iso)
    return "?" if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def span(seconds: float | None) -> str:
    """`0s`, `45s`, `2m05s`, `1h02m`."""
    if seconds is None:
        return "-"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def offset(seconds: float) -> str:
    """Position within a call: `00:07.4`, `12:03.0`, `1:02:03`; before the call's start `-00:02.1`."""
    sign = "-" if round(seconds, 1) < 0 else ""
    minutes, secs = divmod(round(abs(seconds), 1), 60)
    if minutes >= 60:
        hours, minutes = divmod(int(minutes), 60)
        return f"{sign}{hours}:{minutes:02d}:{int(secs):02d}"
    return f"{sign}{int(minutes):02d}:{secs:04.1f}"


def money(amount: float | None, fixed: bool = False) -> str:
    """`$0.0921`, `$0.10`, `$12.00`: two decimals at least, four at most (per-call costs are fractions of a cent);
    `fixed`, always four (`$0.0530`), so that two figures side by side read alike."""
    if amount is None:
        return "-"
    if fixed:
        return f"{'-' if amount < 0 else ''}${abs(amount):.4f}"
    text = f"{amount:.4f}"
    whole, _, fraction = text.partition(".")
    fraction = fraction.rstrip("0").ljust(2, "0")
    return f"-${whole.lstrip('-')}.{fraction}" if amount < 0 else f"${whole}.{fraction}"


def millis(value: float | None) -> str:
    return "-" if value is None else f"{round(value)} ms"


def channel(call_type: str | None) -> str:
    return CHANNELS.get(call_type or "", call_type or "-")


def plural(count: int, noun: str, many: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (many or noun + 's')}"


def agree(count: float, one: str, many: str) -> str:
    """The word that agrees with `count`: `one` for exactly 1, else `many` ("was"/"were", "event"/"events")."""
    return one if count == 1 else many
