"""Windows and comparisons read in the last two minutes, by the filters that asked for them.

summarize_logs and compare_calls read a whole window for the model; for a host that draws views, the window view,
drawn right after, asks for the same window. Kept here, the view shows the very numbers of the answer beside it,
and the window is not read twice. Only views read from here: every tool answer reads the API afresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ..api.query import LogQuery
from .cache import TTLCache
from .compare import Comparison, Side
from .filters import Filters
from .summarize import WindowSummary
from .timewindow import Window
from .version_names import VersionChoice

KEEP_SECONDS = 120.0


@dataclass(frozen=True)
class ReadWindow:
    """One window read whole: its statistics, the query and window it meant, the agent names it used."""

    summary: WindowSummary
    query: LogQuery
    window: Window
    agent_names: Mapping[str, str]
    versions: VersionChoice = field(default_factory=VersionChoice)
    """What the `version_ids` filter meant (labels, `vN` across agents)."""


class RecentWindows:
    """The last few windows read (the oldest read goes first, however often it is asked for), each for
    KEEP_SECONDS, by (filters, ceiling)."""

    def __init__(self, keep: int = 16, seconds: float = KEEP_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._read: TTLCache[ReadWindow] = TTLCache(keep, seconds, clock, refresh_on_get=False)

    def put(self, filters: Filters, ceiling: int, read: ReadWindow) -> None:
        self._read.put((repr(filters), ceiling), read)

    def get(self, filters: Filters, ceiling: int) -> ReadWindow | None:
        return self._read.get((repr(filters), ceiling))


@dataclass(frozen=True)
class ReadComparison:
    """Two sides compared: what each side was (in words), their figures, and every row tested."""

    labels: tuple[str, str]
    sides: tuple[Side, Side]
    comparison: Comparison


class RecentComparisons:
    """The last few comparisons (compare_calls' answers), each for KEEP_SECONDS, by (baseline, candidate, deep):
    the compare view draws the very rows and verdicts of the answer beside it."""

    def __init__(self, keep: int = 8, seconds: float = KEEP_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._read: TTLCache[ReadComparison] = TTLCache(keep, seconds, clock, refresh_on_get=False)

    def put(self, sides: tuple[Filters, Filters], deep: bool, read: ReadComparison) -> None:
        self._read.put((repr(sides[0]), repr(sides[1]), deep), read)

    def get(self, sides: tuple[Filters, Filters], deep: bool) -> ReadComparison | None:
        return self._read.get((repr(sides[0]), repr(sides[1]), deep))
