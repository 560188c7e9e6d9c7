"""The derive step of notebook 08: Strassen's recurrence, Winograd's matrices, the FFT's cost, in sympy.

* `block_recursion_cost_expr` solves the recurrences of a 2 x 2 block recursion
  (``products`` half-size products and ``block_adds`` block additions per level,
  one ordinary product of n_0 x n_0 blocks at the bottom) with `sympy.rsolve`;
  `in_matrix_size` rewrites the solution in the matrix size n = n_0 2^L.
  Strassen (7 products, 18 block additions) gives n_0^3 (n/n_0)^log2(7) multiplies.
* `toom_cook_matrices` derives the matrices of Winograd's F(m, r) from
  interpolation points (Toom-Cook), and `winograd_residual` checks symbolically
  that a triple of matrices computes the cross-correlation exactly.
* `fft_conv2d_cost_expr` is the FFT convolution's operation count for a square
  layer as an expression in the FFT size P.

The exact integers of the same formulas are in `course_lib.complexity.fast`; like
the rest of `course_lib.symbolic`, this module never imports the implementations.
Derived in notebooks/08_fast_algorithms.ipynb.
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "block_recursion_cost_expr",
    "fft2_cost_expr",
    "fft_conv2d_cost_expr",
    "in_matrix_size",
    "levels",
    "n0",
    "strassen_cost_expr",
    "toom_cook_matrices",
    "winograd_residual",
]

levels = sp.Symbol("L", integer=True, nonnegative=True)
"""Levels of a block recursion."""

n0 = sp.Symbol("n_0", positive=True, integer=True)
"""Side of the blocks at the bottom of the recursion (multiplied by an ordinary product)."""

_n = sp.Symbol("n", positive=True, integer=True)


def block_recursion_cost_expr(products: int, block_adds: int, base: sp.Expr = n0) -> dict[str, sp.Expr]:
    """Multiplies and adds of a 2 x 2 block recursion after `levels` levels, solved by `sympy.rsolve`.

    T_mul(L) = products T_mul(L - 1), T_mul(0) = base^3;
    T_add(L) = products T_add(L - 1) + block_adds (base 2^(L - 1))^2, T_add(0) = base^2 (base - 1):
    each level multiplies ``products`` half-size blocks and adds ``block_adds`` half-size blocks.
    """
    t = sp.Function("T")
    half = base * 2 ** (levels - 1)
    multiplies = sp.rsolve(t(levels) - products * t(levels - 1), t(levels), {t(0): base**3})
    adds = sp.rsolve(
        t(levels) - products * t(levels - 1) - block_adds * half**2, t(levels), {t(0): base**2 * (base - 1)}
    )
    return {"multiplies": sp.expand(multiplies), "adds": sp.expand(adds)}


def in_matrix_size(expr: sp.Expr, size: sp.Symbol = _n, base: sp.Expr = n0) -> sp.Expr:
    """``expr`` with L = log2(size / base): every b^(k L) becomes (size/base)^(k log2 b), so 7^L reads (n/n_0)^log2(7).

    The result is collected by powers of n/n_0, with factored coefficients.
    """
    ratio = size / base
    powers = []

    def as_ratio_power(term: sp.Pow) -> sp.Expr:
        exponent = sp.nsimplify(sp.simplify(term.exp / levels) * sp.log(term.base, 2))
        if exponent.is_Integer:
            return ratio**exponent
        powers.append(sp.Pow(ratio, exponent, evaluate=False))
        return powers[-1]

    rewritten = expr.replace(lambda e: e.is_Pow and e.exp.has(levels), as_ratio_power)
    return sp.collect(sp.expand(rewritten, power_base=False), powers, sp.factor)


def strassen_cost_expr(size: sp.Symbol = _n, base: sp.Expr = n0) -> dict[str, sp.Expr]:
    """Strassen's multiplies and adds for n = n_0 2^L: n_0^3 (n/n_0)^log2(7) and n_0^2 (n_0 + 5) (n/n_0)^log2(7) - 6 n^2."""
    return {
        kind: in_matrix_size(expr, size, base)
        for kind, expr in block_recursion_cost_expr(7, 18, base).items()
    }


