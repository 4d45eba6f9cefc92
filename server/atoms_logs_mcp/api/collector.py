"""Python's cyclic garbage collector, paused while one page of the API is decoded and read.

Decoding a 500-call page and reading it into models creates tens of thousands of containers in one synchronous
step. With the collector running, it stops every 700 new containers, finds the half-built page alive, and
promotes it generation by generation; on Python 3.11 the pages so promoted set off full collections of the whole
heap (at 20,000 calls: 14 of them, 1.1-1.4 s of a 3 s summary's CPU). Nothing a page builds is garbage while it
is being built, and it holds no reference cycles (JSON values and models of them), so pausing the collector for
that step loses nothing; it runs again as soon as the step ends.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

Params = ParamSpec("Params")
Result = TypeVar("Result")


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block (synchronous code only: an `await` inside would pause it for others)."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def without_collection(work: Callable[Params, Result], *args: Params.args, **kwargs: Params.kwargs) -> Result:
    """`work(*args, **kwargs)` with the collector paused (`collector_paused`)."""
    with collector_paused():
        return work(*args, **kwargs)
