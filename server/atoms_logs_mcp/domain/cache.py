"""A small in-memory cache with a size bound and per-entry expiry (least recently used goes first, or, with
`refresh_on_get=False`, least recently put). The time source is the `clock` given (tests pass a fake one)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class TTLCache(Generic[V]):
    def __init__(
        self,
        max_entries: int,
        ttl: float,
        clock: Callable[[], float] = time.monotonic,
        *,
        refresh_on_get: bool = True,
    ) -> None:
        self._entries: OrderedDict[Hashable, tuple[float, V]] = OrderedDict()
        self._max = max_entries
        self._ttl = ttl
        self._clock = clock
        self._refresh_on_get = refresh_on_get

    def get(self, key: Hashable) -> V | None:
        entry = self._entries.get(key)
        if entry is None or entry[0] < self._clock():
            if entry is not None:
                del self._entries[key]
            return None
        if self._refresh_on_get:
            self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: Hashable, value: V, ttl: float | None = None) -> None:
        self._entries[key] = (self._clock() + (self._ttl if ttl is None else ttl), value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max:
            self._entries.popitem(last=False)

    def values(self) -> list[V]:
        """The entries not yet expired, oldest first (reading them does not refresh them)."""
        now = self._clock()
        return [value for expiry, value in self._entries.values() if expiry >= now]

    def __len__(self) -> int:
        return len(self._entries)