def toom_cook_matrices(
    m: int, r: int, points: list[int | str | sp.Rational]
) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    """(A^T, G, B^T) of Winograd's F(m, r) from m + r - 2 finite interpolation points and infinity.

    The points are distinct integers or fractions (``"1/2"``); small ones keep the
    matrices' entries, and so the rounding errors, small.

    A linear convolution of an r-tap filter g with m inputs is a polynomial product of
    degree m + r - 2, fixed by its values at alpha = m + r - 1 points: evaluate both
    factors there (V_r g and V_m h, V_k the alpha x k Vandermonde matrix with a last row
    (0, ..., 0, 1) for the point at infinity), multiply, interpolate (V_alpha^-1). The
    cross-correlation y_i = sum_k g_k d_(i+k) is the transpose of that map, so

        y = V_m^T [ (V_r g) (.) (V_alpha^-T d) ],  A^T = V_m^T, G = V_r, B^T = V_alpha^-T.

    Each row i of B^T is then scaled by the least common multiple of its denominators
    and row i of G divided by it (the product is unchanged), so B^T holds integers.
    """
    alpha = m + r - 1
    if len(points) != alpha - 1:
        raise ValueError(f"points must hold m + r - 2 = {alpha - 1} finite points, got {len(points)}")

    def vandermonde(k: int) -> sp.Matrix:
        rows = [[sp.Rational(p) ** j for j in range(k)] for p in points]
        return sp.Matrix([*rows, [0] * (k - 1) + [1]])

    at, g, bt = vandermonde(m).T, vandermonde(r), vandermonde(alpha).inv().T
    for i in range(alpha):
        scale = sp.ilcm(*[sp.fraction(v)[1] for v in bt.row(i)])
        bt[i, :] = bt.row(i) * scale
        g[i, :] = g.row(i) / scale
    return at, g, bt


def winograd_residual(at: sp.Matrix, g: sp.Matrix, bt: sp.Matrix) -> sp.Matrix:
    """A^T [(G g) (.) (B^T d)] minus the direct cross-correlation, expanded, for symbolic d and g.

    The zero matrix exactly when the three matrices compute F(m, r).
    """
    m, r, alpha = at.shape[0], g.shape[1], bt.shape[0]
    d = sp.Matrix(sp.symbols(f"d0:{alpha}"))
    taps = sp.Matrix(sp.symbols(f"g0:{r}"))
    winograd = at * (g * taps).multiply_elementwise(bt * d)
    direct = sp.Matrix([sum(taps[k] * d[i + k] for k in range(r)) for i in range(m)])
    return sp.expand(winograd - direct)


def fft2_cost_expr(side: sp.Expr) -> dict[str, sp.Expr]:
    """One 2-D real FFT of a P x P array by the course's radix-2 FFT: P row FFTs, then P/2 + 1 column FFTs.

    A complex FFT of length P costs 2 P log2 P multiplies and 3 P log2 P adds.
    """
    lg = sp.log(side, 2)
    transforms = side + side / 2 + 1
    return {
        "multiplies": sp.expand(transforms * 2 * side * lg),
        "adds": sp.expand(transforms * 3 * side * lg),
    }


def fft_conv2d_cost_expr(
    side: sp.Expr, batch: sp.Expr, c_in: sp.Expr, c_out: sp.Expr, outputs: sp.Expr
) -> dict[str, sp.Expr]:
    """Multiplies and adds of the FFT convolution with P x P transforms (P >= 2 a power of two).

    (N C_in + C_out C_in + N C_out) forward or inverse 2-D FFTs (each inverse also
    changes the sign of P (P/2 - 1) mirrored entries), a pointwise complex
    product-and-sum over C_in at the P (P/2 + 1) kept frequencies (four real products),
    and one scaling multiply and one bias add per output (``outputs`` per map).
    """
    transform = fft2_cost_expr(side)
    maps = batch * c_in + c_out * c_in + batch * c_out
    freqs = side * (side / 2 + 1)
    signs = batch * c_out * side * (side / 2 - 1)
    multiplies = (
        maps * transform["multiplies"] + signs + 4 * freqs * batch * c_in * c_out + batch * c_out * outputs
    )
    adds = (
        maps * transform["adds"]
        + 4 * freqs * batch * (c_in - 1) * c_out
        + 2 * freqs * batch * c_out
        + batch * c_out * outputs
    )
    return {"multiplies": sp.expand(multiplies), "adds": sp.expand(adds)}
