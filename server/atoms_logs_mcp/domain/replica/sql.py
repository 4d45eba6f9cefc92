"""A `GET /conversation` query as SQL over the replica's rows (`r`, store/replica.py): the API's rule for each
filter of api/filter_table.py, applied to the rows as the API sent them, and the API's orders. What the engines
spell differently (a JSON field, a substring's position, lower case) is asked of the engine (store/engine.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...api.filter_table import FILTERS, Filter, Rule
from ...api.query import LogQuery
from ...store.engine import Engine

Clause = tuple[str, list[Any]]

DURATION_BUCKETS = {"0-30": (0, 30), "30-60": (30, 60), "1-5": (60, 300), "5+": (300, None)}
"""Seconds [from, to) of each duration bucket (NOTES.md: "Duration buckets")."""
ORDERS = {
    "created": "r.created",
    "updated": "coalesce(r.updated, r.changed)",
    "duration": "r.duration",
    "latency": "r.latency",
}
"""The API's sort fields; rows sent without updatedAt are ordered by when the sync saw them change."""


def _one_of(row: Filter, values: tuple[str, ...], db: Engine) -> Clause:
    marks = ",".join("?" * len(values))
    fields = " OR ".join(f"{db.json_string('r.row', name)} IN ({marks})" for name in row.record)
    return f"({fields})", list(values) * len(row.record)


def _contains(row: Filter, values: tuple[str, ...], db: Engine) -> Clause:
    text = values[0].strip().lower()
    texts = (db.lower(f"coalesce({db.json_text('r.row', name)}, '')") for name in row.record)
    fields = " OR ".join(f"{db.position(text, '?')} > 0" for text in texts)
    return f"({fields})", [text] * len(row.record)


def _duration(_: Filter, values: tuple[str, ...], __: Engine) -> Clause:
    parts = []
    for value in values:
        low, high = DURATION_BUCKETS[value]
        below = f" AND coalesce(r.duration, 0) < {high}" if high else ""
        parts.append(f"(coalesce(r.duration, 0) >= {low}{below})")
    return "(" + " OR ".join(parts) + ")", []


def _attempt(_: Filter, values: tuple[str, ...], __: Engine) -> Clause:
    """First attempts only unless asked otherwise, as the API (NOTES.md: "Default attempt filter")."""
    asked = set(values) or {"initial"}
    if "all" in asked or asked >= {"initial", "retry"}:
        return "1 = 1", []
    return ("coalesce(r.attempt, 0) > 0" if "retry" in asked else "coalesce(r.attempt, 0) = 0"), []


RULES: dict[Rule, Callable[[Filter, tuple[str, ...], Engine], Clause]] = {
    "one of": _one_of,
    "contains": _contains,
    "duration": _duration,
    "attempt": _attempt,
}


def where_of(org: str, query: LogQuery, db: Engine) -> Clause:
    """The rows of `org` that `query` keeps: every filter set, the window (creation time, both ends inclusive)."""
    clauses: list[str] = ["r.org = ?"]
    parameters: list[Any] = [org]
    for row in FILTERS:
        if row.rule not in RULES or not row.query:
            continue
        values = query.listed(row.query)
        if values or row.rule == "attempt":
            clause, more = RULES[row.rule](row, values, db)
            clauses.append(clause)
            parameters += more
    if query.since is not None:
        clauses.append("r.created >= ?")
        parameters.append(query.since.timestamp())
    if query.until is not None:
        clauses.append("r.created <= ?")
        parameters.append(query.until.timestamp())
    return " AND ".join(clauses), parameters


def order_of(query: LogQuery) -> str:
    """The query's order, as the API sorts (by last update, newest first, when none is asked); ties by call id."""
    column = ORDERS.get(query.sort_by or "updated", ORDERS["updated"])
    direction = "ASC" if query.sort_order == "asc" else "DESC"
    return f"{column} {direction}, r.call_id {direction}"
