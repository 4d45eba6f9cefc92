"""What an answer read from the local replica says of it: how many calls, how fresh, how many transcripts local."""

from __future__ import annotations

from ..domain.replica.reads import Freshness
from . import formats


def ago(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s ago"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min ago"
    if seconds < 36 * 3600:
        return f"{seconds / 3600:.0f} h ago"
    return f"{seconds / 86400:.0f} days ago"


def replica_source(freshness: Freshness) -> str:
    """From the local replica: 84210 calls, synced 40 s ago; transcripts local for 84100; 110 still being
    fetched."""
    fetching = f"; {freshness.fetching} still being fetched" if freshness.fetching else ""
    return (
        f"From the local replica: {formats.plural(freshness.rows, 'call')}, synced {ago(freshness.age)}; "
        f"transcripts local for {freshness.details}{fetching}."
    )
