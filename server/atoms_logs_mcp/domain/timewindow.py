"""Turning what a model writes as `since`/`until` (plus a time zone) into an exact UTC window.

The Atoms API filters calls by `createdAt` with *inclusive* `dateFrom`/`dateTo` at millisecond precision, so every
end computed here is the last millisecond of its period (23:59:59.999 local), never the next midnight: a call at
exactly midnight belongs to the day it starts, not to both. All results are floored to whole milliseconds, so what
`Window` holds is exactly what gets sent.

Error messages are single sentences a model can act on: they name the argument, quote what it wrote (clipped to 40
characters) and list what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)

_MS = timedelta(milliseconds=1)
_MAX_SPAN = timedelta(days=3650)
_CLIP = 40
_ALLOWED = (
    "an ISO 8601 time (2026-11-20T09:30:00Z, 2026-11-20T09:30 in the time zone, 2026-11-20), "
    "a span ago (90m, 24h, 7d, 2w), today, yesterday, this week, last week, this month, last month or now"
)
_ZONE_EXAMPLES = "'Europe/Paris', 'America/New_York' or 'Asia/Kolkata'"
# Zones whose local time *is* UTC by name; describe() does not repeat the window for them.
_UTC_KEYS = frozenset({"UTC", "Etc/UTC", "UCT", "Etc/UCT", "Universal", "Etc/Universal", "Zulu", "Etc/Zulu"})

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}.*", re.ASCII | re.IGNORECASE)
# The unit is told apart by its first letter: m is minutes (never months), h hours, d days, w weeks.
_SPAN = re.compile(r"(\d+)\s*(m|mins?|minutes?|h|hrs?|hours?|d|days?|w|wks?|weeks?)(?:\s+ago)?", re.ASCII)
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1), "w": timedelta(weeks=1)}


@dataclass(frozen=True)
class Window:
    """An inclusive window of call creation times, ready for the API's `dateFrom`/`dateTo`."""

    since: datetime | None  # timezone-aware, UTC; None = open start
    until: datetime | None  # timezone-aware, UTC, INCLUSIVE end; None = open end (now)
    zone: ZoneInfo  # the zone the user's words were read in
    note: str | None = None  # how an interpretation widened the window, for the model to read

    def describe(self) -> str:
        """One line with the window in UTC and, unless the zone is UTC itself, in the zone; `note` is not included."""
        if self.since is None and self.until is None:
            return "all time (no date filter sent)"
        utc = f"{_utc(self.since, 'the beginning')} .. {_utc(self.until, 'now')} UTC"
        if self.zone.key in _UTC_KEYS:
            return utc
        local = f"{_local(self.since, self.zone, 'the beginning')} .. {_local(self.until, self.zone, 'now')}"
        return f"{utc} ({local} {self.zone})"

    def days(self, now: datetime) -> tuple[date | None, date]:
        """The window's first and last calendar day in its zone (None: an open start). An end exactly at midnight
        (until 2026-11-19T00:00) ends the day before; an open end is today."""
        first = self.since.astimezone(self.zone).date() if self.since else None
        end = (self.until or now).astimezone(self.zone)
        last = end.date() - timedelta(days=1) if end.time() == time(0) and self.until else end.date()
        return first, max(last, first) if first else last


def zone_named(name: str | None, default: str = "UTC") -> ZoneInfo:
    """The IANA time zone called `name` (`default` when None); a wrong letter case is forgiven.

    Legacy names such as 'EST' or 'MST' are accepted as tzdata defines them: fixed offsets without daylight saving.
    """
    key = default if name is None else name.strip()
    try:
        return ZoneInfo(key)
    except (ValueError, KeyError, OSError):
        fixed = _zone_keys_by_lower_case().get(key.lower())
        if fixed is not None:
            return ZoneInfo(fixed)
    raise ValueError(f"timezone={_clip(key)} is not a known IANA time zone; use a name such as {_ZONE_EXAMPLES}.")


