"""How far one sample sits from another: the Hodges-Lehmann shift with its distribution-free 95% interval.

The shift is the median of every difference candidate - baseline over all pairs of values (Hodges-Lehmann). Its
interval is Moses': the (c+1)-th smallest and the (c+1)-th largest of those differences, c the largest count with
P(U <= c) <= 2.5%, U the Mann-Whitney count of a sample pair of these sizes with no shift between them; U's law is
exact under 50 values a side and the normal approximation (continuity corrected) from there. Nothing is assumed of
the values' distribution; tied values (many calls of 0 s, equal costs) make the interval conservative: it covers
the true shift at least 95% of the time. The p-value is the interval's dual: the smallest level at which the
interval leaves 0 out, so a row is never "moved" with an interval that holds 0, nor the reverse.

Deterministic (no resampling) and not quadratic: thousands of values a side make millions of differences, never
listed; the few order statistics needed are selected from them exactly (`order_statistics`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

FEWEST = 5
"""Values a side below which no shift is tested: the interval would be the whole range of differences."""
EXACT_BELOW = 50
"""Sample sizes (each side) under which U's exact law is used, as R's wilcox.test does."""
LARGEST = 1e300
"""Values this large or larger are left out: a difference of two of them could overflow to infinity."""
ENUMERATE_AT_MOST = 40_000
"""Differences listed and sorted outright; above this many, order statistics are selected without listing."""


@dataclass(frozen=True)
class Shift:
    """candidate - baseline: the Hodges-Lehmann estimate, Moses' 95% interval, and the dual p-value."""

    estimate: float
    low: float
    high: float
    p_value: float


