"""Fault injection for the sandbox: what can go wrong with a real API, on demand and reproducibly."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

Fault = Literal["drop", "malformed", "rate_limit", "error", "slow"]


@dataclass(frozen=True)
class FaultConfig:
    """Rates are probabilities per API request (0..1); the draws are exclusive, in the order below."""

    latency_ms: float = 0.0
    """Added to every API request."""
    drop_rate: float = 0.0
    """The connection is closed mid-response."""
    malformed_rate: float = 0.0
    """A 200 whose body is not JSON."""
    rate_limit_rate: float = 0.0
    """429 with `Retry-After: retry_after` and the documented rate-limit body."""
    retry_after: float = 1.0
    error_rate: float = 0.0
    """A 500, 502, 503 or 504 with the spec's error envelope."""
    error_status: int | None = None
    """Always this status instead of a random one (e.g. 504, a gateway timeout)."""
    slow_rate: float = 0.0
    """The answer comes after `slow_ms` more (to exceed a client's timeout)."""
    slow_ms: float = 30_000.0
    stream_cut_after: int = 3
    """A live-event stream drawn to drop (or counted by `stream_drops`) is cut after this many frames."""
    stream_drops: int = 0
    """The next N live-event streams are cut (a deterministic drop, for tests)."""
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("drop_rate", "malformed_rate", "rate_limit_rate", "error_rate", "slow_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.stream_cut_after < 1:
            raise ValueError("stream_cut_after must be at least 1")
        if self.error_status is not None and not 500 <= self.error_status <= 599:
            raise ValueError("error_status must be a 5xx status")
        if min(self.latency_ms, self.slow_ms, self.retry_after, self.stream_drops) < 0:
            raise ValueError("latency_ms, slow_ms, retry_after and stream_drops must not be negative")
        if self.drop_rate + self.malformed_rate + self.rate_limit_rate + self.error_rate + self.slow_rate > 1:
            raise ValueError("the fault rates add up to more than 1")

    def updated(self, changes: dict[str, Any]) -> FaultConfig:
        known = {f.name: f.type for f in fields(self)}
        unknown = set(changes) - set(known)
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        clean: dict[str, Any] = {}
        for name, value in changes.items():
            if name in ("seed", "error_status"):
                clean[name] = None if value is None else int(value)
            elif name in ("stream_cut_after", "stream_drops"):
                if isinstance(value, bool) or not isinstance(value, int):
                    raise ValueError(f"{name} must be a whole number")
                clean[name] = value
            else:
                clean[name] = number_setting(name, value)
        return replace(self, **clean)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class FaultInjector:
    """Draws, per request, which fault (if any) strikes."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        self.config = config
        self._random = random.Random(config.seed)
        self._stream_drops = config.stream_drops

    def take_stream_cut(self) -> int | None:
        """Frames after which this stream is cut, while `stream_drops` lasts; else None."""
        if self._stream_drops <= 0:
            return None
        self._stream_drops -= 1
        return self.config.stream_cut_after

    def draw(self) -> Fault | None:
        c = self.config
        roll = self._random.random()
        for fault, rate in (
            ("drop", c.drop_rate),
            ("malformed", c.malformed_rate),
            ("rate_limit", c.rate_limit_rate),
            ("error", c.error_rate),
            ("slow", c.slow_rate),
        ):
            if roll < rate:
                return fault  # type: ignore[return-value]
            roll -= rate
        return None

    def pick_error_status(self) -> int:
        return self.config.error_status or self._random.choice((500, 502, 503, 504))


def number_setting(name: str, value: Any) -> float:
    """A run-time setting's number as a control route received it (JSON); ValueError (a 400) for anything else."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number")
    return float(value)
