"""Many rows tested at once: Holm's correction, so that the chance of even one false alarm stays under 5%.

Holm rather than Benjamini-Hochberg: it holds whatever the dependence between the rows, and the rows of one
comparison are tied (the shares of one reason list add up to 100%), which BH's guarantee does not cover.
"""

from __future__ import annotations

from collections.abc import Sequence

ALPHA = 0.05


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm's step-down adjusted p-values, in the order given: the k-th smallest p times (N - k + 1), never less
    than the one before it, at most 1. A row survives when its adjusted p-value is at most ALPHA."""
    order = sorted(range(len(p_values)), key=lambda i: p_values[i])
    adjusted = [1.0] * len(p_values)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (len(p_values) - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted
