"""Exact operation counting: the `OpCounter` and the scalar-loop reference kernels.

Every primitive in `course_lib.ops` reports what it computes to the counters that
are active (a context variable, so nesting and threads behave). Counting
conventions (notebooks/00_start_here.ipynb):

* a dot product of length n costs n multiplies and n - 1 adds;
* a MAC is one multiply paired with one accumulate inside a product, so a
  (m x n)(n x p) matrix product performs m*n*p MACs, m*n*p multiplies and
  m*(n-1)*p adds;
* FLOPs = multiplies + adds + divides (so FLOPs ~ 2 x MACs for products);
* applications of an activation (or any elementwise function) are counted
  separately, as ``activations``, never as FLOPs.

This module uses only the standard library and numpy.
"""

from __future__ import annotations

import contextvars
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np

from course_lib.validation import as_float_array

KINDS = ("multiplies", "adds", "divides", "activations", "macs")
"""The kinds of operation a counter tallies."""

_KIND_SET = frozenset(KINDS)

_ACTIVE: contextvars.ContextVar[tuple[OpCounter, ...]] = contextvars.ContextVar(
    "course_lib_active_counters", default=()
)


class OpCounter:
    """Tallies of operations, in total and per operation name.

    Use it through `count_ops()`::

        with count_ops() as c:
            ops.matmul(a, b)
        c.multiplies, c.adds, c.by_op["matmul"]

    Counters nest: an operation is recorded in every counter that is active,
    so an outer counter's totals include everything an inner one saw.
    """

    def __init__(self) -> None:
        self.by_op: dict[str, Counter[str]] = {}

    def record(self, op: str, **counts: int) -> None:
        """Add ``counts`` (keyword per kind in `KINDS`) under the name ``op``."""
        self._add(op, counts)

    def _add(self, op: str, counts: dict[str, int]) -> None:
        if not _KIND_SET.issuperset(counts):
            unknown = sorted(set(counts) - _KIND_SET)
            raise ValueError(f"unknown operation kind(s) {unknown}; expected {KINDS}")
        tally = self.by_op.get(op)
        if tally is None:  # cheaper than setdefault, which builds a Counter on every call
            tally = self.by_op[op] = Counter()
        for kind, n in counts.items():
            tally[kind] += int(n)

    def total(self, kind: str) -> int:
        """Total count of one kind (see `KINDS`) over all operation names."""
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
        return sum(t[kind] for t in self.by_op.values())

    @property
    def multiplies(self) -> int:
        return self.total("multiplies")

    @property
    def adds(self) -> int:
        """Additions and subtractions."""
        return self.total("adds")

    @property
    def divides(self) -> int:
        return self.total("divides")

    @property
    def activations(self) -> int:
        """Elementwise function applications (activations, exp, log, ...)."""
        return self.total("activations")

    @property
    def macs(self) -> int:
        """Multiply-accumulate pairs performed inside products."""
        return self.total("macs")

    @property
    def flops(self) -> int:
        """Floating-point arithmetic: multiplies + adds + divides."""
        return self.multiplies + self.adds + self.divides

    def as_dict(self) -> dict[str, int]:
        """Totals of every kind, plus ``flops``."""
        totals = {kind: self.total(kind) for kind in KINDS}
        totals["flops"] = self.flops
        return totals

    def breakdown(self) -> dict[str, dict[str, int]]:
        """Per operation name: the non-zero counts of each kind."""
        return {op: {k: v for k, v in tally.items() if v} for op, tally in self.by_op.items()}

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.as_dict().items())
        return f"OpCounter({inner})"


@contextmanager
def count_ops() -> Iterator[OpCounter]:
    """Count every `course_lib.ops` operation run inside the ``with`` block."""
    counter = OpCounter()
    token = _ACTIVE.set((*_ACTIVE.get(), counter))
    try:
        yield counter
    finally:
        _ACTIVE.reset(token)


def record(op: str, **counts: int) -> None:
    """Report ``counts`` for operation ``op`` to every active counter (cheap if none)."""
    for counter in _ACTIVE.get():
        counter._add(op, counts)


def is_counting() -> bool:
    """True when at least one counter is active."""
    return bool(_ACTIVE.get())


def _as_matrix(name: str, value: Sequence[Sequence[float]] | np.ndarray) -> list[list[float]]:
    array = as_float_array(name, value)
    if array.ndim != 2:
        raise ValueError(f"{name} must be a 2-D matrix, got shape {array.shape}")
    if 0 in array.shape:
        raise ValueError(f"{name} must have at least one row and one column, got shape {array.shape}")
    return array.tolist()


def matmul_naive(
    a: Sequence[Sequence[float]] | np.ndarray, b: Sequence[Sequence[float]] | np.ndarray
) -> np.ndarray:
    """Matrix product by three Python loops, tallying every scalar operation.

    ``a`` has shape (m, n) and ``b`` shape (n, p); the result has shape (m, p).
    Each entry is a dot product of length n: n multiplies and n - 1 adds, so the
    whole product costs m*n*p multiplies and m*(n-1)*p adds, which the loops
    arrive at one scalar at a time (derived in notebooks/01_matrix_multiplication.ipynb).
    Meant for tiny sizes: it is about a thousand times slower than numpy.
    """
    rows_a = _as_matrix("a", a)
    rows_b = _as_matrix("b", b)
    m, n, p = len(rows_a), len(rows_a[0]), len(rows_b[0])
    if len(rows_b) != n:
        raise ValueError(
            f"inner dimensions differ: a has shape ({m}, {n}) and b has shape ({len(rows_b)}, {p}); "
            f"b must have {n} rows"
        )
    multiplies = adds = 0
    out = [[0.0] * p for _ in range(m)]
    for i in range(m):
        row = rows_a[i]
        for j in range(p):
            acc = row[0] * rows_b[0][j]
            multiplies += 1
            for k in range(1, n):
                acc = acc + row[k] * rows_b[k][j]
                multiplies += 1
                adds += 1
            out[i][j] = acc
    record("matmul_naive", multiplies=multiplies, adds=adds, macs=multiplies)
    return np.array(out)
