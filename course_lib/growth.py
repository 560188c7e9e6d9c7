"""Three small algorithms of order n, n^2 and n^3, run through `course_lib.ops` so their work is counted.

The growth-rate experiment of notebooks/00_start_here.ipynb asks how much more
work an algorithm does when its input grows by a factor f. These are its three
algorithms, each with the FLOPs (multiplies + adds) the course's counting
conventions give it:

============================  =====  =========================================
algorithm                     order  FLOPs at size n
============================  =====  =========================================
sum of n numbers              n      n - 1 adds
all-pairs squared differences n^2    n^2 subtracts + n^2 multiplies = 2 n^2
n x n matrix product          n^3    n^3 multiplies + n^2 (n - 1) adds = 2 n^3 - n^2
============================  =====  =========================================

`growth_counts` runs them under `count_ops` (the count); `growth_formula` is
the closed form of the table (the derivation). They agree exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from course_lib import ops
from course_lib.counting import count_ops
from course_lib.validation import require_choice, require_int


def _sum_vector(n: int) -> None:
    ops.sum(np.ones(n))


def _all_pairs(n: int) -> None:
    x = np.arange(n, dtype=float)
    difference = ops.subtract(x[:, None], x[None, :])
    ops.multiply(difference, difference)


def _matrix_product(n: int) -> None:
    ops.matmul(np.ones((n, n)), np.ones((n, n)))


@dataclass(frozen=True)
class Algorithm:
    """One algorithm of the experiment: its order k (work ~ n^k), how to run it, its FLOPs formula."""

    order: int
    run: Callable[[int], None]
    flops: Callable[[int], int]


ALGORITHMS: dict[str, Algorithm] = {
    "sum of n numbers": Algorithm(1, _sum_vector, lambda n: n - 1),
    "all-pairs squared differences": Algorithm(2, _all_pairs, lambda n: 2 * n * n),
    "n x n matrix product": Algorithm(3, _matrix_product, lambda n: 2 * n**3 - n**2),
}
"""Name -> `Algorithm`, in order of growth."""


def growth_counts(n: int) -> dict[str, int]:
    """FLOPs (multiplies + adds) of each algorithm in `ALGORITHMS` at size ``n >= 1``, counted by `count_ops`."""
    n = require_int("n", n, 1)
    counts = {}
    for name, algorithm in ALGORITHMS.items():
        with count_ops() as counter:
            algorithm.run(n)
        counts[name] = counter.flops
    return counts


def growth_formula(name: str, n: int) -> int:
    """The closed-form FLOPs of algorithm ``name`` at size ``n >= 1`` (the table of this module's docstring)."""
    name = require_choice("name", name, ALGORITHMS)
    return ALGORITHMS[name].flops(require_int("n", n, 1))
