"""The statistics under compare_calls on known values: the Hodges-Lehmann shift and Moses' interval worked by hand,
the Mann-Whitney law against brute force and the printed tables, the selection of order statistics against sorting
every difference, Holm on its textbook example, Newcombe's p-value against its own interval; properties with
hypothesis; and the speed on 5,000 calls a side."""

from __future__ import annotations

import math
import random
import time
from itertools import combinations
from statistics import median

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from atoms_logs_mcp.domain.compare import share_row
from atoms_logs_mcp.domain.false_alarms import holm
from atoms_logs_mcp.domain.proportions import Share, difference
from atoms_logs_mcp.domain.shift import hodges_lehmann, null_law, order_statistics

samples = st.lists(st.integers(-50, 50).map(float), min_size=5, max_size=30)


def test_hodges_lehmann_worked_by_hand():
    """a = 0..4, b = 10..14: the 25 differences b - a are 10 + (j - i), so 6 once, 7 twice, ... 10 five times, ...
    14 once. Their median (the 13th) is 10. For 5 and 5 values P(U <= 2) = 4/252 <= 2.5% < P(U <= 3) = 7/252, so
    c = 2 and Moses' interval is the 3rd smallest and 3rd largest difference: [7, 13]. No difference is <= 0, so
    the p-value is 2 P(U <= 0) = 2/252."""
    shift = hodges_lehmann([0, 1, 2, 3, 4], [10, 11, 12, 13, 14])
    assert shift is not None
    assert (shift.estimate, shift.low, shift.high) == (10, 7, 13)
    assert shift.p_value == pytest.approx(2 / 252)


def test_an_even_number_of_differences_takes_the_mean_of_the_middle_two():
    """5 x 6 = 30 differences: the estimate is the mean of the 15th and 16th."""
    a, b = [1.0, 2, 2, 5, 9], [2.0, 3, 3, 4, 6, 10]
    differences = sorted(y - x for x in a for y in b)
    shift = hodges_lehmann(a, b)
    assert shift is not None and shift.estimate == (differences[14] + differences[15]) / 2 == median(differences)


def test_fewer_than_five_values_a_side_are_not_tested():
    assert hodges_lehmann([1, 2, 3, 4], [5, 6, 7, 8, 9]) is None
    assert hodges_lehmann([1, 2, 3, 4, 5], []) is None
    assert hodges_lehmann([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]) is not None


@pytest.mark.parametrize(("n", "m"), [(5, 5), (4, 6), (3, 7), (6, 6)])
def test_the_exact_law_of_u_counts_every_arrangement(n, m):
    """U = pairs with the baseline value below the candidate value, over every placing of n baseline values among
    n + m distinct ranks."""
    counts = [0] * (n * m + 1)
    for positions in combinations(range(n + m), n):
        chosen = set(positions)
        counts[sum(1 for x in positions for y in range(n + m) if y not in chosen and x < y)] += 1
    assert null_law(n, m).counts == tuple(counts)


@pytest.mark.parametrize(("n", "m", "critical"), [(5, 5, 2), (5, 10, 8), (8, 12, 22), (10, 10, 23), (20, 20, 127)])
def test_the_interval_count_is_the_printed_two_sided_5pct_critical_value(n, m, critical):
    """Mann-Whitney tables (two-sided, 5%): reject when U <= the critical value; c is that value."""
    assert null_law(n, m).largest_count_within(0.025) == critical


@pytest.mark.parametrize(("size", "off_by"), [(30, 1), (49, 0), (50, 0), (80, 0)])
def test_the_normal_approximation_agrees_with_the_exact_law(size, off_by):
    """Where it is used (50 a side and up) it gives the exact count; at 30 it is one wider, never narrower."""
    exact, approximate = null_law(size, size, exact=True), null_law(size, size, exact=False)
    assert exact.largest_count_within(0.025) - approximate.largest_count_within(0.025) == off_by


def test_holm_on_its_textbook_example():
    """Four hypotheses, p = 0.01, 0.04, 0.03, 0.005 at 5%: 0.005 x 4 and 0.01 x 3 pass, 0.03 x 2 = 0.06 does not, so
    the first and the fourth are rejected."""
    adjusted = holm([0.01, 0.04, 0.03, 0.005])
    assert adjusted == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert [p <= 0.05 for p in adjusted] == [True, False, False, True]
    assert holm([]) == []
    assert holm([0.6, 0.9]) == [1.0, 1.0]


