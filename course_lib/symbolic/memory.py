"""The memory of backpropagation and of gradient checkpointing, as sympy expressions.

The *derive* step for notebooks/10_memory_precision_energy.ipynb, mirroring
`course_lib.complexity.memory` (whose exact integers the tests compare with
these). Symbols: L layers, B samples, c segments (checkpoints), s bytes per
element, n the width of a uniform network; `course_lib.symbolic.width` gives
n(i) for general widths.

* What the forward caches keep: the input and every layer's output,
  s B sum_{i=0}^{L} n(i) (`mlp_cache_bytes_expr`).
* Checkpointing L equal layers in c equal segments holds, while the last
  segment is back-propagated, the c segment inputs and the L/c outputs of
  that segment: s B n (c + L/c) (`checkpoint_peak_expr`), and recomputes the
  forward pass of the c - 1 other segments, (1 - 1/c) of a forward pass
  (`checkpoint_extra_forward_expr`).
* `checkpoint_optimum` sets the derivative of the peak in c to zero and
  solves: c* = sqrt(L), peak 2 sqrt(L) s B n, the O(sqrt(L)) memory of Chen
  et al. (2016) for less than one extra forward pass.
"""

from __future__ import annotations

import sympy as sp

from course_lib.symbolic.core import n
from course_lib.symbolic.dense import B, L, mlp_forward_cost_expr, uniform_widths, width

__all__ = [
    "bytes_per_element",
    "checkpoint_extra_forward_expr",
    "checkpoint_optimum",
    "checkpoint_peak_expr",
    "mlp_cache_bytes_expr",
    "segments",
]

segments = sp.Symbol("c", positive=True)
"""c, the number of checkpointed segments (a real number when optimised, an integer in use)."""

bytes_per_element = sp.Symbol("s", positive=True, integer=True)
"""s, bytes per element: 8 for float64, 4 for float32, 2 for float16 and bfloat16, 1 for int8."""

_i = sp.Symbol("i", integer=True, nonnegative=True)


def mlp_cache_bytes_expr(
    n_layers: sp.Expr = L, batch: sp.Expr = B, s: sp.Expr = bytes_per_element
) -> sp.Expr:
    """s B sum_{i=0}^{L} n(i): the input batch and each layer's output, kept for the backward pass."""
    return s * batch * sp.Sum(width(_i), (_i, 0, n_layers))


def checkpoint_peak_expr(
    n_layers: sp.Expr = L,
    c: sp.Expr = segments,
    batch: sp.Expr = B,
    neurons: sp.Expr = n,
    s: sp.Expr = bytes_per_element,
) -> sp.Expr:
    """Peak activation bytes for L layers of width n in c equal segments: s B n (c + L/c).

    c segment inputs (the first is the input batch) plus the L/c layer outputs
    of the segment being back-propagated. c = 1 gives s B n (L + 1), everything kept.
    """
    inputs = c * batch * neurons
    one_segment = (n_layers / c) * batch * neurons
    return s * (inputs + one_segment)


def checkpoint_extra_forward_expr(
    n_layers: sp.Expr = L, c: sp.Expr = segments, batch: sp.Expr = B
) -> sp.Expr:
    """FLOPs recomputed for L layers of width n in c equal segments: (c - 1)/c of the forward FLOPs."""
    forward = uniform_widths(mlp_forward_cost_expr(L, batch)["flops"]).subs(L, n_layers)
    return sp.factor((c - 1) / c * forward)


def checkpoint_optimum(n_layers: sp.Expr = L) -> dict[str, sp.Expr]:
    """The c that minimises `checkpoint_peak_expr`, found by solving d(peak)/dc = 0, and the peak there.

    Returns ``{"c": sqrt(L), "peak": 2 sqrt(L) s B n, "ratio": peak / everything kept}``. The second
    derivative 2 L s B n / c^3 is positive for c > 0, so this is the minimum.
    """
    peak = checkpoint_peak_expr(n_layers)
    (best,) = sp.solve(sp.diff(peak, segments), segments)
    at_best = sp.simplify(peak.subs(segments, best))
    return {"c": best, "peak": at_best, "ratio": sp.simplify(at_best / peak.subs(segments, 1))}