def hodges_lehmann(baseline: Sequence[float], candidate: Sequence[float], confidence: float = 0.95) -> Shift | None:
    """The shift of `candidate` from `baseline`; None when a side has fewer than FEWEST values. A value that is not
    a finite number, or so large that differences would overflow, is left out (NaN has no order, which the
    selection below needs; an infinite difference has no place in an interval)."""
    a, b = sorted(v for v in baseline if _usable(v)), sorted(v for v in candidate if _usable(v))
    n, m = len(a), len(b)
    if n < FEWEST or m < FEWEST:
        return None
    law = null_law(n, m)
    c = law.largest_count_within((1 - confidence) / 2)
    if c < 0:  # no pair of order statistics reaches the confidence (not so from FEWEST a side up)
        return None
    pairs = n * m
    middle = [(pairs - 1) // 2, pairs // 2]  # one rank when the count is odd, the two middle ones when even
    found = order_statistics(a, b, [*middle, c, pairs - 1 - c])
    under, upto = _ranks(a, b, 0.0)
    nearer = min(sum(upto), pairs - sum(under))  # differences <= 0 and >= 0: ties at 0 count against a shift
    estimate = (found[middle[0]] + found[middle[1]]) / 2
    return Shift(estimate, found[c], found[pairs - 1 - c], min(1.0, 2 * law.cdf(nearer)))


def _usable(value: float) -> bool:
    return math.isfinite(value) and abs(value) < LARGEST


@dataclass(frozen=True)
class NullLaw:
    """P(U <= u) of the Mann-Whitney count U for samples of n and m values with no shift."""

    n: int
    m: int
    counts: tuple[int, ...] | None
    """Arrangements with U = u, for u = 0..n*m, when exact; None for the normal approximation."""

    def cdf(self, u: int) -> float:
        if u < 0:
            return 0.0
        if self.counts is not None:
            return sum(self.counts[: u + 1]) / sum(self.counts)
        n, m = self.n, self.m
        sd = math.sqrt(n * m * (n + m + 1) / 12)
        return NormalDist().cdf((u + 0.5 - n * m / 2) / sd)

    def largest_count_within(self, tail: float) -> int:
        """The largest c with P(U <= c) <= tail; -1 when even P(U <= 0) is above it."""
        if self.counts is None:
            n, m = self.n, self.m
            sd = math.sqrt(n * m * (n + m + 1) / 12)
            return math.floor(n * m / 2 - 0.5 + NormalDist().inv_cdf(tail) * sd)
        total, below, c = sum(self.counts), 0, -1
        for u, count in enumerate(self.counts):
            below += count
            if below > tail * total:
                break
            c = u
        return c


def null_law(n: int, m: int, exact: bool | None = None) -> NullLaw:
    """U's law for samples of n and m values: exact when `exact`, or by default under EXACT_BELOW a side."""
    if not (exact if exact is not None else n < EXACT_BELOW and m < EXACT_BELOW):
        return NullLaw(n, m, None)
    # The counts are the coefficients of the Gaussian binomial [n+m choose n](q) = prod (1 - q^(m+i)) / (1 - q^i),
    # i = 1..n; after each i the product is [m+i choose i](q), a polynomial, so every step stays in integers.
    counts = [1] + [0] * (n * m)
    for i in range(1, n + 1):
        for u in range(n * m, m + i - 1, -1):
            counts[u] -= counts[u - m - i]
        for u in range(i, n * m + 1):
            counts[u] += counts[u - i]
    return NullLaw(n, m, tuple(counts))


def order_statistics(
    a: Sequence[float], b: Sequence[float], ranks: Sequence[int], enumerate_at_most: int = ENUMERATE_AT_MOST
) -> dict[int, float]:
    """The k-th smallest (from 0) of b[j] - a[i] over all pairs, for each k of `ranks`; `a`, `b` sorted ascending.

    Selection in X + Y (after Johnson and Mizoguchi): each row i keeps its candidates b[first[i]:stop[i]]; each
    round the pivot is the weighted median of the rows' middle differences (a real difference), one merge pass
    counts the differences under and up to it, and the ranks below it and above it go on with the candidates on
    their side only: at least a quarter fewer a round, O(n log n + m) each, the ranks sought shared while they
    agree. Every comparison uses b[j] - a[i] as computed here, so the counts agree with the differences exactly,
    ties included. Candidates are listed outright once few enough remain.
    """
    found: dict[int, float] = {}
    work = [([0] * len(a), [len(b)] * len(a), sorted(set(ranks)))]
    while work:
        first, stop, wanted = work.pop()
        if sum(stop) - sum(first) <= enumerate_at_most:
            rest = sorted(b[j] - a[i] for i, (f, s) in enumerate(zip(first, stop, strict=True)) for j in range(f, s))
            found.update((k, rest[k - sum(first)]) for k in wanted)
            continue
        middles = [(b[(f + s) // 2] - a[i], s - f) for i, (f, s) in enumerate(zip(first, stop, strict=True)) if s > f]
        pivot = _weighted_median(middles)
        under, upto = _ranks(a, b, pivot)
        below, through = sum(under), sum(upto)
        found.update((k, pivot) for k in wanted if below <= k < through)
        if lower := [k for k in wanted if k < below]:
            work.append((first, [min(s, u) for s, u in zip(stop, under, strict=True)], lower))
        if higher := [k for k in wanted if k >= through]:
            work.append(([max(f, u) for f, u in zip(first, upto, strict=True)], stop, higher))
    return found


def _weighted_median(items: list[tuple[float, int]]) -> float:
    """The value with at least half the weight at or below it and at least half at or above it."""
    items.sort()
    half, seen = sum(weight for _, weight in items) / 2, 0
    for value, weight in items:
        seen += weight
        if seen >= half:
            return value
    return items[-1][0]


def _ranks(a: Sequence[float], b: Sequence[float], pivot: float) -> tuple[list[int], list[int]]:
    """Per row i: how many b[j] - a[i] are below the pivot, and how many are at most the pivot. One merge pass: as
    a[i] grows, b[j] - a[i] shrinks, so both counts only grow."""
    under, upto = [], []
    below = at_most = 0
    m = len(b)
    for value in a:
        while below < m and b[below] - value < pivot:
            below += 1
        while at_most < m and b[at_most] - value <= pivot:
            at_most += 1
        under.append(below)
        upto.append(at_most)
    return under, upto
