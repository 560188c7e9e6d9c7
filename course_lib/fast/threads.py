"""Two threads for the fast algorithms, each with a one-thread BLAS: what the machine's two cores can do.

numpy releases the GIL in its copies, element-wise passes and BLAS calls, so two
Python threads working on different samples keep both cores busy, the copies of
one overlapping the products of the other. Each thread's products then run on a
one-thread BLAS: numpy's OpenBLAS, left at two threads, would start a second
thread per call, and its idle threads spin for a while after each call, taking the
core the other Python thread needs (measured: 4-17x slower on a loaded machine).
The BLAS thread count is set back when the work is done; another thread of the
program calling BLAS meanwhile would also run on one thread.

With an op counter active the work runs in order on the calling thread (the
counts do not depend on it; the tallies are not shared between threads).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from course_lib.counting import is_counting

THREADS = 2
"""Threads the work of one call is shared among (1: always on the calling thread)."""


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="course_lib.fast")


@functools.cache
def _blas() -> Any:
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def run_shares(work: Callable[[Any], None], shares: Sequence[Any]) -> None:
    """``work(share)`` for every share: on `THREADS` threads with a one-thread BLAS, or in order.

    In order (on the calling thread) when there is one share, `THREADS` is 1, or an
    op counter is active.
    """
    if len(shares) < 2 or THREADS < 2 or is_counting():
        for share in shares:
            work(share)
        return
    with _blas().limit(limits=1, user_api="blas"):
        for future in [_pool().submit(work, share) for share in shares]:
            future.result()


def halves(count: int, parts: int = THREADS) -> list[slice]:
    """``range(count)`` split into at most ``parts`` consecutive, nearly equal slices."""
    parts = max(1, min(parts, count))
    bounds = [count * k // parts for k in range(parts + 1)]
    return [slice(bounds[k], bounds[k + 1]) for k in range(parts)]
