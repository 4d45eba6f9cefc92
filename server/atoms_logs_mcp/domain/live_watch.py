"""Watching a live call: its stream's events turned into the lines spoken so far, and how the call stands."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..api import event_fields as ef
from ..api.event_fields import EventKind
from ..api.events import CallEvent, read_event, spoken
from ..api.query import LIVE_STATUSES

__all__ = ["LIVE_STATUSES", "NOT_STARTED", "LiveLine", "LiveWatch", "RecentWatches"]

NOT_STARTED = ("pending", "in_queue", "processing")


@dataclass(frozen=True)
class LiveLine:
    number: int
    """1-based, in the order heard."""
    speaker: str
    text: str
    at: datetime | None


class LiveWatch:
    """Everything heard on one watch: the transcript lines, every event, and whether the call ended."""

    def __init__(self, start: datetime | None) -> None:
        self.start = start
        """What offsets count from, as get_log counts them (`analysis.call_start`): given when the watch begins, then
        the first `call_start` event heard (a watch begun before the call started was given its creation time)."""
        self._started = False
        self.lines: list[LiveLine] = []
        self.events: list[CallEvent] = []
        self.ended: CallEvent | None = None

    def add(self, frame: Mapping[str, Any]) -> LiveLine | None:
        """Take one event; the transcript line it completes, if any."""
        event = read_event(frame)
        self.events.append(event)
        if event.kind == EventKind.CALL_START and event.at is not None and not self._started:
            self.start, self._started = event.at, True
        if event.kind in (EventKind.CALL_END, EventKind.CALL_CANCELLED):
            self.ended = event
        said = spoken(event)
        if said is None:
            return None
        line = LiveLine(len(self.lines) + 1, said[0], said[1], event.at)
        self.lines.append(line)
        return line

    def offset(self, at: datetime | None) -> float | None:
        return (at - self.start).total_seconds() if at is not None and self.start is not None else None

    @property
    def end_status(self) -> str | None:
        if self.ended is None:
            return None
        if self.ended.kind == EventKind.CALL_CANCELLED:
            return "cancelled"
        return ef.call_status(self.ended)


class RecentWatches:
    """The latest watch of each call (the few most recent calls), for the call resources to show while it runs."""

    def __init__(self, keep: int = 32) -> None:
        self._keep = keep
        self._watches: OrderedDict[str, LiveWatch] = OrderedDict()

    def put(self, call_id: str, watch: LiveWatch) -> None:
        self._watches[call_id] = watch
        self._watches.move_to_end(call_id)
        while len(self._watches) > self._keep:
            self._watches.popitem(last=False)

    def get(self, call_id: str) -> LiveWatch | None:
        return self._watches.get(call_id)
