"""The server's wall clock: the system's, or one set to start at a given instant and run on from it.

Every answer that reads "now" (a window such as `since="7d"`, whether a call has settled, an export's time
stamp) asks the clock it was given, never `datetime.now` itself, so a server started with the `now` setting answers
as it would have at that instant, and a test reads generated data on any day the suite runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

WallClock = Callable[[], datetime]
"""A source of the current time, timezone-aware."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def clock_from(start: datetime | None, monotonic: Callable[[], float] = time.monotonic) -> WallClock:
    """The system clock when `start` is None; else a clock that reads `start` now and runs on at the speed of
    `monotonic` (so a call watched for a minute is a minute older, whatever the machine's calendar says)."""
    if start is None:
        return system_clock
    began, origin = monotonic(), start.astimezone(UTC)

    def now() -> datetime:
        return origin + timedelta(seconds=monotonic() - began)

    return now
