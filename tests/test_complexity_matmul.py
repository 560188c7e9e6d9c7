"""complexity.matmul.matmul_cost against counted scalar loops and the sympy derivation (notebook 01)."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from course_lib import symbolic
from course_lib.complexity.matmul import matmul_cost
from course_lib.counting import count_ops, matmul_naive


@pytest.mark.parametrize(("m", "n", "p"), [(1, 1, 1), (2, 3, 2), (7, 1, 3), (6, 6, 1), (1, 8, 5), (4, 9, 3)])
def test_matches_counted_loops_and_sympy(m: int, n: int, p: int) -> None:
    rng = np.random.default_rng(1)
    with count_ops() as counted:
        matmul_naive(rng.standard_normal((m, n)), rng.standard_normal((n, p)))
    cost = matmul_cost(m, n, p)
    assert (cost.multiplies, cost.adds, cost.flops) == (counted.multiplies, counted.adds, counted.flops)
    derived = symbolic.matmul_cost(*sp.symbols("m n p"))
    values = dict(zip(sp.symbols("m n p"), (m, n, p), strict=True))
    assert cost.macs == int(derived["macs"].subs(values))
    assert cost.flops == int(derived["flops"].subs(values))


def test_exact_integers_for_huge_sizes() -> None:
    size = 10**7
    assert matmul_cost(size, size, size).flops == 2 * size**3 - size**2


@pytest.mark.parametrize(("args", "name"), [((0, 1, 1), "m"), ((1, -2, 1), "n"), ((1, 1, 1.5), "p")])
def test_bad_sizes_name_the_argument(args: tuple[object, ...], name: str) -> None:
    with pytest.raises(ValueError, match=name):
        matmul_cost(*args)
