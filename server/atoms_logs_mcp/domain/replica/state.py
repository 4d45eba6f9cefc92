"""Where one organisation's sync stands, saved in the store with every page it commits (store/replica.py)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

DAY = 86_400.0


@dataclass
class SyncState:
    horizon: float
    """Epoch seconds: the replica holds every call created from here on (the `sync_since_days` setting: that many
    days before the first sync)."""
    complete: bool = False
    """A walk has read every row down to the horizon (or the end of the list): the replica covers the horizon on."""
    reached_end: bool = False
    """The last complete walk read the whole list and kept every row: the replica holds the account's whole
    history."""
    walk: int = 0
    """The number of the current (or last) walk; rows carry the number of the last walk that saw them."""
    walk_page: int = 0
    """The next page of the walk under way; 0 when no walk is under way (an interrupted walk resumes here)."""
    walk_total: int | None = None
    """`pagination.total` as the walk under way last read it: a fall means deletions pulled rows up past it."""
    walk_skipped: int = 0
    """Rows created before the horizon that the walk under way passed over (outside the replica, not kept)."""
    walked_at: float = 0.0
    """When the last complete walk ended (a walk runs again once a day)."""
    synced_at: float = 0.0
    """When the last pass ended: how fresh the replica is."""
    unlisted: int | None = None
    """`pagination.total` minus the rows kept, after the last complete walk: calls the API counts that the replica
    does not hold (created before the horizon). Less than that after a pass means calls were deleted."""
    newest_updated: float | None = None
    """The newest `updatedAt` the last pass read, when rows carry it."""

    @classmethod
    def read(cls, saved: dict[str, Any] | None, horizon: float) -> SyncState:
        """The saved state (unknown keys ignored), or a new one reaching back to `horizon`."""
        if not saved:
            return cls(horizon)
        known = {f.name for f in fields(cls)}
        try:
            return cls(**{key: value for key, value in saved.items() if key in known})
        except TypeError:
            return cls(horizon)

    def saved(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def walking(self) -> bool:
        return self.walk_page > 0

    def walk_due(self, now: float, full: bool) -> bool:
        """Whether this pass walks the whole list: asked to, never completed, interrupted, or a day since the last."""
        return full or not self.complete or self.walking or now - self.walked_at >= DAY
