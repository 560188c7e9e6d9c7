"""The sympy derivations of notebook 08 against hand-worked results and the exact integers.

References: the ordinary product's n^3 multiplies and n^2 (n - 1) adds (the direct block
recursion must give them back), the textbook Strassen counts 7^k and 6 (7^k - 4^k), Lavin &
Gray's published matrices (each row of theirs a multiple of the derived one), and the
integer formulas of `course_lib.complexity.fast` (written without sympy).
"""

from __future__ import annotations

import pytest
import sympy as sp

from course_lib.complexity.fast import fft_conv2d_cost, strassen_cost
from course_lib.fast.winograd import TILES
from course_lib.symbolic import fast as sf

n = sp.Symbol("n", positive=True, integer=True)


def test_direct_block_recursion_is_the_ordinary_product() -> None:
    cost = {kind: sf.in_matrix_size(expr) for kind, expr in sf.block_recursion_cost_expr(8, 4).items()}
    assert sp.expand(cost["multiplies"] - n**3) == 0
    assert sp.expand(cost["adds"] - n**2 * (n - 1)) == 0


@pytest.mark.parametrize(("size", "base"), [(2, 1), (8, 1), (64, 1), (64, 8), (256, 64), (1024, 32)])
def test_strassen_solution_equals_the_integer_formula(size: int, base: int) -> None:
    cost = sf.strassen_cost_expr()
    for kind in ("multiplies", "adds"):
        value = sp.nsimplify(sp.simplify(cost[kind].subs({n: size, sf.n0: base})))
        assert value == getattr(strassen_cost(size, base), kind)


def test_strassen_to_scalars_and_its_exponent() -> None:
    cost = {kind: expr.subs(sf.n0, 1) for kind, expr in sf.strassen_cost_expr().items()}
    k = sp.Symbol("k", positive=True, integer=True)
    assert sp.simplify(cost["multiplies"].subs(n, 2**k) - 7**k) == 0
    assert sp.simplify(cost["adds"].subs(n, 2**k) - 6 * (7**k - 4**k)) == 0
    exponent = sp.limit(sp.log(cost["multiplies"]) / sp.log(n), n, sp.oo)
    assert exponent == sp.log(7) / sp.log(2)
    assert 2.80 < float(exponent) < 2.81


@pytest.mark.parametrize(("m", "points"), [(2, [0, 1, -1]), (4, [0, 1, -1, 2, -2]), (3, [0, 1, -1, 2])])
def test_toom_cook_matrices_compute_the_correlation(m: int, points: list[int]) -> None:
    at, g, bt = sf.toom_cook_matrices(m, 3, points)
    assert at.shape == (m, m + 2) and g.shape == (m + 2, 3) and bt.shape == (m + 2, m + 2)
    assert sf.winograd_residual(at, g, bt) == sp.zeros(m, 1)
    assert all(v.is_integer for v in bt)


@pytest.mark.parametrize(("m", "points"), [(2, [0, 1, -1]), (4, [0, 1, -1, 2, -2])])
def test_derived_matrices_match_lavin_and_gray_up_to_row_scaling(m: int, points: list[int]) -> None:
    at, g, bt = sf.toom_cook_matrices(m, 3, points)
    tile = TILES[m]
    published = {
        name: sp.Matrix([[sp.Rational(str(v)) for v in row] for row in getattr(tile, name)])
        for name in ("BT", "G", "AT")
    }

    def ratio(published_part: sp.Matrix, derived_part: sp.Matrix) -> sp.Rational:
        ratios = {p / d for p, d in zip(published_part, derived_part, strict=True) if d != 0}
        assert len(ratios) == 1 and all(
            p == 0 for p, d in zip(published_part, derived_part, strict=True) if d == 0
        )
        return ratios.pop()

    # Point i contributes (G g)_i (B^T d)_i times column i of A^T: scaling the three by
    # factors whose product is 1 changes nothing, and that is all that separates the two.
    for i in range(m + 2):
        factors = (
            ratio(published["BT"].row(i), bt.row(i)),
            ratio(published["G"].row(i), g.row(i)),
            ratio(published["AT"].col(i), at.col(i)),
        )
        assert sp.prod(factors) == 1


def test_toom_cook_needs_the_right_number_of_points() -> None:
    with pytest.raises(ValueError, match="m \\+ r - 2 = 3 finite points, got 2"):
        sf.toom_cook_matrices(2, 3, [0, 1])


@pytest.mark.parametrize(
    ("size", "kernel", "batch", "c_in", "c_out"), [(8, 3, 1, 1, 1), (14, 5, 2, 3, 4), (30, 3, 1, 2, 2)]
)
def test_fft_cost_expression_equals_the_integer_formula(
    size: int, kernel: int, batch: int, c_in: int, c_out: int
) -> None:
    pad = kernel // 2
    side = 1 << (size + 2 * pad - 1).bit_length()
    expr = sf.fft_conv2d_cost_expr(sp.Integer(side), batch, c_in, c_out, size * size)
    cost = fft_conv2d_cost(c_in, size, size, c_out, kernel, pad, batch)
    assert sp.nsimplify(expr["multiplies"]) == cost.multiplies
    assert sp.nsimplify(expr["adds"]) == cost.adds
