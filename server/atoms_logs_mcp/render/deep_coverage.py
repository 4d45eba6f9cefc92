"""What part of a window an investigation read, where the calls came from, and how to continue."""

from __future__ import annotations

from datetime import timedelta

from ..domain.deep_scan import DeepScan
from ..settings_table import env_name
from . import formats
from .replica import replica_source
from .untrusted import clean, clip


def deep_coverage(scan: DeepScan) -> list[str]:
    """One line of counts, then a line per gap (capped, pages or calls not read), then the store's notice."""
    listing = scan.listing
    fetched = f"{scan.fetched} from the API" + (
        f" ({scan.unsettled} still changing, not stored)" if scan.unsettled else ""
    )
    lines = [
        f"Read {formats.plural(scan.read, 'call')} of {listing.total} matching: {scan.from_store} from the local "
        f"store, {fetched}."
    ]
    if listing.replica is not None:
        lines.append(replica_source(listing.replica))
    if listing.capped:
        # until is inclusive: a millisecond before the oldest call read, so the next call starts where this stopped
        until = (scan.oldest - timedelta(milliseconds=1)).isoformat(timespec="milliseconds") if scan.oldest else "..."
        lines.append(
            f"NOT COVERED: the {listing.total - listing.target} oldest matching calls "
            f"(the ceiling is {listing.target}, newest first). To continue, call again with until={until} "
            f"(or raise max_calls / {env_name('deep_ceiling')})."
        )
    if listing.failed_pages:
        ranges = ", ".join(f"{a}-{b}" for a, b in listing.missing_ranges())
        lines.append(f"NOT COVERED: list positions {ranges} (newest first) could not be read; call again to retry.")
    if listing.missed:
        lines.append(f"NOT COVERED: {formats.plural(listing.missed, 'call')} moved while the window was listed.")
    if scan.failed:
        shown = "; ".join(f"{call_id}: {clip(clean(why), 80)}" for call_id, why in scan.failed[:3])
        more = f" (and {len(scan.failed) - 3} more)" if len(scan.failed) > 3 else ""
        lines.append(
            f"NOT COVERED: {formats.plural(len(scan.failed), 'call')} could not be opened: {shown}{more}. "
            "Call again to retry them (calls already read come from the store)."
        )
    if scan.slowed:
        lines.append(
            f"The API rate-limited this scan; it slowed down {formats.plural(scan.slowed, 'time')} and went on."
        )
    if scan.notice:
        lines.append(f"NOTE: {scan.notice}")
    return lines
