"""Changes to the account while the sandbox runs: calls added, replaced or deleted, now or after some list pages.

A change is `{"calls": [record...], "delete": [callId...], "after_list_requests": K}`: the records are put (added,
or replacing the call with the same `callId`), then the ids deleted. With K = 0 (or absent) it applies at once;
with K >= 1 it applies just after the K-th `GET /conversation` request answered 200 from then on, before any
later request is answered: that K-th page shows the account before the change, every later page after it. Changes
scheduled together count their pages independently and apply in the order they were scheduled.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .store import CallStore


@dataclass
class Change:
    calls: list[dict[str, Any]]
    delete: list[str]
    after_list_requests: int = 0

    def apply(self, store: CallStore, now: datetime) -> dict[str, int]:
        done = store.put(self.calls, now) if self.calls else {"added": 0, "replaced": 0}
        return {**done, "deleted": store.delete(self.delete) if self.delete else 0}


def parse_change(body: Any, ids_key: str = "delete") -> Change:
    """A change from a request body: a JSON list of records, or an object with `calls`, `ids_key` (the ids to
    delete) and `after_list_requests`. ValueError when malformed."""
    if isinstance(body, list):
        body = {"calls": body}
    if not isinstance(body, dict):
        raise ValueError("expected a list of call records or an object")
    if unknown := set(body) - {"calls", ids_key, "after_list_requests"}:
        raise ValueError(f"unknown keys: {sorted(unknown)}")
    calls = body.get("calls") or []
    if not isinstance(calls, list) or not all(isinstance(c, dict) and _is_id(c.get("callId")) for c in calls):
        raise ValueError("calls must be a list of call records, each with a callId")
    delete = body.get(ids_key) or []
    if not isinstance(delete, list) or not all(_is_id(i) for i in delete):
        raise ValueError(f"{ids_key} must be a list of callIds")
    after = body.get("after_list_requests", 0)
    if isinstance(after, bool) or not isinstance(after, int) or after < 0:
        raise ValueError("after_list_requests must be a whole number, 0 or more")
    return Change(calls, delete, after)


def _is_id(value: Any) -> bool:
    return isinstance(value, str) and bool(value)


class ChangeSchedule:
    """Changes waiting for list pages to be served."""

    def __init__(self, store: CallStore, clock: Callable[[], datetime]) -> None:
        self.store, self.clock = store, clock
        self.pending: list[Change] = []

    def submit(self, change: Change) -> dict[str, int]:
        """Apply now (K = 0; the counts of what changed) or schedule (how many changes wait)."""
        if change.after_list_requests == 0:
            return change.apply(self.store, self.clock())
        self.pending.append(change)
        return {"pending": len(self.pending)}

    def page_served(self) -> None:
        """One more `GET /conversation` answered 200: apply the changes whose turn it was."""
        due = []
        for change in self.pending:
            change.after_list_requests -= 1
            if change.after_list_requests <= 0:
                due.append(change)
        self.pending = [change for change in self.pending if change.after_list_requests > 0]
        for change in due:
            change.apply(self.store, self.clock())
