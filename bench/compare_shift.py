"""compare_calls' Hodges-Lehmann shift and Moses interval, against the naive method that sorts every pair.

python bench/compare_shift.py [--quick]

The naive baseline is the textbook one: form all n*m differences candidate - baseline, sort them, read the median and
the interval's order statistics off the sorted list. `domain.shift.hodges_lehmann` selects those few order statistics
without forming the pairs. Both run on the same samples, interleaved, and must give the same numbers.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence

from common import Section, ratios, spread

from atoms_logs_mcp.domain.shift import Shift, hodges_lehmann, null_law

SIZES = (200, 1_000, 2_000)
QUICK_SIZES = (200, 500)


def naive(baseline: Sequence[float], candidate: Sequence[float]) -> tuple[float, float, float]:
    pairs = sorted(b - a for a in baseline for b in candidate)
    count = len(pairs)
    c = null_law(len(baseline), len(candidate)).largest_count_within(0.025)
    return (pairs[(count - 1) // 2] + pairs[count // 2]) / 2, pairs[c], pairs[count - 1 - c]


def _timed(work: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    answer = work()
    return (time.perf_counter() - started) * 1000, answer


def measure(size: int, repeats: int) -> list[str]:
    rng = random.Random(size)
    baseline = [rng.lognormvariate(7.0, 0.4) for _ in range(size)]  # turn latencies around 1,100 ms
    candidate = [rng.lognormvariate(7.3, 0.4) for _ in range(size)]
    ours: list[float] = []
    theirs: list[float] = []
    for repeat in range(repeats):
        order = [("ours", lambda: hodges_lehmann(baseline, candidate)), ("naive", lambda: naive(baseline, candidate))]
        for name, work in order if repeat % 2 == 0 else order[::-1]:
            elapsed, answer = _timed(work)
            (ours if name == "ours" else theirs).append(elapsed)
            if name == "ours":
                shift = answer
            else:
                expected = answer
    assert isinstance(shift, Shift)
    if (shift.estimate, shift.low, shift.high) != expected:
        raise SystemExit(f"{size} a side: {shift} differs from the naive {expected}")
    return [
        f"{size:,} a side ({size * size:,} pairs)",
        spread(ours, " ms"),
        spread(theirs, " ms"),
        spread(ratios(theirs, ours), "x", 1),
        f"{shift.estimate:+.1f} ms [{shift.low:+.1f}, {shift.high:+.1f}]",
    ]


def run(quick: bool = False) -> Section:
    repeats = 3 if quick else 7
    rows = [measure(size, repeats) for size in (QUICK_SIZES if quick else SIZES)]
    table = [["sample", "selection (ours), ms", "sort every pair, ms", "naive / ours", "shift [95% interval]"], *rows]
    method = (
        "compare_calls gives duration, turn latency and cost per call a Hodges-Lehmann shift (the median of every "
        "candidate - baseline difference) with Moses' distribution-free 95% interval. `domain/shift.py` finds those "
        "three order statistics of the n*m differences without forming them; the naive baseline forms and sorts "
        f"them all. Same lognormal samples (a ~35% latency rise) for both, {repeats} repeats interleaved with the "
        "order alternating; both answers must be equal. Cells: median (min–max) of the times and of the "
        "per-repeat ratios."
    )
    notes = [f"At 5,000 calls a side (25 million pairs) the naive method needs the pairs in memory; ours: {_big()}."]
    return Section("Comparison statistics", method, table, notes)


def _big() -> str:
    rng = random.Random(5)
    side = [rng.lognormvariate(7.0, 0.4) for _ in range(5_000)]
    other = [rng.lognormvariate(7.3, 0.4) for _ in range(5_000)]
    times = [_timed(lambda: hodges_lehmann(side, other))[0] for _ in range(3)]
    return f"{statistics.median(times):.0f} ms (median of 3)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller samples, fewer repeats")
    print(run(parser.parse_args().quick).markdown())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