@given(
    st.lists(st.sampled_from([0.0, 0.5, 1.0, 2.0, 7.25]), min_size=1, max_size=25),
    st.lists(st.sampled_from([0.0, 1.0, 3.0, 3.5]), min_size=1, max_size=25),
    st.lists(st.floats(0, 1), min_size=1, max_size=4),
)
def test_order_statistics_equal_sorting_every_difference(a, b, where):
    """Forced to select (at most 3 differences listed), on values full of ties."""
    a, b = sorted(a), sorted(b)
    differences = sorted(y - x for x in a for y in b)
    ranks = [min(len(differences) - 1, int(w * len(differences))) for w in where]
    assert order_statistics(a, b, ranks, enumerate_at_most=3) == {k: differences[k] for k in ranks}


@given(samples, samples)
def test_the_interval_holds_the_estimate_and_its_p_value_says_the_same(a, b):
    shift = hodges_lehmann(a, b)
    assert shift is not None
    assert shift.low <= shift.estimate <= shift.high
    assert (shift.p_value <= 0.05) == (not shift.low <= 0 <= shift.high)


@settings(max_examples=50)
@given(st.lists(st.floats(), min_size=5, max_size=12), st.lists(st.floats(), min_size=5, max_size=12))
def test_values_that_are_not_finite_numbers_are_left_out(a, b):
    """NaN, infinities and values whose differences would overflow: an answer of the rest or None, never a hang,
    an error or an infinite figure."""
    shift = hodges_lehmann(a, b)
    usable = [[v for v in side if math.isfinite(v) and abs(v) < 1e300] for side in (a, b)]
    assert (shift is None) == (min(map(len, usable)) < 5)
    assert shift == hodges_lehmann(*usable)
    assert shift is None or all(math.isfinite(x) for x in (shift.estimate, shift.low, shift.high))
    assert hodges_lehmann([1e308] * 5, [-1e308] * 5) is None


@given(samples, samples, st.integers(-1000, 1000))
def test_shifting_one_side_shifts_the_estimate_and_interval_alike(a, b, c):
    before, after = hodges_lehmann(a, b), hodges_lehmann(a, [y + c for y in b])
    assert before is not None and after is not None
    assert (after.estimate, after.low, after.high) == (before.estimate + c, before.low + c, before.high + c)


@given(samples, samples)
def test_swapping_the_sides_mirrors_the_shift(a, b):
    forward, backward = hodges_lehmann(a, b), hodges_lehmann(b, a)
    assert forward is not None and backward is not None
    assert (backward.estimate, backward.low, backward.high) == (-forward.estimate, -forward.high, -forward.low)
    assert backward.p_value == forward.p_value


@settings(max_examples=300)
@given(st.integers(0, 80), st.integers(1, 80), st.integers(0, 80), st.integers(1, 80))
def test_a_share_difference_is_significant_exactly_when_its_interval_leaves_out_0(h1, n1, h2, n2):
    baseline, candidate = Share(min(h1, n1), n1), Share(min(h2, n2), n2)
    diff = difference(baseline, candidate)
    if abs(diff.p_value - 0.05) > 1e-9:
        assert (diff.p_value < 0.05) == (not diff.noise)


def test_five_thousand_calls_a_side_take_well_under_a_second():
    """25 million differences: selected, never listed (sorting them all takes several seconds and gigabytes)."""
    rng = random.Random(7)
    a = [rng.lognormvariate(7, 0.3) for _ in range(5000)]
    b = [rng.lognormvariate(7, 0.3) + 200 for _ in range(5000)]
    started = time.process_time()  # this process's CPU time: a machine loaded by other work does not count
    shift = hodges_lehmann(a, b)
    elapsed = time.process_time() - started
    assert shift is not None and shift.low < 200 < shift.high
    assert elapsed < 1.0, f"{elapsed:.2f} s of CPU"  # about 0.1 s


@pytest.mark.parametrize(
    ("baseline", "candidate", "tested"),
    [((0, 40), (0, 55), False), ((40, 40), (55, 55), False), ((0, 40), (3, 55), True), ((40, 40), (54, 55), True)],
)
def test_a_row_that_cannot_move_is_not_counted_among_the_rows_tested(baseline, candidate, tested):
    """0% on both sides (or 100% on both) has p = 1: counting it would only make Holm stricter for the others."""
    first, second = Share(*baseline), Share(*candidate)
    row = share_row("cancelled", first, second)
    assert (row.p_value is not None) is tested
    assert row.difference is not None  # still shown, with its interval
