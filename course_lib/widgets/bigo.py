"""Growth rates by counting: how much more work when the input grows by a factor.

Three small algorithms of order n, n^2 and n^3 are run through `course_lib.ops`
under `count_ops`, at size n and at size ``factor * n``, and their FLOP counts
(multiplies + adds) are compared:

* sum of n numbers (order n): n - 1 adds; ratio (f n - 1) / (n - 1) -> f;
* all-pairs squared differences (order n^2): n^2 subtracts + n^2 multiplies
  = 2 n^2; ratio f^2 exactly;
* n x n matrix product (order n^3): n^3 multiplies + n^2 (n - 1) adds
  = 2 n^3 - n^2; ratio f^2 (2 f n - 1) / (2 n - 1) -> f^3.

The ratios approach f^k as n grows: lower-order terms fade. Derived in
notebooks/00_start_here.ipynb.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_lib import ops
from course_lib.counting import count_ops
from course_lib.widgets.base import Explorer, int_slider

N_RANGE = (2, 100)
"""Slider range of the size n (each setting counts in a few milliseconds)."""

FACTOR_RANGE = (2, 5)
"""Slider range of the growth factor f (the largest product is 500 x 500)."""


def _sum_vector(n: int, rng: np.random.Generator) -> None:
    ops.sum(rng.standard_normal(n))


def _all_pairs(n: int, rng: np.random.Generator) -> None:
    x = rng.standard_normal(n)
    difference = ops.subtract(x[:, None], x[None, :])
    ops.multiply(difference, difference)


def _matrix_product(n: int, rng: np.random.Generator) -> None:
    ops.matmul(rng.standard_normal((n, n)), rng.standard_normal((n, n)))


ALGORITHMS: dict[str, tuple[int, Callable[[int, np.random.Generator], None]]] = {
    "sum of n numbers": (1, _sum_vector),
    "all-pairs squared differences": (2, _all_pairs),
    "n x n matrix product": (3, _matrix_product),
}
"""Name -> (order k, function running it through `course_lib.ops` at size n)."""


def _check_size(name: str, value: int, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{name} must be an integer >= {low}, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be an integer >= {low}, got {value}")
    return int(value)


def growth_counts(n: int) -> dict[str, int]:
    """FLOPs (multiplies + adds) of each algorithm in `ALGORITHMS` at size ``n``, counted.

    Closed forms: sum n - 1; all-pairs squared differences 2 n^2; matrix product
    2 n^3 - n^2. Derived in notebooks/00_start_here.ipynb.
    """
    n = _check_size("n", n, 1)
    counts = {}
    for name, (_, run) in ALGORITHMS.items():
        with count_ops() as counter:
            run(n, np.random.default_rng(0))
        counts[name] = counter.flops
    return counts


def growth_report(n: int, factor: int) -> str:
    """Counted FLOPs of an order-n, n^2 and n^3 algorithm at size n and factor*n, and their ratio.

    The ratio count(f n) / count(n) tends to f^k for an order-k algorithm; at
    small n the lower-order terms pull it away (sum: 2 + 1/(n-1) for f = 2).
    Derived in notebooks/00_start_here.ipynb.
    """
    n = _check_size("n", n, 2)
    factor = _check_size("factor", factor, 2)
    small, large = growth_counts(n), growth_counts(factor * n)
    size_small, size_large = f"n = {n}", f"{factor}n = {factor * n}"
    lines = [
        f"FLOPs counted at {size_small} and at {size_large} (multiplies + adds, from count_ops)",
        "",
        f"{'algorithm':<30} {'order':>5} {size_small:>12} {size_large:>14} {'ratio':>9} {'limit f^k':>11}",
    ]
    for name, (order, _) in ALGORITHMS.items():
        power = "n" if order == 1 else f"n^{order}"
        ratio = large[name] / small[name]
        lines.append(
            f"{name:<30} {power:>5} {small[name]:>12,} {large[name]:>14,} {ratio:>9.3f} {factor**order:>11,}"
        )
    lines += [
        "",
        f"Multiplying n by {factor} multiplies an order-k algorithm's work by about {factor}^k;",
        "the ratio is exactly that only when lower-order terms vanish (all-pairs: 2 n^2).",
    ]
    return "\n".join(lines)


def growth_explorer(n: int = 8, factor: int = 2) -> Explorer:
    """An `Explorer` with sliders for n and the growth factor, showing `growth_report`."""
    return Explorer(
        growth_report,
        {
            "n": int_slider("n", n, *N_RANGE),
            "factor": int_slider("factor", factor, *FACTOR_RANGE),
        },
    )