def resolve_window(since: str | None, until: str | None, *, zone: ZoneInfo, now: datetime) -> Window:
    """The inclusive UTC window meant by `since`/`until`, with words and naive times read in `zone`.

    A date or named period counts from its first millisecond as `since` and to its last as `until`; a named period
    given as `since` alone is that whole period (even when it reaches past `now`), and `note` says so. A span ('7d')
    or `now` is one instant either way. A wall time skipped by a daylight-saving jump is read with the offset in force
    before it (02:30 on a spring-forward day in Paris is 03:30 summer time); a wall time that happens twice means the
    first (fold=0). Raises ValueError, in one sentence, for unreadable or out-of-range input and for an empty window.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = _floor_ms(now.astimezone(UTC))
    start = None if since is None else _term("since", since, zone, now)
    end = None if until is None else _term("until", until, zone, now)
    low = None if start is None else start.first
    high = None if end is None else end.last
    note = None
    if start is not None and end is None and start.period is not None:
        high = start.last
        note = f"since={_clip(since or '')} without until: the window is that whole {start.period}"
    if low is not None and high is not None and low > high:
        raise ValueError(
            f"since ({_clip(since or '')} = {_utc(low, '')}) is after until ({_clip(until or '')} = {_utc(high, '')}): "
            "that window is empty; swap them or widen the window."
        )
    return Window(low, high, zone, note)


def refuse_future(window: Window, now: datetime) -> None:
    """Raise ValueError, in one sentence, when the whole window lies after `now`: no call can be in it yet."""
    if window.since is not None and window.since > now:
        raise ValueError(
            f"The window starts at {_utc(window.since, '')}, after now ({_utc(_floor_ms(now.astimezone(UTC)), '')}): "
            "no call can be in it yet. Did you mean a past period (e.g. 'last week'), or another timezone?"
        )


@dataclass(frozen=True)
class _Term:
    """One argument read: `first` is its value as `since`, `last` as `until`; `period` names a named period's unit."""

    first: datetime
    last: datetime
    period: str | None = None


def _term(role: str, text: str, zone: ZoneInfo, now: datetime) -> _Term:
    words = " ".join(text.lower().split())
    if not words:
        raise ValueError(f"{role} is empty; give {_ALLOWED}, or leave {role} out.")
    if _DATE.fullmatch(words) or _DATE_TIME.fullmatch(words):
        return _iso(role, text.strip(), zone)
    if words == "now":
        return _Term(now, now)
    if words in _PERIODS:
        period, bounds = _PERIODS[words]
        first_day, next_first_day = bounds(now.astimezone(zone).date())
        return _Term(_midnight(first_day, zone), _midnight(next_first_day, zone) - _MS, period)
    if span := _SPAN.fullmatch(words):
        digits, unit = span[1], _UNITS[span[2][0]]
        if len(digits) > 9 or not 0 < int(digits) <= _MAX_SPAN // unit:
            raise ValueError(f"{role}={_clip(text)} is not a usable span; give a whole number from 1 up to 3650 days.")
        moment = now - int(digits) * unit
        return _Term(moment, moment)
    raise ValueError(f"{role}={_clip(text)} is not a time this tool reads; give {_ALLOWED}.")


def _iso(role: str, text: str, zone: ZoneInfo) -> _Term:
    try:
        moment = datetime.fromisoformat(text.upper())
    except ValueError:
        raise ValueError(f"{role}={_clip(text)} is not a valid ISO 8601 date or time; give {_ALLOWED}.") from None
    _check_year(role, text, moment.date())
    if _DATE.fullmatch(text):
        day = moment.date()
        return _Term(_midnight(day, zone), _midnight(day + _DAY, zone) - _MS)
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
    instant = _floor_ms(aware.astimezone(UTC))
    return _Term(instant, instant)


def _check_year(role: str, text: str, day: date) -> None:
    """Dates are checked as written (before any offset), so the limits do not depend on the zone."""
    if not EARLIEST.date() <= day <= LATEST.date():
        raise ValueError(f"{role}={_clip(text)} is outside 2000-01-01 .. 2100-01-01; give a date in that range.")


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    """The instant `day` starts in `zone` (fold=0: a midnight skipped by DST maps to the moment of the jump)."""
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def _month_start(day: date, months_back: int = 0) -> date:
    index = day.year * 12 + day.month - 1 - months_back
    return date(index // 12, index % 12 + 1, 1)


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())  # ISO weeks start on Monday


_WEEK = timedelta(weeks=1)
_DAY = timedelta(days=1)
# Each named period: its unit for the note, and [first day, first day after) around the local date of `now`.
_PERIODS: dict[str, tuple[str, Callable[[date], tuple[date, date]]]] = {
    "today": ("day", lambda d: (d, d + _DAY)),
    "yesterday": ("day", lambda d: (d - _DAY, d)),
    "this week": ("week", lambda d: (_week_start(d), _week_start(d) + _WEEK)),
    "last week": ("week", lambda d: (_week_start(d) - _WEEK, _week_start(d))),
    "this month": ("month", lambda d: (_month_start(d), _month_start(d, -1))),
    "last month": ("month", lambda d: (_month_start(d, 1), _month_start(d))),
}


def _floor_ms(moment: datetime) -> datetime:
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def _utc(moment: datetime | None, open_end: str) -> str:
    return open_end if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def _local(moment: datetime | None, zone: ZoneInfo, open_end: str) -> str:
    return open_end if moment is None else moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _clip(text: str) -> str:
    return repr(text if len(text) <= _CLIP else text[:_CLIP] + "…")


@cache
def _zone_keys_by_lower_case() -> dict[str, str]:
    return {key.lower(): key for key in available_timezones()}
