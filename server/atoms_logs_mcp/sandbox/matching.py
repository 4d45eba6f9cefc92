"""The filters of `GET /conversation`, as the API applies them: one rule per row of api/filter_table.py.

Each row names its query parameter and its rule; a rule reads the parameter (a 400 for a malformed one) and
says which calls it keeps. The sandbox knows no filter by name: a row added to the table is applied here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from ..api.filter_table import FILTERS, Filter, Rule

if TYPE_CHECKING:
    from .store import Call

Keep = Callable[["Call"], bool]


class InvalidQuery(ValueError):
    """The request is malformed: the API answers 400 "Invalid input"."""


def parse_datetime(value: str) -> datetime:
    """An ISO 8601 date-time; naive values are taken as UTC."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except (ValueError, AttributeError):
        raise InvalidQuery(f"not an ISO date-time: {value!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def duration_bucket(seconds: float) -> str:
    if seconds < 30:
        return "0-30"
    if seconds < 60:
        return "30-60"
    if seconds < 300:
        return "1-5"
    return "5+"


def split_values(params: Mapping[str, str], name: str, allowed: Iterable[str] | None = None) -> set[str] | None:
    """A comma-separated parameter's values; None when it is absent or empty."""
    raw = params.get(name)
    if raw is None or raw.strip() == "":
        return None
    values = {part.strip() for part in raw.split(",") if part.strip()}
    if allowed is not None and (unknown := values - set(allowed)):
        raise InvalidQuery(f"{name}: unknown value(s) {sorted(unknown)}")
    return values


def _values(row: Filter, params: Mapping[str, str]) -> set[str] | None:
    return split_values(params, str(row.api), row.values if row.closed else None)


def _one_of(row: Filter, params: Mapping[str, str]) -> Keep | None:
    values = _values(row, params)
    if values is None:
        return None
    return lambda call: any(call.record.get(name) in values for name in row.record)


def _contains(row: Filter, params: Mapping[str, str]) -> Keep | None:
    text = (params.get(str(row.api)) or "").strip().lower()
    if not text:
        return None
    return lambda call: any(text in str(call.record.get(name) or "").lower() for name in row.record)


def _duration(row: Filter, params: Mapping[str, str]) -> Keep | None:
    buckets = _values(row, params)
    return None if buckets is None else lambda call: duration_bucket(call.duration) in buckets


def _attempt(row: Filter, params: Mapping[str, str]) -> Keep | None:
    """First attempts only unless asked otherwise (NOTES: "Default attempt filter")."""
    attempts = _values(row, params) or {"initial"}
    if "all" in attempts or attempts >= {"initial", "retry"}:
        return None
    return lambda call: (call.attempt > 0) == ("retry" in attempts)


def _moment(row: Filter, params: Mapping[str, str]) -> datetime | None:
    raw = params.get(str(row.api))
    return parse_datetime(raw) if raw else None


def _created_from(row: Filter, params: Mapping[str, str]) -> Keep | None:
    since = _moment(row, params)
    return None if since is None else lambda call: call.created >= since


def _created_to(row: Filter, params: Mapping[str, str]) -> Keep | None:
    until = _moment(row, params)
    return None if until is None else lambda call: call.created <= until


RULES: dict[Rule, Callable[[Filter, Mapping[str, str]], Keep | None]] = {
    "one of": _one_of,
    "contains": _contains,
    "duration": _duration,
    "attempt": _attempt,
    "created from": _created_from,
    "created to": _created_to,
}


def keeper(params: Mapping[str, str]) -> Keep:
    """Whether a call passes every filter of the request; InvalidQuery when a parameter is malformed."""
    keeps = [keep for row in FILTERS if row.api and (keep := RULES[row.rule](row, params)) is not None]
    return lambda call: all(keep(call) for keep in keeps)
