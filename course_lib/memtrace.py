"""Memory as Python sees it: bytes an object holds in numpy arrays, and the peak of a call (tracemalloc).

`held_nbytes` walks tuples, lists, dicts and named tuples (the forward caches
of `course_lib.mlp` and `course_lib.conv`) and adds up the ``nbytes`` of the
numpy arrays it finds, each block of memory once: a view (a reshape, a
transpose) counts as the array it looks into. `peak_bytes` runs a call under
`tracemalloc`, which numpy reports every array allocation to, and returns the
most memory allocated at any moment of the call beyond what was allocated
before it. Both are measurements of the implementation, set beside the
formulas of `course_lib.complexity.memory` in
notebooks/10_memory_precision_energy.ipynb.
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

__all__ = ["held_nbytes", "peak_bytes"]


def _owner(array: np.ndarray) -> np.ndarray:
    """The array that owns ``array``'s memory (follows ``.base`` through views)."""
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array


def held_nbytes(obj: object, exclude: Iterable[np.ndarray] = ()) -> int:
    """Bytes of the numpy arrays reachable from ``obj`` through tuples, lists and dicts, each owner once.

    A view is counted as the whole array that owns its memory (the course's
    views are reshapes of whole arrays). Arrays whose memory is that of one in
    ``exclude`` (the parameters, which caches refer to but do not add) are
    left out. Other objects (shapes, names) count 0.
    """
    skipped = {id(_owner(np.asarray(array))) for array in exclude}
    owners: dict[int, int] = {}
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, np.ndarray):
            owner = _owner(item)
            if id(owner) not in skipped:
                owners[id(owner)] = owner.nbytes
        elif isinstance(item, tuple | list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
    return sum(owners.values())


def peak_bytes(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """``(fn(*args, **kwargs), peak)``: the most bytes allocated at once during the call, beyond the start.

    Measured with `tracemalloc` (started here if it is not running, and stopped
    again afterwards). Python objects count too, so the figure exceeds the
    arrays' bytes by a few kilobytes; tracing also slows the call down.
    """
    started = not tracemalloc.is_tracing()
    if started:
        tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        before = tracemalloc.get_traced_memory()[0]
        result = fn(*args, **kwargs)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        if started:
            tracemalloc.stop()
    return result, peak
