"""A share of calls with its 95% interval; the difference of two shares with its interval and p-value.

Shares use the Wilson score interval; the difference of two shares uses Newcombe's method (built from the two
Wilson intervals), which behaves at 0% and 100% and on small counts, where the normal approximation does not.
The p-value is the interval's dual: the smallest level at which Newcombe's interval leaves 0 out, so a row is never
said to move with an interval that holds 0, nor the reverse.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

Z95 = 1.959964
_FARTHEST_Z = 40.0
"""Past this many standard errors a p-value is 0 in floating point."""


@dataclass(frozen=True)
class Share:
    hits: int
    total: int

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """Wilson score interval at 95%."""
        return self.wilson(Z95)

    def wilson(self, z: float) -> tuple[float, float]:
        n, p = self.total, self.value
        if not n:
            return (0.0, 1.0)
        centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
        half = z * math.sqrt(p * (1 - p) / n + z**2 / (4 * n * n)) / (1 + z**2 / n)
        return (max(0.0, centre - half), min(1.0, centre + half))


@dataclass(frozen=True)
class Difference:
    """candidate - baseline, with Newcombe's 95% interval and the p-value dual to it."""

    value: float
    low: float
    high: float
    p_value: float

    @property
    def noise(self) -> bool:
        return self.low <= 0 <= self.high


def difference(baseline: Share, candidate: Share) -> Difference:
    value, low, high = _newcombe(baseline, candidate, Z95)
    return Difference(value, low, high, _p_value(baseline, candidate))


def _newcombe(baseline: Share, candidate: Share, z: float) -> tuple[float, float, float]:
    p1, p2 = baseline.value, candidate.value
    l1, u1 = baseline.wilson(z)
    l2, u2 = candidate.wilson(z)
    d = p2 - p1
    return d, d - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2), d + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)


def _p_value(baseline: Share, candidate: Share) -> float:
    """2 * Phi(-z*), z* where the interval's edge nearer 0 reaches it: the interval widens as z grows, so
    bisection finds z*."""
    value = candidate.value - baseline.value
    if value == 0:
        return 1.0

    def leaves_out_zero(z: float) -> bool:
        _, low, high = _newcombe(baseline, candidate, z)
        return low > 0 if value > 0 else high < 0

    near, far = 0.0, _FARTHEST_Z
    if leaves_out_zero(far):
        return 0.0
    for _ in range(60):
        middle = (near + far) / 2
        near, far = (middle, far) if leaves_out_zero(middle) else (near, middle)
    return 2 * NormalDist().cdf(-far)
