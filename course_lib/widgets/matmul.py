"""Widget experiment of notebooks/01_matrix_multiplication.ipynb: the cost of one matrix product.

`matmul_report` is the pure part: for A (m x n) times B (n x p) it runs
`course_lib.ops.matmul` on zeros under `count_ops`, and sets the counted
multiplies, adds, MACs and FLOPs beside the closed forms derived in the
notebook (m*n*p, m*(n-1)*p, m*n*p, 2mnp - mp, from `course_lib.symbolic`),
with the output shape, the float64 memory of A, B and C and the arithmetic
intensity FLOPs / bytes(A + B + C). The text is deterministic (no timings), so
tests and nbval can compare it. `matmul_explorer` wraps it in sliders.
"""

from __future__ import annotations

import numpy as np

from course_lib import ops, symbolic
from course_lib.counting import count_ops
from course_lib.widgets.base import Explorer, int_slider

MAX_DIM = 1024
"""Largest m, n or p `matmul_report` accepts: the product it runs then takes a few tens of ms."""

SLIDER_MAX = 512
"""Upper end of the explorer's sliders (any setting computes in well under a second)."""

FLOAT64_BYTES = 8
"""Bytes per float64 element."""


def _check_dim(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ValueError(f"{name} must be an integer between 1 and {MAX_DIM}, got {value!r}")
    if not 1 <= value <= MAX_DIM:
        raise ValueError(f"{name} must be an integer between 1 and {MAX_DIM}, got {value}")
    return int(value)


def _memory(elements: int) -> str:
    """``elements`` float64 values as elements and bytes, with KiB / MiB when that reads better."""
    size = elements * FLOAT64_BYTES
    text = f"{elements:,} element{'s' if elements != 1 else ''} = {size:,} B"
    if size >= 2**20:
        return f"{text} ({size / 2**20:.1f} MiB)"
    if size >= 2**10:
        return f"{text} ({size / 2**10:.1f} KiB)"
    return text


def matmul_report(m: int, n: int, p: int) -> str:
    """Counted and derived cost of a (m x n)(n x p) float64 matrix product, as text.

    Multiplies = MACs = m*n*p, adds = m*(n-1)*p, FLOPs = 2mnp - mp; memory of
    A, B and C is 8*(mn + np + mp) bytes in float64, and the arithmetic
    intensity is FLOPs divided by those bytes. The counts come from running
    `ops.matmul` on zeros under `count_ops`; the formula column from
    `symbolic.matmul_cost`. Derived in notebooks/01_matrix_multiplication.ipynb.
    Raises ValueError naming the argument unless 1 <= m, n, p <= `MAX_DIM`.
    """
    m, n, p = _check_dim("m", m), _check_dim("n", n), _check_dim("p", p)
    with count_ops() as counter:
        c = ops.matmul(np.zeros((m, n)), np.zeros((n, p)))
    formula = {kind: int(value) for kind, value in symbolic.matmul_cost(m, n, p).items()}
    counted = {
        "multiplies": counter.multiplies,
        "adds": counter.adds,
        "macs": counter.macs,
        "flops": counter.flops,
    }
    rows = [
        ("multiplies", "multiplies", "m*n*p"),
        ("adds", "adds", "m*(n-1)*p"),
        ("MACs", "macs", "m*n*p"),
        ("FLOPs", "flops", "2*m*n*p - m*p"),
    ]
    width = max(len("counted"), *(len(f"{value:,}") for value in counted.values()))
    elements = {"A": m * n, "B": n * p, "C": m * p}
    total_bytes = FLOAT64_BYTES * sum(elements.values())
    agree = "yes" if counted == {key: formula[key] for key in counted} else "NO"
    lines = [
        f"A ({m} x {n}) @ B ({n} x {p}) -> C of shape {c.shape}",
        "",
        f"{'':10}  {'counted':>{width}}  formula",
    ]
    lines += [
        f"{label:10}  {counted[key]:>{width},}  {text:13} = {formula[key]:,}" for label, key, text in rows
    ]
    lines += [
        f"counted == formula: {agree}",
        "",
        f"memory in float64 ({FLOAT64_BYTES} bytes per element)",
        f"  A  m*n = {_memory(elements['A'])}",
        f"  B  n*p = {_memory(elements['B'])}",
        f"  C  m*p = {_memory(elements['C'])}",
        f"  A + B + C = {_memory(sum(elements.values()))}",
        "",
        f"arithmetic intensity = FLOPs / bytes(A+B+C) = {counted['flops']:,} / {total_bytes:,}"
        f" = {counted['flops'] / total_bytes:.3f} FLOP/byte",
    ]
    return "\n".join(lines)


def matmul_explorer(m: int = 64, n: int = 64, p: int = 64) -> Explorer:
    """Sliders m, n, p (1 to `SLIDER_MAX`) above the live `matmul_report`."""
    controls = {
        name: int_slider(name, value, 1, SLIDER_MAX) for name, value in (("m", m), ("n", n), ("p", p))
    }
    return Explorer(matmul_report, controls)
